# refsvc: one image for the web service, the link checker and the Celery worker. The command names the
# role (docker/entrypoint.sh): web (the default), checker, worker, migrate, healthcheck.
#   docker build -t refsvc . && docker run -p 8000:8000 -v refsvc-data:/data refsvc
# compose.yaml runs the three roles on PostgreSQL and Redis.

# Build: the pinned requirements into a virtual environment the runtime stage copies whole.
FROM python:3.11-slim-bookworm AS build
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
RUN python -m venv /opt/venv
COPY requirements.txt /tmp/requirements.txt
RUN /opt/venv/bin/pip install --requirement /tmp/requirements.txt && /opt/venv/bin/pip check

# Run: no compiler, no pip cache, not root.
FROM python:3.11-slim-bookworm
ENV PATH=/opt/venv/bin:$PATH PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 \
    REFSVC_INSTANCE_PATH=/data REFSVC_BIND=0.0.0.0:8000
RUN useradd --system --uid 10001 --user-group --home-dir /app --shell /usr/sbin/nologin refsvc \
    && mkdir -p /data && chown 10001:10001 /data
COPY --from=build /opt/venv /opt/venv
WORKDIR /app
COPY refsvc/ refsvc/
COPY styles/ styles/
COPY migrations/ migrations/
COPY docker/entrypoint.sh docker/entrypoint.sh
COPY alembic.ini gunicorn.conf.py wsgi.py registry.yaml ./
USER 10001:10001
VOLUME /data
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=10s --start-period=60s --retries=3 \
    CMD ["python", "-m", "refsvc.healthcheck"]
ENTRYPOINT ["/app/docker/entrypoint.sh"]
CMD ["web"]
