"""Rate limits: per client address for forms visitors use, per member for writes.

The counters live in Redis when REDIS_URL is set (shared by every worker and host), else in
memory (one process). The client address is the TCP peer, or, behind TRUSTED_PROXIES reverse
proxies, the address they forwarded (Werkzeug's ProxyFix, applied in create_app): a header a
client set itself is never believed.
"""
from flask import current_app
from flask_limiter.util import get_remote_address
from flask_login import current_user

from .extensions import limiter


def limits_off() -> bool:
    # Read per app: the limiter object is shared by every app in the process.
    return not current_app.config["RATELIMIT_ENABLED"]


def member_or_address() -> str:
    """The signed-in member, wherever they write from; a visitor by their address."""
    if current_user.is_authenticated:
        return f"member:{current_user.id}"
    return f"address:{get_remote_address()}"


def per_address(setting: str, methods=("POST",)):
    """Limit a view by client address, with the limit named by the config key `setting`."""
    return limiter.limit(lambda: current_app.config[setting], methods=list(methods) if methods else None,
                         exempt_when=limits_off)


def per_member(setting: str, methods=("POST",)):
    """Limit a write per member (per address for visitors), with the limit named by the config key `setting`."""
    return limiter.limit(lambda: current_app.config[setting], key_func=member_or_address,
                         methods=list(methods) if methods else None, exempt_when=limits_off,
                         scope=lambda endpoint: setting)
