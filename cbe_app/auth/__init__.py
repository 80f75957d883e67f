"""Accounts, roles, permissions, sessions and the audit trail."""
