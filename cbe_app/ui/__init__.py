"""The Reflex UI: a thin shell over the services. Nothing outside this package imports Reflex."""
