"""The baseline `make bench` compares every page with: the 20 newest ideas, raw driver calls, one compiled template.

A plain WSGI app with no framework, no ORM and no session, reading the same database as the app
(DATABASE_URL) with sqlite3 or psycopg: what serving a list page costs at its simplest on this machine.
"""
import os
import sqlite3
import threading
from urllib.parse import urlsplit

from jinja2 import Environment

QUERY = (
    "SELECT i.id, i.title, i.score, i.comment_count, i.created_at, u.username FROM idea i "
    "JOIN \"user\" u ON u.id = i.author_id WHERE i.is_hidden = {false} AND i.merged_into_id IS NULL "
    "ORDER BY i.created_at DESC, i.id DESC LIMIT 20"
)
TEMPLATE = Environment(autoescape=True).from_string("""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Newest ideas</title></head>
<body><main><h1>Newest ideas</h1><ol>
{% for id, title, score, comments, created, author in ideas %}
<li><a href="/ideas/{{ id }}">{{ title }}</a> by {{ author }}: {{ score }} points,
{{ comments }} comments, {{ created }}</li>
{% endfor %}
</ol></main></body></html>
""")
_local = threading.local()


def _connect():
    url = os.environ["DATABASE_URL"]
    if url.startswith("sqlite:///"):
        connection = sqlite3.connect(f"file:{url.removeprefix('sqlite:///')}?mode=ro", uri=True,
                                     check_same_thread=False)
        return connection, QUERY.format(false=0)
    import psycopg

    parts = urlsplit(url.replace("postgresql+psycopg://", "postgresql://", 1))
    return psycopg.connect(parts.geturl(), autocommit=True), QUERY.format(false="false")


def app(environ, start_response):
    if not hasattr(_local, "connection"):
        _local.connection, _local.query = _connect()
    rows = _local.connection.execute(_local.query).fetchall()
    body = TEMPLATE.render(ideas=rows).encode()
    start_response("200 OK", [("Content-Type", "text/html; charset=utf-8"), ("Content-Length", str(len(body)))])
    return [body]
