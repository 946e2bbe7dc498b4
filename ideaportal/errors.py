"""Domain errors raised by services and rules, and their mapping to HTTP responses."""
from flask import Flask, current_app, jsonify, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, SecurityError

from .web import wants_json


class DomainError(Exception):
    """A use case refused; `field` names the form field at fault, if any."""

    status = 400
    code = "invalid"

    def __init__(self, message: str, *, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


class Invalid(DomainError):
    status, code = 400, "invalid"


class PermissionDenied(DomainError):
    status, code = 403, "forbidden"


class NotFound(DomainError):
    status, code = 404, "not_found"


class Conflict(DomainError):
    status, code = 409, "conflict"


TITLES = {
    400: "That request didn't work",
    401: "Please log in",
    403: "You can't do that",
    404: "We couldn't find that page",
    405: "That action isn't available here",
    409: "That conflicts with something else",
    413: "That was too much to send",
    429: "Slow down a little",
    500: "Something went wrong on our side",
}


def error_response(status: int, code: str, message: str):
    if wants_json():
        return jsonify(error={"code": code, "message": message}), status
    title = TITLES.get(status, "That request didn't work")
    if isinstance(request.routing_exception, SecurityError):  # a Host outside TRUSTED_HOSTS: no link can be built
        return current_app.response_class(f"{title}. {message}\n", status=status, mimetype="text/plain")
    if status >= 500:
        # The database may be what failed: this page reads nothing, not even through the context
        # processors (Flask-Login's would load the signed-in member), so it renders whatever broke.
        page = current_app.jinja_env.get_template("errors/server.html")
        return page.render(status=status, title=title, message=message), status
    return render_template("errors/generic.html", status=status, title=title, message=message), status


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(DomainError)
    def domain_error(error: DomainError):
        return error_response(error.status, error.code, error.message)

    @app.errorhandler(CSRFError)
    def csrf_error(error: CSRFError):
        message = "This form had expired or came from another site. Please go back, reload the page and try again."
        return error_response(400, "csrf", message)

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        code = (error.name or "error").lower().replace(" ", "_")
        return error_response(error.code or 500, code, error.description or "")

    @app.errorhandler(500)
    def server_error(error):
        return error_response(500, "server_error", "We have been told about it. Please try again in a moment.")
