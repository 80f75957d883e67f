"""HTTP endpoints beside the Reflex app: sign-in, sign-out and health, plus security headers."""
