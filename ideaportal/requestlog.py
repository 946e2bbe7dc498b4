"""A request id on every request, and one structured (JSON) log line per request that carries it.

The id is the trusted proxy's `X-Request-ID` when TRUSTED_PROXIES says there is a proxy in front (so the
load balancer's log, ours and the response agree), else a new one; a client's own header is ignored then,
since anyone could send one. It goes back in the response's `X-Request-ID`, into every log record made
while the request runs (as `request_id`), and onto error pages, for a person to quote when reporting one.
REQUEST_LOG = False turns the per-request line off (a proxy in front may already log each request).
"""
import json
import logging
import re
import sys
import time
import uuid

from flask import Flask, current_app, g, has_request_context, request
from sqlalchemy import inspect

LOGGER = "ideaportal.requests"
TRUSTED_ID = re.compile(r"[A-Za-z0-9._:-]{1,128}")


class RequestIdFilter(logging.Filter):
    """Adds `request_id` to every record, "-" outside a request."""

    def filter(self, record: logging.LogRecord) -> bool:
        if has_request_context():
            record.request_id = g.get("request_id", "-")
        elif not hasattr(record, "request_id"):  # a page answered before Flask (fastpath.py) names its own
            record.request_id = "-"
        return True


class JsonLines(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line = {"time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S%z"), "level": record.levelname,
                "logger": record.name, "request_id": getattr(record, "request_id", "-"), "message": record.getMessage(),
                **getattr(record, "fields", {})}
        if record.exc_info:
            line["error"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False)


def init_app(app: Flask) -> None:
    app.logger.addFilter(RequestIdFilter())
    logger = logging.getLogger(LOGGER)
    if not logger.handlers:  # one handler per process, however many apps it builds (tests build many)
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(JsonLines())
        handler.addFilter(RequestIdFilter())
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)
        logger.propagate = False
    app.before_request(start)
    app.after_request(finish)


def start() -> None:
    g.request_started = time.perf_counter()
    g.request_id = request_id(request, current_app.config)


def finish(response):
    log(request, response, g.request_id, g.request_started, current_app.config, user_id=loaded_user_id())
    return response


def request_id(request_, config) -> str:
    """The trusted proxy's id for this request, else a new one."""
    offered = request_.headers.get("X-Request-ID", "")
    trusted = int(config["TRUSTED_PROXIES"]) > 0 and TRUSTED_ID.fullmatch(offered)
    return offered if trusted else uuid.uuid4().hex


def log(request_, response, id_: str, started: float, config, *, user_id: int | None) -> None:
    """The response's X-Request-ID, and the request's log line unless REQUEST_LOG is off."""
    response.headers["X-Request-ID"] = id_
    if config["REQUEST_LOG"]:
        fields = {"method": request_.method, "path": request_.path, "status": response.status_code,
                  "ms": round((time.perf_counter() - started) * 1000, 1), "ip": request_.remote_addr,
                  "user_id": user_id}
        logging.getLogger(LOGGER).info("request", extra={"fields": fields, "request_id": id_})


def loaded_user_id() -> int | None:
    """The id of the member the request loaded (None if it loaded none), from the identity map's key: a commit
    expires the member's attributes, and reading `.id` after a write would load the member again."""
    state = inspect(g.get("_login_user"), raiseerr=False)
    return state.identity[0] if state is not None and state.identity else None
