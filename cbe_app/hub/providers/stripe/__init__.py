"""Stripe: charges, payment intents, refunds and balance transactions as hub payments."""
