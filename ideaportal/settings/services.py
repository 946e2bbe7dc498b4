"""Admin settings use cases: roles and deactivation, statuses, categories.

Each is one unit of work (`@use_case`) with its audit entry: it commits once, or rolls back when it
raises, leaving nothing behind, not even the admins' row locks.
"""
from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import IntegrityError

from .. import audit, rules
from ..auth.sessions import end_all as end_all_sessions
from ..errors import Conflict, Invalid, NotFound
from ..extensions import db
from ..models import Category, Status, User
from ..transaction import use_case
from . import queries

CONCURRENT_CHANGE = "Someone else changed this account just now. Please reload the page and try again."
LABEL_MAX, NAME_MAX = 60, 80  # the columns' lengths


# Users ---------------------------------------------------------------------------------------

@use_case
def change_role(*, user_id: int, role: str, actor_id: int | None) -> User:
    """Give a user the role member, pm or admin; `actor_id` None is the command line.

    Raises NotFound, Invalid (unknown role), PermissionDenied (an admin stepping down themselves),
    Conflict (the last active admin, or a concurrent change).
    """
    _lock_active_admins()
    user = _user(user_id)
    old_role = user.role
    rules.check_role_change(actor_id=actor_id, user_id=user_id, old_role=old_role, new_role=role)
    if old_role == role:
        return user
    changed = db.session.execute(
        update(User).where(User.id == user_id, User.role == old_role).values(role=role)
        .returning(User.id).execution_options(synchronize_session=False)
    ).one_or_none()
    if changed is None:
        raise Conflict(CONCURRENT_CHANGE)
    if old_role == "admin":
        _check_admins_remain()
    audit.record(actor_id=actor_id, action="user.role", target_type="user", target_id=user_id,
                 before={"role": old_role}, after={"role": role})
    return user  # expired by the commit: its attributes load afresh


@use_case
def deactivate_user(*, user_id: int, actor_id: int | None) -> bool:
    """End a user's access (their sessions end at their next request); their content stays.

    Returns False when already deactivated. Raises NotFound, PermissionDenied (oneself), Conflict (last admin).
    """
    rules.check_deactivation(actor_id=actor_id, user_id=user_id)
    _lock_active_admins()
    return _set_active(user_id=user_id, actor_id=actor_id, active=False)


@use_case
def reactivate_user(*, user_id: int, actor_id: int | None) -> bool:
    """Let a deactivated user log in again. Returns False when already active. Raises NotFound."""
    return _set_active(user_id=user_id, actor_id=actor_id, active=True)


def _set_active(*, user_id: int, actor_id: int | None, active: bool) -> bool:
    changed = db.session.execute(
        update(User).where(User.id == user_id, User.is_active.is_not(active)).values(is_active=active)
        .returning(User.role).execution_options(synchronize_session=False)
    ).one_or_none()
    if changed is None:
        _user(user_id)  # NotFound, else it was already so
        return False
    if not active:
        end_all_sessions(user_id=user_id, reason="deactivated")  # reactivating must not revive old cookies
        if changed.role == "admin":
            _check_admins_remain()
    audit.record(actor_id=actor_id, action="user.reactivate" if active else "user.deactivate", target_type="user",
                 target_id=user_id, before={"is_active": not active}, after={"is_active": active})
    return True


def _user(user_id: int) -> User:
    user = db.session.get(User, user_id, populate_existing=True)
    if user is None:
        raise NotFound("There is no user with that number.")
    return user


def _lock_active_admins() -> None:
    """Serialise changes that could remove an admin: PostgreSQL locks the admins' rows; SQLite's
    single writer does the same once the change is written, before `_check_admins_remain` reads."""
    db.session.execute(
        select(User.id).where(User.role == "admin", User.is_active.is_(True)).order_by(User.id).with_for_update()
    ).all()


def _check_admins_remain() -> None:
    rules.check_admins_remain(db.session.scalar(
        select(func.count()).select_from(User).where(User.role == "admin", User.is_active.is_(True))
    ))


# Statuses ------------------------------------------------------------------------------------

@use_case
def create_status(*, actor_id: int, slug: str, label: str, kind: str, colour: str,
                  requires_response: bool) -> Status:
    """Add a status at the end of the list. Raises Invalid (slug, label, kind, colour), Conflict (slug taken)."""
    slug = rules.check_status_slug(slug.strip())
    if kind not in rules.STATUS_KINDS:
        raise Invalid(f"Choose one of: {', '.join(rules.STATUS_KINDS)}.", field="kind")
    values = {"slug": slug, "label": _required(label, "label", LABEL_MAX), "kind": kind,
              "colour": rules.check_badge_colour(colour), "requires_response": bool(requires_response)}
    return _create(Status, values, actor_id=actor_id, target_type="status")


@use_case
def update_status(*, status_id: int, actor_id: int, label: str, colour: str, requires_response: bool) -> Status:
    """Change a status's label, colour and whether moving an idea to it needs a public response.

    Its slug and kind stay: pages, filters and reports refer to them. Raises NotFound, Invalid.
    """
    status = queries.get_status(status_id)
    values = {"label": _required(label, "label", LABEL_MAX), "colour": rules.check_badge_colour(colour),
              "requires_response": bool(requires_response)}
    _update(status, values, actor_id=actor_id, action="status.update", target_type="status")
    return status


