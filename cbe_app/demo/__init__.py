"""Deterministic demo data: a realistic cross-border business to explore and to test against."""
