"""The `bangfu` command: serve, demo, user."""
