"""Celery tasks: thin, named, idempotent shells that take ids and call services."""
