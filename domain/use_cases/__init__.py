"""The Ledger's use cases, grouped by area; domain/application.py puts them together."""
