"""Writing mapped records into the canonical tables: set-based, idempotent, newer wins."""
