"""Seller analytics pages: dashboard, per-listing table, receipts, "why not showing", CSV export."""
