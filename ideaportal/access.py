"""Who may reach a page: staff-only and admin-only blueprints, checked on the server for every route."""
from flask import Blueprint
from flask_login import current_user

from .errors import PermissionDenied
from .extensions import login_manager

STAFF = ("pm", "admin")
ADMIN = ("admin",)


def require_role(roles: tuple[str, ...]):
    """Visitors are sent to log in (401 for JSON clients); members and other roles get 403."""
    if not current_user.is_authenticated:
        return login_manager.unauthorized()
    if current_user.role not in roles:
        raise PermissionDenied("This page is for the product team.")
    return None


def restrict(bp: Blueprint, roles: tuple[str, ...]) -> Blueprint:
    """Guard every route of `bp` (registered before any of its views run)."""
    bp.before_request(lambda: require_role(roles))
    return bp


def staff_only(bp: Blueprint) -> Blueprint:
    return restrict(bp, STAFF)


def admin_only(bp: Blueprint) -> Blueprint:
    return restrict(bp, ADMIN)
