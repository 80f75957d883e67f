"""Importing a spreadsheet of orders or ad spend: columns matched in the UI, previewed, loaded
by a job."""
