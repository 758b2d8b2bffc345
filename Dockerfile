# Bangfu's image: the hashed lock files first, then the package without its dependencies, run as
# an unprivileged user. docker-compose.yml runs it three ways: migrate (once), api and projector.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_CACHE_DIR=1 PIP_ROOT_USER_ACTION=ignore
# pg_dump and pg_restore for `bangfu backup` and `bangfu restore` (PostgreSQL 15, as the db service)
RUN apt-get update && apt-get install -y --no-install-recommends postgresql-client \
    && rm -rf /var/lib/apt/lists/*
RUN useradd --create-home --uid 1000 bangfu
WORKDIR /app

# Every dependency and the build backend at the locked versions, each file checked against its
# hash (requirements/lock.sh regenerates the locks); this layer changes only with the locks.
COPY requirements/build.lock requirements/app.lock ./requirements/
RUN pip install --require-hashes -r requirements/build.lock -r requirements/app.lock

COPY pyproject.toml README.md bootstrap.py schema.py settings.py ./
COPY domain ./domain
COPY projections ./projections
COPY stores ./stores
COPY supervision ./supervision
COPY api ./api
COPY cli ./cli
# The package alone: no dependency is resolved or fetched here, and no unhashed build backend.
# The code stays root's; the bangfu user owns only the folders the volumes are mounted on.
RUN pip install --no-deps --no-build-isolation . \
    && mkdir -p /app/keys /app/erasures \
    && chown bangfu:bangfu /app/keys /app/erasures && chmod 700 /app/keys /app/erasures
USER bangfu

EXPOSE 8000
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=5 \
  CMD ["python", "-c", "import urllib.request,sys; sys.exit(urllib.request.urlopen('http://127.0.0.1:8000/health/ready', timeout=2).status != 200)"]
CMD ["bangfu", "serve", "--host", "0.0.0.0", "--port", "8000"]
