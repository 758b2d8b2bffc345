"""Bangfu's domain: aggregates, their events and the Ledger application (no web, no SQL)."""
