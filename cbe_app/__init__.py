"""cbe_app: a no-code application platform for cross-border e-commerce sellers."""
