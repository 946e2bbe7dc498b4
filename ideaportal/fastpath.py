"""A visitor's kept page, answered before Flask handles the request.

Answering a kept page through Flask (pages.shared) costs about ten times the page's two cache reads: a request
context, the session and Flask-Login's look at it, the request guards, and the hooks after the view. Yet
whether a request gets a kept page depends on little: it is a GET with no body; it carries none of the app's
cookies, so it has no member (the session or the remembered login), no message waiting (a flash lives in the
session) and no read-your-writes (replica/routing.py); it does not ask for JSON; it routes to a page in
pages.PAGES (its host checked against TRUSTED_HOSTS, as Flask checks it); and a page is kept, fresh, under the
current generation and this request's key. Flask gives every such request the bytes a shared rendering
stored (pages.freeze), so this middleware answers it at once, adding what Flask's hooks add to a kept page:
the security headers, `Vary: Cookie`, the request id and its log line, and a 304 for a matching
If-None-Match. Anything else, a missing or expired page, and any failure here go to Flask, which renders,
waits for another request's rendering, or reports the error as it always does. Only requests for a page that
may be kept read the cache here: /healthz, static files and 404s go straight to Flask.

Installed inside ProxyFix (create_app wraps that last), so the client's address, scheme and host are the ones
Flask sees. Pages rendered from a lagging replica are thrown away here as in Flask (settle_kept_pages).
"""
import time

from flask import Flask
from werkzeug.exceptions import HTTPException
from werkzeug.routing import RoutingException

from . import cache, pages, requestlog, security
from .replica import routing
from .web import wants_json

REMEMBER_COOKIE = "remember_token"  # Flask-Login's default name, unless REMEMBER_COOKIE_NAME is set


class KeptPageFastPath:
    def __init__(self, app: Flask, wsgi_app):
        self.app = app
        self.wsgi_app = wsgi_app

    def __call__(self, environ, start_response):
        started = time.perf_counter()
        response = None
        if environ["REQUEST_METHOD"] == "GET" and not has_body(environ):
            try:
                response = self.kept_response(environ, started)
            except Exception:  # a cache that cannot be read: Flask meets it too, and answers as it always does
                self.app.logger.exception("a kept page could not be read before Flask; Flask answers instead")
                response = None
        if response is None:
            return self.wsgi_app(environ, start_response)
        return response(environ, start_response)

    def kept_response(self, environ, started: float):
        config = self.app.config
        if int(config["PAGE_CACHE_SECONDS"]) <= 0:
            return None
        request = self.app.request_class(environ)
        cookies = (config["SESSION_COOKIE_NAME"], config.get("REMEMBER_COOKIE_NAME", REMEMBER_COOKIE),
                   routing.READ_PRIMARY)
        if any(name in request.cookies for name in cookies) or wants_json(request) or not kept_route(self.app, request):
            return None
        with self.app.app_context():
            if routing.configured():
                routing.settle_kept_pages()
            page = cache.fresh(pages.page_key(request_=request))
        if not isinstance(page, pages.Page):
            return None
        # A kept page holds none of the public headers, and Flask's session adds Vary: Cookie to it (the page
        # differs for whoever has a cookie).
        headers = [*page.headers, ("Vary", "Cookie"), *security.public_headers(config)]
        response = self.app.response_class(page.body, status=page.status, headers=headers)
        response.make_conditional(request)
        requestlog.log(request, response, requestlog.request_id(request, config), started, config, user_id=None)
        return response


def kept_route(app: Flask, request) -> bool:
    """Whether the request routes to a page that may be kept, as Flask would route it (its host checked against
    TRUSTED_HOSTS). Nothing else reads the cache here: not /healthz, which must answer while the cache cannot,
    not a static file, not a 404."""
    try:
        endpoint, _ = app.create_url_adapter(request).match()
    except (HTTPException, RoutingException):  # a 404, a 405, a redirect to the canonical address: Flask answers
        return False
    return endpoint in pages.PAGES


def has_body(environ) -> bool:
    return environ.get("CONTENT_LENGTH", "") not in ("", "0") or "HTTP_TRANSFER_ENCODING" in environ


def init_app(app: Flask) -> None:
    """After pages.init_app; before ProxyFix wraps the app (trust_proxies), so that it runs inside it."""
    app.wsgi_app = KeptPageFastPath(app, app.wsgi_app)
