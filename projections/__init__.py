"""Read models built from events: each module turns events into rows a user reads."""
