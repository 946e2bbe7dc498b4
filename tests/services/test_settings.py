"""Admin settings use cases on both databases: roles and deactivation, statuses, categories, audit rows."""
import threading

import pytest
from sqlalchemy import func, select, update

from ideaportal.errors import Conflict, Invalid, NotFound, PermissionDenied
from ideaportal.extensions import db
from ideaportal.ideas import queries as idea_queries
from ideaportal.models import AuditEntry, Category, Idea, Status, StatusChange, User
from ideaportal.settings import queries, services
from tests import factories
from tests.conftest import clean_tables


def audit_rows(action_prefix: str = "") -> list[AuditEntry]:
    return list(db.session.scalars(
        select(AuditEntry).where(AuditEntry.action.startswith(action_prefix)).order_by(AuditEntry.id)
    ))


def fresh(model, row_id):
    db.session.expire_all()
    return db.session.get(model, row_id)


def status_order() -> list[str]:
    return [row.status.slug for row in queries.statuses()]


def add_status(admin, slug="shipped", **values) -> Status:
    values = {"label": slug.replace("_", " ").capitalize(), "kind": "completed", "colour": "#1b7a3a",
              "requires_response": False, **values}
    return services.create_status(actor_id=admin.id, slug=slug, **values)


# Roles ---------------------------------------------------------------------------------------

def test_an_admin_changes_a_role_and_the_audit_log_records_before_and_after(app):
    admin, member = factories.user(role="admin"), factories.user()
    assert services.change_role(user_id=member.id, role="pm", actor_id=admin.id).role == "pm"
    assert fresh(User, member.id).role == "pm"
    [entry] = audit_rows("user.")
    assert (entry.action, entry.actor_id, entry.target_type, entry.target_id) == (
        "user.role", admin.id, "user", member.id)
    assert (entry.before, entry.after) == ({"role": "member"}, {"role": "pm"})


def test_setting_the_same_role_again_changes_and_records_nothing(app):
    admin, pm = factories.user(role="admin"), factories.user(role="pm")
    services.change_role(user_id=pm.id, role="pm", actor_id=admin.id)
    assert audit_rows() == []


def test_an_admin_cannot_demote_themselves(app):
    admin, _other_admin = factories.user(role="admin"), factories.user(role="admin")
    with pytest.raises(PermissionDenied, match="your own admin role"):
        services.change_role(user_id=admin.id, role="member", actor_id=admin.id)
    assert fresh(User, admin.id).role == "admin" and audit_rows() == []


def test_the_last_active_admin_keeps_the_role_even_from_the_command_line(app):
    admin = factories.user(role="admin")
    deactivated_admin = factories.user(role="admin")
    services.deactivate_user(user_id=deactivated_admin.id, actor_id=admin.id)
    with pytest.raises(Conflict, match="last active admin"):
        services.change_role(user_id=admin.id, role="pm", actor_id=None)
    assert fresh(User, admin.id).role == "admin"
    assert [entry.action for entry in audit_rows()] == ["user.deactivate"]


def test_with_two_admins_one_may_demote_the_other_and_then_is_the_last(app):
    first, second = factories.user(role="admin"), factories.user(role="admin")
    services.change_role(user_id=second.id, role="member", actor_id=first.id)
    with pytest.raises(Conflict):
        services.change_role(user_id=first.id, role="member", actor_id=None)
    assert fresh(User, first.id).role == "admin"


def test_two_admins_demoting_each_other_at_once_leave_one_admin(app):
    first, second = factories.user(role="admin"), factories.user(role="admin")
    start, outcomes = threading.Barrier(2), []

    def demote(user_id, actor_id):
        with app.app_context():
            start.wait()
            try:
                services.change_role(user_id=user_id, role="member", actor_id=actor_id)
                outcomes.append("demoted")
            except Conflict:
                outcomes.append("refused")
            finally:
                db.session.remove()

    threads = [threading.Thread(target=demote, args=pair) for pair in ((first.id, second.id), (second.id, first.id))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(outcomes) == ["demoted", "refused"]
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).where(User.role == "admin", User.is_active.is_(True))) == 1


