"""gunicorn settings for serving the portal: `gunicorn -c gunicorn.conf.py wsgi:app`.

Sync workers, one per core and never fewer than two: on a 2-core machine 2-3 sync workers served
more requests per second than 4 or more (docs/measurements.md). Override with the environment:
WEB_CONCURRENCY (workers), GUNICORN_BIND, GUNICORN_TIMEOUT.
"""
import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("WEB_CONCURRENCY") or max(2, multiprocessing.cpu_count()))
worker_class = "sync"
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 10
accesslog = None  # a log line per request costs throughput; a proxy in front logs them
errorlog = "-"
