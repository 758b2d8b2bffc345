"""Seeing Bangfu work: structured logs (logs.py), the request log and request ids
(requests.py), Prometheus metrics (metrics.py) and the record of the last chain verification
(verifications.py). Nothing here imports FastAPI at package level, so the CLI can configure
logging without loading the web app."""
