"""Small request helpers shared by views: content negotiation and safe redirects."""
from urllib.parse import urlsplit

from flask import redirect, request, url_for


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