def test_unknown_roles_and_users_are_refused(app):
    admin, member = factories.user(role="admin"), factories.user()
    with pytest.raises(Invalid):
        services.change_role(user_id=member.id, role="owner", actor_id=admin.id)
    with pytest.raises(NotFound):
        services.change_role(user_id=999_999, role="pm", actor_id=admin.id)
    with pytest.raises(NotFound):
        queries.user_id_for_email("nobody@example.com")


# Deactivation --------------------------------------------------------------------------------

def test_deactivating_keeps_the_users_content_and_is_recorded_once(app):
    admin = factories.user(role="admin")
    idea = factories.idea(title="Kept after its author left")
    assert services.deactivate_user(user_id=idea.author_id, actor_id=admin.id) is True
    assert services.deactivate_user(user_id=idea.author_id, actor_id=admin.id) is False  # already
    assert fresh(User, idea.author_id).is_active is False
    assert idea.id in [card.id for card in idea_queries.list_ideas(idea_queries.ListFilter()).cards]
    [entry] = audit_rows()
    assert (entry.action, entry.before, entry.after) == ("user.deactivate", {"is_active": True}, {"is_active": False})


def test_reactivating_lets_the_user_back_and_is_recorded(app):
    admin, member = factories.user(role="admin"), factories.user()
    services.deactivate_user(user_id=member.id, actor_id=admin.id)
    assert services.reactivate_user(user_id=member.id, actor_id=admin.id) is True
    assert services.reactivate_user(user_id=member.id, actor_id=admin.id) is False
    assert fresh(User, member.id).is_active is True
    assert [(e.action, e.after) for e in audit_rows()] == [
        ("user.deactivate", {"is_active": False}), ("user.reactivate", {"is_active": True}),
    ]
    with pytest.raises(NotFound):
        services.reactivate_user(user_id=999_999, actor_id=admin.id)


def test_nobody_deactivates_themselves_nor_the_last_active_admin(app):
    admin, other_admin = factories.user(role="admin"), factories.user(role="admin")
    with pytest.raises(PermissionDenied, match="your own account"):
        services.deactivate_user(user_id=admin.id, actor_id=admin.id)
    services.change_role(user_id=other_admin.id, role="pm", actor_id=admin.id)
    with pytest.raises(Conflict, match="last active admin"):
        services.deactivate_user(user_id=admin.id, actor_id=other_admin.id)
    assert fresh(User, admin.id).is_active is True
    assert [entry.action for entry in audit_rows()] == ["user.role"]


# Statuses ------------------------------------------------------------------------------------

def test_a_new_status_goes_at_the_end_and_is_recorded(app):
    admin = factories.user(role="admin")
    status = add_status(admin, "shipped", label="Shipped", colour="#1B7A3A", requires_response=True)
    assert status_order()[-1] == "shipped"
    row = fresh(Status, status.id)
    assert (row.label, row.kind, row.colour, row.requires_response) == ("Shipped", "completed", "#1b7a3a", True)
    [entry] = audit_rows()
    assert entry.action == "status.create" and entry.before is None
    assert entry.after == {"slug": "shipped", "label": "Shipped", "kind": "completed", "colour": "#1b7a3a",
                           "requires_response": True, "position": row.position}


def test_a_status_colour_that_white_text_cannot_be_read_on_is_refused(app):
    admin = factories.user(role="admin")
    count = db.session.scalar(select(func.count(Status.id)))
    with pytest.raises(Invalid, match="contrast ratio") as refused:
        add_status(admin, "sunny", colour="#ffd700")
    assert refused.value.field == "colour"
    assert db.session.scalar(select(func.count(Status.id))) == count and audit_rows() == []
    new = db.session.scalar(select(Status).where(Status.slug == "new"))
    with pytest.raises(Invalid, match="contrast ratio"):
        services.update_status(status_id=new.id, actor_id=admin.id, label="New", colour="#eeeeee",
                               requires_response=False)
    assert fresh(Status, new.id).colour == "#52606d"


