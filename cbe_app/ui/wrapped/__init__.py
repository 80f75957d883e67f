"""React libraries wrapped for Reflex (see ../shared/notes/reflex-ui.md for what works)."""
