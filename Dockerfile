# refsvc: the web service. Run the link checker from the same image with
#   docker run IMAGE flask --app wsgi check-links
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 REFSVC_INSTANCE_PATH=/data
WORKDIR /app
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt
COPY refsvc/ refsvc/
COPY styles/ styles/
COPY migrations/ migrations/
COPY alembic.ini wsgi.py registry.yaml ./
RUN useradd --system --home /app refsvc && mkdir -p /data && chown refsvc /data
USER refsvc
VOLUME /data
EXPOSE 8000
HEALTHCHECK CMD python -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz')"
CMD ["sh", "-c", "flask --app wsgi registry import registry.yaml --if-empty && exec gunicorn --workers 2 --threads 4 --bind 0.0.0.0:8000 wsgi:app"]
