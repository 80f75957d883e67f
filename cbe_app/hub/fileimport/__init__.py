"""Importing orders from a spreadsheet: columns matched in the UI, previewed, loaded by a job."""