@pytest.mark.parametrize("slug, values, field", [
    ("under_review", {}, "slug"),  # taken
    ("Bad Slug", {}, "slug"),
    ("open", {}, "slug"),  # reserved for the kind's badge style
    ("fine_slug", {"kind": "finished"}, "kind"),
    ("fine_slug", {"label": "   "}, "label"),
    ("fine_slug", {"label": "x" * 61}, "label"),
])
def test_bad_new_statuses_are_refused_with_the_field_at_fault(app, slug, values, field):
    admin = factories.user(role="admin")
    with pytest.raises((Invalid, Conflict)) as refused:
        add_status(admin, slug, **values)
    assert refused.value.field == field
    assert "fine_slug" not in status_order()


def test_editing_a_status_records_only_what_changed_and_keeps_slug_and_kind(app):
    admin = factories.user(role="admin")
    planned = db.session.scalar(select(Status).where(Status.slug == "planned"))
    services.update_status(status_id=planned.id, actor_id=admin.id, label="On the roadmap", colour="#6b3fa0",
                           requires_response=True)
    row = fresh(Status, planned.id)
    assert (row.slug, row.kind, row.label, row.requires_response) == ("planned", "active", "On the roadmap", True)
    [entry] = audit_rows()
    assert entry.action == "status.update"
    assert entry.before == {"label": "Planned", "requires_response": False}
    assert entry.after == {"label": "On the roadmap", "requires_response": True}
    services.update_status(status_id=planned.id, actor_id=admin.id, label="On the roadmap", colour="#6b3fa0",
                           requires_response=True)
    assert len(audit_rows()) == 1  # nothing changed, nothing recorded


def test_moving_a_status_swaps_it_with_its_neighbour(app):
    admin = factories.user(role="admin")
    before = status_order()
    planned = db.session.scalar(select(Status.id).where(Status.slug == "planned"))
    assert services.move_status(status_id=planned, actor_id=admin.id, direction="up") is True
    expected = list(before)
    index = before.index("planned")
    expected[index - 1], expected[index] = expected[index], expected[index - 1]
    assert status_order() == expected
    assert services.move_status(status_id=planned, actor_id=admin.id, direction="down") is True
    assert status_order() == before
    moves = audit_rows("status.move")
    assert [(entry.before, entry.after) for entry in moves] == [
        ({"position": index}, {"position": index - 1}), ({"position": index - 1}, {"position": index}),
    ]


def test_moving_past_either_end_changes_nothing(app):
    admin = factories.user(role="admin")
    first = queries.statuses()[0].status.id
    last = queries.statuses()[-1].status.id
    assert services.move_status(status_id=first, actor_id=admin.id, direction="up") is False
    assert services.move_status(status_id=last, actor_id=admin.id, direction="down") is False
    assert audit_rows() == []
    with pytest.raises(NotFound):
        services.move_status(status_id=999_999, actor_id=admin.id, direction="up")


def test_moving_untangles_tied_positions(app):
    admin = factories.user(role="admin")
    db.session.execute(update(Status).values(position=0))  # every status tied
    db.session.commit()
    order = status_order()  # ties fall back to id order
    second = db.session.scalar(select(Status.id).where(Status.slug == order[1]))
    services.move_status(status_id=second, actor_id=admin.id, direction="up")
    assert status_order() == [order[1], order[0], *order[2:]]
    assert sorted(row.status.position for row in queries.statuses()) == list(range(len(order)))


def test_an_unused_status_can_be_deleted_and_the_row_is_recorded(app):
    admin = factories.user(role="admin")
    status_id = add_status(admin, "short_lived").id
    services.delete_status(status_id=status_id, actor_id=admin.id)
    assert fresh(Status, status_id) is None
    entry = audit_rows("status.delete")[0]
    assert entry.before["slug"] == "short_lived" and entry.after is None


def test_built_in_statuses_are_never_deleted(app):
    admin = factories.user(role="admin")
    for slug in ("new", "duplicate", "archived"):
        status_id = db.session.scalar(select(Status.id).where(Status.slug == slug))
        with pytest.raises(PermissionDenied, match="built in"):
            services.delete_status(status_id=status_id, actor_id=admin.id)
    assert db.session.scalar(select(func.count(Status.id))) == 10


