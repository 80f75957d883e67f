"""Notifications that leave the app: e-mail (scheduled reports, alerts) through `mail`."""
