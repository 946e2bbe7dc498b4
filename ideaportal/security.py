"""Password hashing (argon2id) and the security headers sent with every response."""
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import Flask, current_app, g, session

CONTENT_SECURITY_POLICY = "; ".join([
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
])


def _hasher() -> PasswordHasher:
    config = current_app.config
    return PasswordHasher(
        time_cost=config["ARGON2_TIME_COST"],
        memory_cost=config["ARGON2_MEMORY_COST"],
        parallelism=config["ARGON2_PARALLELISM"],
    )


def hash_password(password: str) -> str:
    return _hasher().hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher().verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return _hasher().check_needs_rehash(password_hash)


def register_security_headers(app: Flask) -> None:
    @app.after_request
    def set_headers(response):
        add_public_headers(response, current_app.config)
        personal = (session.get("_user_id") or session.modified
                    or current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token") in g)
        if personal and "Cache-Control" not in response.headers:
            # A signed-in member's page, or one holding a CSRF token or a message, is theirs alone: no
            # shared or kept copies. A response that chose its own caching (the public badge stylesheet,
            # static files) keeps it.
            response.headers["Cache-Control"] = "private, no-store"
            response.vary.add("Cookie")
        return response


def add_public_headers(response, config) -> None:
    """The headers every response carries, unless it set its own."""
    for name, value in public_headers(config):
        response.headers.setdefault(name, value)


def public_headers(config) -> list[tuple[str, str]]:
    headers = [("Content-Security-Policy", CONTENT_SECURITY_POLICY), ("X-Content-Type-Options", "nosniff"),
               ("X-Frame-Options", "DENY"), ("Referrer-Policy", "same-origin"),
               ("Cross-Origin-Opener-Policy", "same-origin")]
    if config["HSTS_SECONDS"]:
        headers.append(("Strict-Transport-Security", f"max-age={config['HSTS_SECONDS']}; includeSubDomains"))
    return headers
