"""Advertising spend from the ad platforms' CSV/XLSX exports (Google Ads, Meta, Amazon, TikTok)."""
