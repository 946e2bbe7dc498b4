"""Small request helpers shared by views: content negotiation, safe redirects, and request guards."""
from urllib.parse import urlsplit

from flask import Flask, abort, redirect, request, url_for
from werkzeug.routing import IntegerConverter
from werkzeug.wrappers import Request

MAX_ID = 2**31 - 1  # ids and counters are 32-bit integers on PostgreSQL


def wants_json(request_: Request | None = None) -> bool:
    """True when the client (of this request, or of `request_`) prefers JSON to HTML (our own fetch() calls say so)."""
    accept = (request_ or request).accept_mimetypes
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


def int_arg(name: str, *, form: bool = False, message: str = "That link is broken: a number in it is not valid.",
            maximum: int = MAX_ID) -> int | None:
    """A whole number from the query (or the form) for the database: None when absent or blank, else 0 to
    `maximum`. Anything else (a sign, "²", 2**31) raises Invalid with `message`: one rule for every parameter."""
    from .errors import Invalid

    value = (request.form if form else request.args).get(name, "").strip()
    if not value:
        return None
    if not (value.isascii() and value.isdigit()) or int(value) > maximum:
        raise Invalid(message, field=name)
    return int(value)


class IdConverter(IntegerConverter):
    """`<int:...>` in our routes: a database id, so a number beyond MAX_ID is a 404, never an overflow;
    only ASCII digits ("\\d" would take "٣" for 3)."""

    regex = r"[0-9]+"

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


def refuse_fields_that_are_not_text() -> None:
    """A JSON body to a form must be an object of text fields (or lists of text, for multiple choices):
    a number, true, null or an object where a form expects text is a 400 that says which field, in one
    place for every form, rather than a crash inside whichever validator meets it first."""
    if request.method not in ("POST", "PUT", "PATCH") or not request.is_json:
        return
    try:
        body = request.get_json(silent=True)
    except RecursionError:  # nested deeper than any form
        body = None
    if not isinstance(body, dict):
        abort(400, "Send the form's fields as a JSON object, such as {\"body\": \"Your comment\"}.")
    for name, value in body.items():
        texts = value if isinstance(value, list) else [value]
        if not all(isinstance(text, str) for text in texts):
            abort(400, f"The field {name[:40]!r} must be text (a JSON string), not {_json_kind(value)}.")
        if any("\x00" in text for text in [name, *texts]):
            abort(400, "The request contained a NUL character, which no page or form here accepts.")
        if not all(_is_unicode_text(text) for text in [name, *texts]):  # a lone surrogate, from "\ud800"
            abort(400, f"The field {name[:40]!r} is not valid text: it has half of a character pair.")


def refuse_files() -> None:
    """No form here takes a file: a file part where a form expects text is a 400, not a crash in a validator."""
    if request.method == "POST" and request.mimetype == "multipart/form-data" and request.files:
        abort(400, "No form here takes a file. Please type the text instead.")


def _is_unicode_text(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _json_kind(value) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true or false"
    if isinstance(value, (int, float)):
        return "a number"
    return "a list" if isinstance(value, list) else "an object"


def register_request_guards(app: Flask) -> None:
    """Before any blueprint is registered, since routes take their converters when they are added."""
    app.url_map.converters["int"] = IdConverter
    app.before_request(refuse_nul_characters)
    app.before_request(refuse_fields_that_are_not_text)
    app.before_request(refuse_files)
