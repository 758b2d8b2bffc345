"""The web app: pages for people, beside the JSON API."""
