"""Jinja filters and globals: dates people read, idea links, the current page."""
from datetime import datetime, timezone

from flask import Flask, request, url_for

from .rules import slugify


def time_ago(moment: datetime, now: datetime | None = None) -> str:
    now = now or datetime.now(timezone.utc)
    seconds = max(int((now - moment).total_seconds()), 0)
    for unit, size in (("year", 31_536_000), ("month", 2_592_000), ("week", 604_800), ("day", 86_400),
                       ("hour", 3_600), ("minute", 60)):
        if seconds >= size:
            count = seconds // size
            return f"{count} {unit}{'s' if count != 1 else ''} ago"
    return "just now"


def register(app: Flask) -> None:
    app.jinja_env.filters["time_ago"] = time_ago
    app.jinja_env.filters["compact"] = lambda attributes: {k: v for k, v in attributes.items() if v is not None}
    app.jinja_env.filters["iso"] = lambda moment: moment.isoformat(timespec="seconds")
    app.jinja_env.filters["day"] = lambda moment: f"{moment:%-d %B %Y}"
    app.jinja_env.globals["idea_url"] = lambda idea_id, title: url_for(
        "ideas.detail", idea_id=idea_id, slug=slugify(title)
    )

    app.jinja_env.globals["here"] = lambda: request.full_path.rstrip("?")