@use_case
def move_status(*, status_id: int, actor_id: int, direction: str) -> bool:
    """Swap a status with the one above or below it. Returns False at either end. Raises NotFound, Invalid."""
    return _move(Status, status_id, direction, actor_id=actor_id, target_type="status")


@use_case
def delete_status(*, status_id: int, actor_id: int) -> None:
    """Delete a status no idea has or had. Raises NotFound, PermissionDenied (built in), Conflict (in use)."""
    status = queries.get_status(status_id)
    rules.check_status_deletable(slug=status.slug, in_use=queries.status_in_use(status_id))
    before = {"slug": status.slug, "label": status.label, "kind": status.kind, "colour": status.colour,
              "requires_response": status.requires_response, "position": status.position}
    _delete(Status, status_id, before, actor_id=actor_id, target_type="status",
            in_use="An idea was given this status just now, so it cannot be deleted.")


# Categories ----------------------------------------------------------------------------------

@use_case
def create_category(*, actor_id: int, slug: str, name: str, description: str) -> Category:
    """Add a category at the end of the list. Raises Invalid (slug, name), Conflict (slug taken)."""
    slug = rules.check_category_slug(slug.strip())
    values = {"slug": slug, "name": _required(name, "name", NAME_MAX), "description": description.strip()}
    return _create(Category, values, actor_id=actor_id, target_type="category")


@use_case
def update_category(*, category_id: int, actor_id: int, name: str, description: str) -> Category:
    """Change a category's name and description; its slug stays (links use it). Raises NotFound, Invalid."""
    category = queries.get_category(category_id)
    values = {"name": _required(name, "name", NAME_MAX), "description": description.strip()}
    _update(category, values, actor_id=actor_id, action="category.update", target_type="category")
    return category


@use_case
def move_category(*, category_id: int, actor_id: int, direction: str) -> bool:
    """Swap a category with the one above or below it. Returns False at either end. Raises NotFound, Invalid."""
    return _move(Category, category_id, direction, actor_id=actor_id, target_type="category")


@use_case
def delete_category(*, category_id: int, actor_id: int) -> None:
    """Delete a category no idea uses. Raises NotFound, Conflict (in use)."""
    category = queries.get_category(category_id)
    if queries.category_in_use(category_id):
        raise Conflict("Ideas use this category, so it cannot be deleted. Move them to another category first.")
    before = {"slug": category.slug, "name": category.name, "description": category.description,
              "position": category.position}
    _delete(Category, category_id, before, actor_id=actor_id, target_type="category",
            in_use="An idea was filed under this category just now, so it cannot be deleted.")


# Shared steps --------------------------------------------------------------------------------

def _required(text: str, field: str, max_length: int) -> str:
    text = text.strip()
    if not text:
        raise Invalid("This can't be empty.", field=field)
    if len(text) > max_length:
        raise Invalid(f"Use at most {max_length} characters.", field=field)
    return text


def _create(model, values: dict, *, actor_id: int, target_type: str):
    """Add a row at the end of its list, recording it; a slug in use, or taken in a race, is Conflict."""
    taken = f"A {target_type} already has that slug."
    if db.session.scalar(select(model.id).where(model.slug == values["slug"])) is not None:
        raise Conflict(taken, field="slug")
    position = db.session.scalar(select(func.coalesce(func.max(model.position) + 1, 0)))
    row = model(**values, position=position)
    db.session.add(row)
    try:
        db.session.flush()
    except IntegrityError:
        raise Conflict(taken, field="slug") from None
    audit.record(actor_id=actor_id, action=f"{target_type}.create", target_type=target_type, target_id=row.id,
                 after={**values, "position": position})
    return row


def _update(row, values: dict, *, actor_id: int, action: str, target_type: str) -> None:
    """Set the changed values, recording them; nothing is recorded when nothing changed."""
    before = {key: getattr(row, key) for key, value in values.items() if getattr(row, key) != value}
    if not before:
        return
    for key in before:
        setattr(row, key, values[key])
    audit.record(actor_id=actor_id, action=action, target_type=target_type, target_id=row.id,
                 before=before, after={key: values[key] for key in before})


def _move(model, item_id: int, direction: str, *, actor_id: int, target_type: str) -> bool:
    """Swap an item with its neighbour, numbering the whole list 0..n-1 so that ties cannot stick."""
    rows = db.session.execute(
        select(model.id, model.position).order_by(model.position, model.id).with_for_update()
    ).all()
    ids = [row.id for row in rows]
    if item_id not in ids:
        raise NotFound(f"There is no {target_type} with that number.")
    order = rules.swap_with_neighbour(ids, item_id, direction)
    if order == ids:
        return False
    old = {row.id: row.position for row in rows}
    for position, row_id in enumerate(order):
        if old[row_id] != position:
            db.session.execute(
                update(model).where(model.id == row_id).values(position=position)
                .execution_options(synchronize_session=False)
            )
    audit.record(actor_id=actor_id, action=f"{target_type}.move", target_type=target_type, target_id=item_id,
                 before={"position": old[item_id]}, after={"position": order.index(item_id)})
    return True


def _delete(model, item_id: int, before: dict, *, actor_id: int, target_type: str, in_use: str) -> None:
    try:
        db.session.execute(delete(model).where(model.id == item_id).execution_options(synchronize_session=False))
    except IntegrityError:  # a reference arrived after the check
        raise Conflict(in_use) from None
    audit.record(actor_id=actor_id, action=f"{target_type}.delete", target_type=target_type, target_id=item_id,
                 before=before)
