"""Every page's component tree builds: prop and event-handler mistakes show here in seconds,
not after a production build in the browser tests."""

from __future__ import annotations

import pytest
import reflex as rx

from cbe_app.ui.pages import _screens, register


class _Recorder:
    """Stands in for rx.App: keeps what `register` adds."""

    def __init__(self) -> None:
        self.pages: dict[str, object] = {}

    def add_page(self, component: object, route: str, **_: object) -> None:
        self.pages[route] = component


def _pages() -> dict[str, object]:
    recorder = _Recorder()
    register(recorder)  # type: ignore[arg-type]
    return recorder.pages


def test_every_dedicated_screen_is_registered() -> None:
    assert {route for route, *_ in _screens()} <= set(_pages())


@pytest.mark.parametrize("route", sorted(_pages()))
def test_the_page_builds(route: str) -> None:
    component = _pages()[route]
    built = component() if callable(component) else component
    assert isinstance(built, rx.Component)
    built.render()  # walks the whole tree, as the compiler does
