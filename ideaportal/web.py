"""Small request helpers shared by views: content negotiation, safe redirects, and request guards."""
from urllib.parse import urlsplit

from flask import Flask, abort, redirect, request, url_for
from werkzeug.routing import IntegerConverter

MAX_ID = 2**31 - 1  # ids and counters are 32-bit integers on PostgreSQL


def wants_json() -> bool:
    """True when the client prefers JSON to HTML (our own fetch() calls say so)."""
    accept = request.accept_mimetypes
    return accept["application/json"] > accept["text/html"]


def safe_next(target: str | None) -> str | None:
    """`target` if it is a path on this site, else None: `next` must never leave the site."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return None
    if any(ord(char) < 32 for char in target):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return None
    return target


def redirect_back(default_endpoint: str, **values):
    """Redirect to the form's or query's `next` when it is safe, else to `default_endpoint`."""
    target = safe_next(request.form.get("next")) or safe_next(request.args.get("next"))
    return redirect(target or url_for(default_endpoint, **values))


def form_error(form, error) -> None:
    """Show a service's refusal (a DomainError) next to the field it names, or above the form."""
    field = getattr(form, error.field, None) if error.field else None
    if field is not None and hasattr(field, "errors"):
        field.errors = [*field.errors, error.message]
    else:
        form.form_errors.append(error.message)


class IdConverter(IntegerConverter):
    """`<int:...>` in our routes: a database id, so a number beyond MAX_ID is a 404, never an overflow."""

    def __init__(self, map, *args, **kwargs):
        kwargs.setdefault("max", MAX_ID)
        super().__init__(map, *args, **kwargs)


def refuse_nul_characters() -> None:
    """A NUL character in the address, the query or a form is a 400: no database stores one, and no person types one."""
    texts = [request.path, *request.args.keys(), *request.args.values()]
    if request.method == "POST" and request.mimetype in ("application/x-www-form-urlencoded", "multipart/form-data"):
        texts += [*request.form.keys(), *request.form.values()]
    if any("\x00" in text for text in texts):
        abort(400, "The request contained a NUL character, which no page or form here accepts.")


def register_request_guards(app: Flask) -> None:
    """Before any blueprint is registered, since routes take their converters when they are added."""
    app.url_map.converters["int"] = IdConverter
    app.before_request(refuse_nul_characters)
