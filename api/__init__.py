"""Bangfu's HTTP API: the only package that imports FastAPI."""
