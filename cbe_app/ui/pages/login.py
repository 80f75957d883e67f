"""The sign-in page. The form posts straight to `/auth/login`; errors come back in the URL."""

from __future__ import annotations

import reflex as rx

from cbe_app.auth.cookies import LANGUAGE_COOKIE, read_cookie, safe_next
from cbe_app.config import get_settings
from cbe_app.core.i18n import LANGUAGES, locale_from_accept_language
from cbe_app.demo.users import DEMO_PASSWORD, DEMO_USERS
from cbe_app.ui.components.plain_form import PlainForm
from cbe_app.ui.guard import public, resolve_principal
from cbe_app.ui.i18n import LocaleState, T
from cbe_app.ui.session import SessionState

_GRADIENT = "linear-gradient(150deg, var(--indigo-10) 0%, var(--indigo-9) 45%, var(--cyan-9) 100%)"


class LoginState(rx.State):
    """What the sign-in page shows: the error of the last attempt, and where to go next."""

    error: str = ""
    minutes: str = ""
    email: str = ""
    next_path: str = "/dashboards"
    signed_out: bool = False
    show_demo: bool = False

    @rx.event
    @public
    async def open(self) -> rx.event.EventSpec | None:
        """Read the outcome of the last attempt; skip the page when already signed in."""
        query = self.router.url.query_parameters
        self.next_path = safe_next(query.get("next"), "/dashboards")
        if await resolve_principal(self) is not None:
            return rx.redirect(self.next_path)
        self.error = (
            query.get("error", "") if query.get("error") in ("invalid", "throttled") else ""
        )
        self.minutes = "".join(ch for ch in query.get("minutes", "") if ch.isdigit())[:4]
        self.email = query.get("email", "")[:254]
        self.signed_out = query.get("signed_out") == "1"
        self.show_demo = get_settings().demo
        await self._first_visit_language()
        return None

    async def _first_visit_language(self) -> None:
        """Until someone picks a language, speak the one their browser asks for."""
        headers = self.router_data.get("headers", {}) if self.router_data else {}
        locale_state = await self.get_state(LocaleState)
        if not locale_state._chosen and read_cookie(headers.get("cookie"), LANGUAGE_COOKIE) is None:
            locale_state._apply(locale_from_accept_language(headers.get("accept-language")))


def _feature(icon: str, text: rx.Var[str]) -> rx.Component:
    return rx.hstack(
        rx.center(
            rx.icon(icon, size=16),
            width="30px",
            height="30px",
            border_radius="8px",
            background="rgba(255,255,255,0.14)",
        ),
        rx.text(text, size="3"),
        spacing="3",
        align="center",
    )


def _brand_panel() -> rx.Component:
    return rx.vstack(
        rx.hstack(
            rx.icon("globe", size=26),
            rx.text("cbe", size="6", weight="bold"),
            align="center",
            spacing="2",
        ),
        rx.spacer(),
        rx.heading(
            T("Every channel, one place to run your cross-border business."),
            size="8",
            weight="bold",
            line_height="1.15",
            max_width="520px",
        ),
        rx.text(
            T(
                "Build your own forms, dashboards, workflows and rules on one data hub, "
                "without code."
            ),
            size="4",
            opacity="0.85",
            max_width="480px",
        ),
        rx.vstack(
            _feature(
                "shopping-cart", T("Orders from Amazon, Shopify, eBay, Walmart and WooCommerce")
            ),
            _feature(
                "truck", T("Shipments from FedEx, DHL and 4PX, payments from PayPal and Stripe")
            ),
            _feature("badge-percent", T("Invoices with the right VAT for every country")),
            spacing="3",
            padding_top="12px",
        ),
        rx.spacer(),
        rx.text(T("English and Simplified Chinese"), size="2", opacity="0.7"),
        color="white",
        padding="48px",
        min_height="100vh",
        align="start",
        spacing="5",
        background=_GRADIENT,
        display=["none", "none", "flex"],
        flex="1",
    )


def _messages() -> rx.Component:
    return rx.fragment(
        rx.cond(
            LoginState.error == "invalid",
            rx.callout(
                T("Wrong e-mail or password."),
                icon="circle-alert",
                color_scheme="red",
                data_testid="login-error",
            ),
        ),
        rx.cond(
            LoginState.error == "throttled",
            rx.callout(
                T(
                    "Too many failed sign-in attempts. Try again in {minutes} minutes.",
                    minutes=LoginState.minutes,
                ),
                icon="timer",
                color_scheme="orange",
                data_testid="login-error",
            ),
        ),
        rx.cond(
            LoginState.signed_out,
            rx.callout(
                T("You have signed out."),
                icon="circle-check",
                color_scheme="green",
                data_testid="signed-out",
            ),
        ),
    )


def _field(label: rx.Var[str], **input_props: object) -> rx.Component:
    return rx.vstack(
        rx.text(label, size="2", weight="medium", as_="label", html_for=input_props["id"]),
        rx.input(size="3", width="100%", **input_props),
        spacing="1",
        width="100%",
    )


def _demo_hint() -> rx.Component:
    return rx.cond(
        LoginState.show_demo,
        rx.box(
            rx.text(
                T("Demo sign-ins (password {password}):", password=DEMO_PASSWORD),
                size="1",
                color_scheme="gray",
            ),
            rx.text(
                ", ".join(u.email.split("@")[0] for u in DEMO_USERS) + " @demo.cbe.example",
                size="1",
                color_scheme="gray",
                font_family="var(--code-font-family)",
            ),
            padding="10px 12px",
            border_radius="8px",
            background="var(--gray-3)",
            width="100%",
            data_testid="demo-hint",
        ),
    )


def _form() -> rx.Component:
    return PlainForm.create(
        rx.vstack(
            _field(
                T("E-mail"),
                id="email",
                name="email",
                type="email",
                required=True,
                auto_complete="username",
                default_value=LoginState.email,
                placeholder="you@company.com",
            ),
            _field(
                T("Password"),
                id="password",
                name="password",
                type="password",
                required=True,
                auto_complete="current-password",
            ),
            rx.el.input(type="hidden", name="next", value=LoginState.next_path),
            rx.button(T("Sign in"), type="submit", size="3", width="100%", data_testid="sign-in"),
            spacing="4",
            width="100%",
        ),
        action="/auth/login",
        method="post",
        width="100%",
    )


def _language_links() -> rx.Component:
    return rx.hstack(
        *[
            # Buttons, not links: a link would navigate and run the page load again.
            rx.button(
                name,
                on_click=SessionState.switch_language(code),
                size="2",
                variant="soft",
                color_scheme=rx.cond(LocaleState.locale == code, "indigo", "gray"),
                data_testid=f"language-{code}",
            )
            for code, name in LANGUAGES.items()
        ],
        spacing="2",
    )


def login_page() -> rx.Component:
    """The page at /login."""
    return rx.flex(
        _brand_panel(),
        rx.center(
            rx.box(_language_links(), position="absolute", top="24px", right="32px"),
            rx.vstack(
                rx.heading(T("Sign in"), size="7", weight="bold"),
                rx.text(
                    T("Welcome back. Sign in with your work e-mail."), color_scheme="gray", size="3"
                ),
                _messages(),
                _form(),
                _demo_hint(),
                spacing="4",
                width="100%",
                max_width="400px",
                padding="32px 24px",
            ),
            flex="1",
            position="relative",
            min_height="100vh",
            background="var(--color-background)",
        ),
        min_height="100vh",
        width="100%",
        align="stretch",
    )
