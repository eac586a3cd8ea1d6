#!/bin/sh
# One image, several roles: the container's command names the role, the rest are its arguments.
#   web                 gunicorn -c gunicorn.conf.py wsgi:app (migrates at start; an empty registry
#                       gets REFSVC_REGISTRY_FILE, registry.yaml by default, when that file exists)
#   checker [ARGS]      python -m refsvc.worker check-links: the one scheduler (queues the checks for the
#                       Celery workers when REFSVC_CELERY_BROKER_URL is set, else checks them itself)
#   worker [ARGS]       celery -A refsvc.worker.celery worker
#   migrate             python -m refsvc.worker db upgrade
#   healthcheck [ARGS]  python -m refsvc.healthcheck (web: /readyz; --database; --celery)
#   anything else       run as given, e.g. `python -m refsvc.worker registry export`
set -eu
role="${1:-web}"
[ "$#" -gt 0 ] && shift

case "$role" in
  web)
    registry="${REFSVC_REGISTRY_FILE:-registry.yaml}"
    if [ -f "$registry" ]; then
      # a database that is down must not stop the web server (it answers 503 and catches up):
      # the registry is loaded by the next start instead
      python -m refsvc.worker registry import "$registry" --if-empty ||
        echo "refsvc: registry import skipped (database unavailable?); run it again later" >&2
    fi
    exec gunicorn -c gunicorn.conf.py wsgi:app "$@"
    ;;
  checker)
    exec python -m refsvc.worker check-links "$@"
    ;;
  worker)
    exec celery -A refsvc.worker.celery worker --loglevel "${REFSVC_LOG_LEVEL:-INFO}" "$@"
    ;;
  migrate)
    exec python -m refsvc.worker db upgrade "$@"
    ;;
  healthcheck)
    exec python -m refsvc.healthcheck "$@"
    ;;
  *)
    exec "$role" "$@"
    ;;
esac