def test_a_status_an_idea_has_or_had_cannot_be_deleted(app):
    admin = factories.user(role="admin")
    current, former = add_status(admin, "current_one"), add_status(admin, "former_one")
    idea = factories.idea()
    db.session.execute(update(Idea).where(Idea.id == idea.id).values(status_id=current.id))
    db.session.add(StatusChange(idea_id=idea.id, from_status_id=former.id, to_status_id=current.id,
                                changed_by_id=admin.id))
    db.session.commit()
    for status in (current, former):
        with pytest.raises(Conflict, match="Ideas use this status"):
            services.delete_status(status_id=status.id, actor_id=admin.id)
    assert fresh(Status, current.id) is not None and fresh(Status, former.id) is not None
    assert [row.ideas for row in queries.statuses() if row.status.id == current.id] == [1]
    assert not any(row.deletable for row in queries.statuses() if row.status.id in (current.id, former.id))


def test_cleaning_between_tests_restores_the_seeded_statuses(app):
    admin = factories.user(role="admin")
    seeded = [(row.status.slug, row.status.label, row.status.colour, row.status.requires_response)
              for row in queries.statuses()]
    add_status(admin, "extra")
    under_review = db.session.scalar(select(Status.id).where(Status.slug == "under_review"))
    services.update_status(status_id=under_review, actor_id=admin.id, label="Looking", colour="#000000",
                           requires_response=True)
    services.move_status(status_id=under_review, actor_id=admin.id, direction="down")
    planned = db.session.scalar(select(Status.id).where(Status.slug == "planned"))
    services.delete_status(status_id=planned, actor_id=admin.id)
    db.session.remove()
    clean_tables()
    assert [(row.status.slug, row.status.label, row.status.colour, row.status.requires_response)
            for row in queries.statuses()] == seeded
    assert [row.status.position for row in queries.statuses()] == list(range(10))


# Categories ----------------------------------------------------------------------------------

def test_categories_are_added_edited_moved_and_recorded(app):
    admin = factories.user(role="admin")
    first = services.create_category(actor_id=admin.id, slug="mobile-app", name="Mobile app", description="")
    second = services.create_category(actor_id=admin.id, slug="billing", name=" Billing ", description=" Invoices ")
    assert [row.category.slug for row in queries.categories()] == ["mobile-app", "billing"]
    services.update_category(category_id=second.id, actor_id=admin.id, name="Billing and invoices",
                             description="Invoices")
    assert services.move_category(category_id=second.id, actor_id=admin.id, direction="up") is True
    assert [row.category.slug for row in queries.categories()] == ["billing", "mobile-app"]
    assert fresh(Category, second.id).name == "Billing and invoices"
    assert [entry.action for entry in audit_rows("category.")] == [
        "category.create", "category.create", "category.update", "category.move",
    ]
    update_entry = audit_rows("category.update")[0]
    assert (update_entry.before, update_entry.after) == ({"name": "Billing"}, {"name": "Billing and invoices"})
    assert first.id != second.id


def test_category_slugs_are_unique_and_well_formed(app):
    admin = factories.user(role="admin")
    services.create_category(actor_id=admin.id, slug="billing", name="Billing", description="")
    with pytest.raises(Conflict) as taken:
        services.create_category(actor_id=admin.id, slug="billing", name="Other", description="")
    assert taken.value.field == "slug"
    with pytest.raises(Invalid) as bad:
        services.create_category(actor_id=admin.id, slug="Bill ing", name="Other", description="")
    assert bad.value.field == "slug"
    assert db.session.scalar(select(func.count(Category.id))) == 1


