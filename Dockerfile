FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_DISABLE_PIP_VERSION_CHECK=1
RUN useradd --create-home --uid 1000 bangfu
WORKDIR /app
COPY pyproject.toml README.md bootstrap.py settings.py ./
COPY domain ./domain
COPY projections ./projections
COPY stores ./stores
COPY supervision ./supervision
COPY api ./api
COPY cli ./cli
RUN pip install --no-cache-dir . && mkdir -p /app/bangfu-data && chown -R bangfu /app
USER bangfu

EXPOSE 8000
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=5 \
  CMD python -c "import urllib.request,sys; sys.exit(urllib.request.urlopen('http://127.0.0.1:8000/health', timeout=2).status != 200)"
CMD ["bangfu", "serve", "--host", "0.0.0.0", "--port", "8000"]