def test_a_category_in_use_cannot_be_deleted_but_an_empty_one_can(app):
    admin = factories.user(role="admin")
    used = factories.category()
    factories.idea(category_row=used)
    used_id = used.id
    empty_id = services.create_category(actor_id=admin.id, slug="empty", name="Empty", description="").id
    with pytest.raises(Conflict, match="Ideas use this category"):
        services.delete_category(category_id=used_id, actor_id=admin.id)
    services.delete_category(category_id=empty_id, actor_id=admin.id)
    assert fresh(Category, used_id) is not None and fresh(Category, empty_id) is None
    entry = audit_rows("category.delete")[0]
    assert entry.target_id == empty_id and entry.before["slug"] == "empty"
    with pytest.raises(NotFound):
        services.delete_category(category_id=empty_id, actor_id=admin.id)


# Queries -------------------------------------------------------------------------------------

def test_user_search_filters_and_pages(app):
    for number in range(5):
        factories.user(username=f"searcher{number}", email=f"s{number}@portal.example")
    factories.user(username="outsider", role="pm")
    page = queries.list_users(queries.UserFilter(q="SEARCHER"), limit=3)
    assert [user.username for user in page.rows] == ["searcher4", "searcher3", "searcher2"]
    rest = queries.list_users(queries.UserFilter(q="searcher", after=page.next_after), limit=3)
    assert [user.username for user in rest.rows] == ["searcher1", "searcher0"] and rest.next_after is None
    assert [u.username for u in queries.list_users(queries.UserFilter(q="portal.example")).rows][-1] == "searcher0"
    assert [u.username for u in queries.list_users(queries.UserFilter(role="pm")).rows] == ["outsider"]
    assert queries.list_users(queries.UserFilter(q="%")).rows == []  # a wildcard is just a character
    with pytest.raises(Invalid):
        queries.list_users(queries.UserFilter(role="owner"))


def test_the_audit_log_reads_newest_first_with_filters_and_keyset_pages(app):
    admin, member = factories.user(username="boss", role="admin"), factories.user(username="casey")
    services.change_role(user_id=member.id, role="pm", actor_id=admin.id)
    services.change_role(user_id=member.id, role="member", actor_id=None)
    status = add_status(admin, "shipped")
    page = queries.audit_log(queries.AuditFilter(), limit=2)
    assert [row.action for row in page.rows] == ["status.create", "user.role"]
    older = queries.audit_log(queries.AuditFilter(before=page.next_after), limit=2)
    assert [row.action for row in older.rows] == ["user.role"] and older.next_after is None
    cli_change = page.rows[1]
    assert cli_change.actor is None and cli_change.actor_known and cli_change.target_label == "casey"
    assert [(c.field, c.old, c.new) for c in cli_change.changes] == [("role", "pm", "member")]
    assert [row.actor for row in queries.audit_log(queries.AuditFilter(actor="BOSS")).rows] == ["boss", "boss"]
    assert len(queries.audit_log(queries.AuditFilter(action="user.")).rows) == 2
    assert len(queries.audit_log(queries.AuditFilter(action="user_")).rows) == 0  # "_" is no wildcard
    targeted = queries.audit_log(queries.AuditFilter(target_type="status", target_id=status.id)).rows
    assert [(row.action, row.target_label) for row in targeted] == [("status.create", "Shipped")]
    assert queries.audit_target_types() == ["status", "user"]


def test_changes_read_as_field_old_new():
    changes = queries.describe_changes({"is_active": True, "note": None}, {"is_active": False, "label": ""})
    assert [(c.field, c.old, c.new) for c in changes] == [
        ("is active", "yes", "no"), ("note", "none", "—"), ("label", "—", "(empty)"),
    ]
    assert queries.describe_changes(None, {"ids": [1, 2]})[0].new == "[1, 2]"


def test_the_completed_and_declined_statuses_differ_in_hue(app):
    """Implemented, Partially implemented and Already offered were three dark greens."""
    import colorsys

    colours = dict(db.session.execute(select(Status.slug, Status.colour).where(
        Status.slug.in_(["implemented", "partially_implemented", "already_offered"]))).all())
    hues = sorted(colorsys.rgb_to_hls(*(int(colour[i:i + 2], 16) / 255 for i in (1, 3, 5)))[0] * 360
                  for colour in colours.values())
    assert len(hues) == 3 and min(b - a for a, b in zip(hues, hues[1:])) >= 30
