"""Admin settings through the test client: users, statuses, categories, the audit log, the badge stylesheet."""
import re

import pytest
from sqlalchemy import insert, select, update

from ideaportal.auth.services import LOGIN_FAILED
from ideaportal.extensions import db
from ideaportal.models import AuditEntry, Category, Idea, Status, User
from ideaportal.settings import services
from tests import factories
from tests.conftest import Auth, build_app
from tests.helpers import audit_actions, own_session_client, status_id


def row_order(page: str, prefix: str) -> list[int]:
    return [int(number) for number in re.findall(rf'<tr id="{prefix}-(\d+)"', page)]


def flashed(client, response) -> str:
    assert response.status_code == 302, response.text[:300]
    return client.get(response.headers["Location"]).text


# Users ---------------------------------------------------------------------------------------

def test_the_users_page_searches_and_filters(client, admin):
    factories.user(username="alice_pm", role="pm")
    factories.user(username="bob", email="bob@shop.example")
    gone = factories.user(username="gone")
    services.deactivate_user(user_id=gone.id, actor_id=admin.id)
    page = client.get("/admin/users").text
    assert all(name in page for name in ("alice_pm", "bob", "gone", "root_admin"))
    assert "root_admin <span class=\"hint\">(you)</span>" in page
    assert '<label class="visually-hidden" for="role-' in page
    only_bob = client.get("/admin/users?q=SHOP.EX").text
    assert "bob@shop.example" in only_bob and "alice_pm" not in only_bob
    pms = client.get("/admin/users?role=pm").text
    assert "alice_pm" in pms and "bob@shop.example" not in pms
    deactivated = client.get("/admin/users?state=deactivated").text
    assert "gone@example.com" in deactivated and "alice_pm" not in deactivated and "Reactivate" in deactivated
    assert client.get("/admin/users?role=owner").status_code == 400


def test_the_users_page_is_paged(client, admin, app):
    app.config["PAGE_SIZE"] = 2
    try:
        for number in range(3):
            factories.user(username=f"pager{number}")
        first = client.get("/admin/users?q=pager").text
        assert "pager2" in first and "pager1" in first and "pager0" not in first
        next_url = re.search(r'rel="next" href="([^"]+)"', first).group(1).replace("&amp;", "&")
        second = client.get(next_url).text
        assert "pager0" in second and "pager1" not in second and 'rel="next"' not in second
    finally:
        app.config["PAGE_SIZE"] = 20


def test_changing_a_role_says_so_and_is_audited(client, admin):
    member = factories.user(username="promoted")
    response = client.post(f"/admin/users/{member.id}/role", data={"role": "pm", "next": "/admin/users?q=promo"})
    assert response.headers["Location"] == "/admin/users?q=promo"
    assert "The role is now pm." in client.get(response.headers["Location"]).text
    assert db.session.get(User, member.id).role == "pm"
    entry = db.session.scalar(select(AuditEntry))
    assert (entry.action, entry.actor_id, entry.before, entry.after) == (
        "user.role", admin.id, {"role": "member"}, {"role": "pm"})


def test_an_admin_demoting_themselves_is_told_why_not(client, admin):
    factories.user(role="admin")
    page = flashed(client, client.post(f"/admin/users/{admin.id}/role", data={"role": "member"}))
    assert "You can&#39;t remove your own admin role. Ask another admin to do it." in page
    assert db.session.get(User, admin.id).role == "admin" and audit_actions() == []


def test_the_last_active_admin_keeps_the_role_whoever_asks(client, admin, runner):
    other = factories.user(role="admin")
    services.deactivate_user(user_id=other.id, actor_id=admin.id)  # an inactive admin does not count
    page = flashed(client, client.post(f"/admin/users/{admin.id}/role", data={"role": "pm"}))
    assert "You can&#39;t remove your own admin role" in page
    result = runner.invoke(args=["user", "set-role", admin.email, "pm"])  # no "oneself" on the command line
    assert result.exit_code == 1
    assert "This is the last active admin: make someone else an admin first." in result.output
    db.session.expire_all()
    assert db.session.get(User, admin.id).role == "admin" and audit_actions() == ["user.deactivate"]


def test_an_unknown_role_is_refused_with_a_message(client, admin):
    member = factories.user()
    page = flashed(client, client.post(f"/admin/users/{member.id}/role", data={"role": "owner"}))
    assert "Choose a role: member, pm, admin." in page
    assert db.session.get(User, member.id).role == "member"


def test_an_action_on_a_missing_user_is_a_404(client, admin):
    assert client.post("/admin/users/999999/deactivate").status_code == 404


def test_a_deactivated_users_session_ends_on_their_next_request(app):
    admin, member = factories.user(role="admin"), factories.user(username="leaver")
    client, member_client = own_session_client(app), own_session_client(app)
    Auth(client).login(admin)
    Auth(member_client).login(member)
    assert "Signed in as <a href=\"/users/leaver\"><strong>leaver</strong></a>" in member_client.get("/").text
    response = client.post(f"/admin/users/{member.id}/deactivate", data={"next": "/admin/users"})
    assert "The account is deactivated" in flashed(client, response)
    home = member_client.get("/").text
    assert "Signed in as" not in home and "Log in" in home
    response = member_client.get("/ideas/new")
    assert response.status_code == 302 and response.headers["Location"].startswith("/auth/login")


def test_a_deactivated_user_cannot_log_in_and_is_told_only_what_a_wrong_password_hears(app):
    admin, member = factories.user(role="admin"), factories.user(username="locked_out")
    services.deactivate_user(user_id=member.id, actor_id=admin.id)
    client, visitor = own_session_client(app), own_session_client(app)
    Auth(client).login(admin)
    wrong_password = visitor.post("/auth/login", data={"email": member.email, "password": "not the password"})
    deactivated = visitor.post("/auth/login", data={"email": member.email, "password": factories.PASSWORD})
    assert wrong_password.status_code == deactivated.status_code == 400
    alert = re.compile(r'<div class="alert alert--error" role="alert">(.*?)</div>', re.S)
    assert alert.search(deactivated.text).group(1) == alert.search(wrong_password.text).group(1)
    assert LOGIN_FAILED.replace("'", "&#39;") in alert.search(deactivated.text).group(1)
    client.post(f"/admin/users/{member.id}/reactivate")
    assert visitor.post("/auth/login", data={"email": member.email, "password": factories.PASSWORD}).status_code == 302
    assert audit_actions() == ["user.deactivate", "user.reactivate"]


def test_deactivating_oneself_is_refused(client, admin):
    factories.user(role="admin")
    page = flashed(client, client.post(f"/admin/users/{admin.id}/deactivate"))
    assert "You can&#39;t deactivate your own account" in page
    assert db.session.get(User, admin.id).is_active


# Statuses ------------------------------------------------------------------------------------

def test_the_statuses_page_lists_them_in_order_with_their_use(client, admin):
    factories.idea()  # one idea in `new`
    page = client.get("/admin/statuses").text
    ids = row_order(page, "status")
    assert ids == list(db.session.scalars(select(Status.id).order_by(Status.position)))
    new_row = page[page.index(f'<tr id="status-{status_id("new")}"'):]
    new_row = new_row[:new_row.index("</tr>")]
    assert 'class="badge badge--open badge--new">New</span>' in new_row
    assert 'class="swatch badge--new"' in new_row and "#52606d" in new_row
    assert '<td data-label="Ideas" class="number">1</td>' in new_row and "Built in" in new_row
    assert f'href="/admin/statuses/{status_id("new")}"' in new_row and "/delete" not in new_row


def test_adding_a_status_puts_it_last(client, admin):
    response = client.post("/admin/statuses", data={
        "slug": "shipped", "label": "Shipped", "kind": "completed", "colour": "#1b7a3a", "requires_response": "y",
    })
    new_id = status_id("shipped")
    assert response.headers["Location"] == f"/admin/statuses#status-{new_id}"
    page = client.get("/admin/statuses").text
    assert row_order(page, "status")[-1] == new_id and "Shipped" in page
    assert db.session.get(Status, new_id).requires_response is True
    assert audit_actions() == ["status.create"]


def test_a_colour_too_light_for_white_text_is_explained_next_to_the_field(client, admin):
    response = client.post("/admin/statuses", data={
        "slug": "sunny", "label": "Sunny", "kind": "open", "colour": "#ffd700",
    })
    assert response.status_code == 400
    error = re.search(r'<p class="field__error" id="colour-error">([^<]+)</p>', response.text).group(1)
    assert "contrast ratio" in error and "4.5:1" in error
    assert 'value="sunny"' in response.text  # the input is kept
    assert status_id("sunny") is None and audit_actions() == []


@pytest.mark.parametrize("data, field, message", [
    ({"slug": "under_review"}, "slug", "already has that slug"),
    ({"slug": "Has Spaces"}, "slug", "lowercase letters"),
    ({"slug": "official"}, "slug", "reserved"),
    ({"kind": "finished"}, "kind", "Not a valid choice"),
    ({"label": ""}, "label", "This field is required"),
])
def test_bad_new_statuses_are_explained_next_to_the_field(client, admin, data, field, message):
    form = {"slug": "fine_slug", "label": "Fine", "kind": "open", "colour": "#1f5fad", **data}
    response = client.post("/admin/statuses", data=form)
    assert response.status_code == 400
    assert message in re.search(rf'<p class="field__error" id="{field}-error">([^<]+)</p>', response.text).group(1)


def test_editing_a_status_keeps_its_slug_and_kind_and_explains_bad_colours(client, admin):
    planned = status_id("planned")
    page = client.get(f"/admin/statuses/{planned}").text
    assert 'value="Planned"' in page and 'value="#6b3fa0"' in page and "<code>planned</code>" in page
    refused = client.post(f"/admin/statuses/{planned}", data={"label": "Planned", "colour": "#f0f0f0"})
    assert refused.status_code == 400 and 'id="colour-error"' in refused.text
    response = client.post(f"/admin/statuses/{planned}", data={
        "label": "On the roadmap", "colour": "#1F5FAD", "slug": "hacked", "kind": "declined",
    })
    assert response.headers["Location"] == f"/admin/statuses#status-{planned}"
    row = db.session.get(Status, planned)
    assert (row.slug, row.kind, row.label, row.colour) == ("planned", "active", "On the roadmap", "#1f5fad")
    assert client.get("/admin/statuses/999999").status_code == 404


def test_moving_a_status_reorders_the_table(client, admin):
    before = row_order(client.get("/admin/statuses").text, "status")
    moved = before[3]
    response = client.post(f"/admin/statuses/{moved}/move", data={"direction": "up", "next": "/admin/statuses"})
    page = flashed(client, response)
    assert "The status is moved." in page
    assert row_order(page, "status") == [*before[:2], moved, before[2], *before[4:]]
    at_top = flashed(client, client.post(f"/admin/statuses/{before[0]}/move", data={"direction": "up"}))
    assert "already at that end" in at_top
    sideways = flashed(client, client.post(f"/admin/statuses/{moved}/move", data={"direction": "sideways"}))
    assert "Move up or down." in sideways
    assert audit_actions() == ["status.move"]


def test_deleting_statuses_obeys_the_rules(client, admin):
    idea = factories.idea()
    services.create_status(actor_id=admin.id, slug="in_use", label="In use", kind="open", colour="#1f5fad",
                           requires_response=False)
    services.create_status(actor_id=admin.id, slug="unused", label="Unused", kind="open", colour="#1f5fad",
                           requires_response=False)
    db.session.execute(update(Idea).where(Idea.id == idea.id).values(status_id=status_id("in_use")))
    db.session.commit()
    page = flashed(client, client.post(f"/admin/statuses/{status_id('archived')}/delete"))
    assert "built in" in page and status_id("archived") is not None
    page = flashed(client, client.post(f"/admin/statuses/{status_id('in_use')}/delete"))
    assert "Ideas use this status" in page and status_id("in_use") is not None
    listing = client.get("/admin/statuses").text
    assert f"/admin/statuses/{status_id('unused')}/delete" in listing
    assert f"/admin/statuses/{status_id('in_use')}/delete" not in listing
    page = flashed(client, client.post(f"/admin/statuses/{status_id('unused')}/delete"))
    assert "The status is deleted." in page and status_id("unused") is None
    assert audit_actions() == ["status.create", "status.create", "status.delete"]


# Categories ----------------------------------------------------------------------------------

def test_categories_are_added_edited_reordered_and_deleted(client, admin):
    response = client.post("/admin/categories", data={"slug": "mobile", "name": "Mobile app", "description": "Phones"})
    mobile = db.session.scalar(select(Category.id).where(Category.slug == "mobile"))
    assert response.headers["Location"] == f"/admin/categories#category-{mobile}"
    client.post("/admin/categories", data={"slug": "billing", "name": "Billing"})
    billing = db.session.scalar(select(Category.id).where(Category.slug == "billing"))
    page = flashed(client, client.post(f"/admin/categories/{billing}/move", data={"direction": "up"}))
    assert row_order(page, "category") == [billing, mobile]
    assert 'value="Billing"' in client.get(f"/admin/categories/{billing}").text
    client.post(f"/admin/categories/{billing}", data={"name": "Billing and invoices", "description": "Money"})
    assert db.session.get(Category, billing).name == "Billing and invoices"
    factories.idea(category_row=db.session.get(Category, mobile))
    assert "Ideas use this category" in flashed(client, client.post(f"/admin/categories/{mobile}/delete"))
    assert "The category is deleted." in flashed(client, client.post(f"/admin/categories/{billing}/delete"))
    assert db.session.get(Category, billing) is None and db.session.get(Category, mobile) is not None
    assert audit_actions() == [
        "category.create", "category.create", "category.move", "category.update", "category.delete",
    ]


def test_a_taken_or_malformed_category_slug_is_explained(client, admin):
    factories.category(slug="taken")
    for slug, message in (("taken", "already has that slug"), ("Not A Slug", "lowercase letters")):
        response = client.post("/admin/categories", data={"slug": slug, "name": "Anything"})
        assert response.status_code == 400
        assert message in re.search(r'id="slug-error">([^<]+)<', response.text).group(1)


# Audit log -----------------------------------------------------------------------------------

def test_the_audit_log_shows_who_what_and_the_change_readably(client, admin, runner):
    idea = factories.idea(title="Offline mode please")
    from ideaportal.moderation.services import set_idea_hidden

    set_idea_hidden(idea_id=idea.id, actor_id=admin.id, hidden=True)
    member = factories.user(username="kim", email="kim@example.com")
    assert runner.invoke(args=["user", "set-role", "kim@example.com", "pm"]).exit_code == 0
    page = client.get("/admin/audit").text
    assert page.index("user.role") < page.index("idea.hide")  # newest first
    assert "<em>command line</em>" in page and "root_admin" in page
    assert 'href="/admin/users?q=kim">kim</a>' in page
    assert f'href="/ideas/{idea.id}-offline-mode-please">Offline mode please</a>' in page
    assert re.search(r"<dt>role</dt>\s*<dd><span class=\"changes__old\">member</span>.*?"
                     r"<span class=\"changes__new\">pm</span></dd>", page, re.S)
    assert "{&#34;" not in page and '{"role"' not in page  # no raw JSON
    cell = '<td data-label="Action" class="data-table__wide">'
    hid, role = f'{cell}hid <code class="hint">idea.hide</code></td>', f'{cell}changed the role of <code class="hint">user.role</code></td>'
    filtered = client.get("/admin/audit?action=idea.").text
    assert hid in filtered and role not in filtered
    by_target = client.get(f"/admin/audit?target_type=user&target_id={member.id}").text
    assert role in by_target and "idea.hide" not in by_target
    by_actor = client.get("/admin/audit?actor=ROOT_ADMIN").text
    assert hid in by_actor and role not in by_actor
    assert "No entries match these filters" in client.get("/admin/audit?actor=nobody").text
    assert client.get("/admin/audit?target_id=abc").status_code == 400


def test_the_audit_log_pages_by_keyset(client, admin, app):
    for number in range(55):
        db.session.execute(insert(AuditEntry).values(
            actor_id=admin.id, action="test.entry", target_type="thing", target_id=number,
            created_at=db.session.scalar(select(User.created_at).where(User.id == admin.id)),
        ))
    db.session.commit()
    first = client.get("/admin/audit").text
    assert first.count('<tr id="audit-') == 50 and re.search(r"thing #54\s*<", first)
    assert not re.search(r"thing #4\s*<", first)
    next_url = re.search(r'rel="next" href="([^"]+)"', first).group(1).replace("&amp;", "&")
    second = client.get(next_url).text
    assert second.count('<tr id="audit-') == 5 and re.search(r"thing #4\s*<", second) and 'rel="next"' not in second


# The badge stylesheet ------------------------------------------------------------------------

def test_the_badge_stylesheet_follows_the_database_and_caches(client, admin):
    response = client.get("/statuses.css")
    assert response.status_code == 200 and response.mimetype == "text/css"
    assert ".badge--planned { background: #6b3fa0; }" in response.text
    assert "max-age=60" in response.headers["Cache-Control"] and response.headers["ETag"]
    again = client.get("/statuses.css", headers={"If-None-Match": response.headers["ETag"]})
    assert again.status_code == 304
    client.post(f"/admin/statuses/{status_id('planned')}", data={"label": "Planned", "colour": "#1b7a3a"})
    changed = client.get("/statuses.css", headers={"If-None-Match": response.headers["ETag"]})
    assert changed.status_code == 200 and ".badge--planned { background: #1b7a3a; }" in changed.text


def test_the_badge_stylesheet_cannot_be_injected_through_stored_rows(client, app):
    db.session.execute(insert(Status).values(
        slug="x{}body{display:none}", label="Evil", kind="open", colour="#000000", position=50))
    db.session.execute(insert(Status).values(
        slug="evil_colour", label="Evil", kind="open", colour="red;}*{", position=51))
    db.session.commit()
    css = client.get("/statuses.css").text
    assert "body" not in css and "evil_colour" not in css and "red;" not in css
    assert css.count("{") == css.count("}") == 10  # the ten seeded statuses, one rule each


def test_every_page_links_the_badge_stylesheet_after_the_site_css(client, app):
    page = client.get("/").text
    assert page.index("/static/css/site.css") < page.index('href="/statuses.css"')


def test_the_staff_menu_shows_the_settings_to_admins_only(client, auth, app):
    pm = factories.user(role="pm")
    auth.login(pm)
    assert client.get("/admin/users").status_code == 403
    auth.logout()
    auth.login(factories.user(role="admin"))
    page = client.get("/admin/users").text
    for label, url in (("Users", "/admin/users"), ("Statuses", "/admin/statuses"),
                       ("Categories", "/admin/categories"), ("Audit log", "/admin/audit")):
        assert f'href="{url}"' in page and label in page
    assert 'href="/admin/users" aria-current="page"' in page


# CSRF and the command line ---------------------------------------------------------------

def test_settings_forms_carry_a_csrf_token_and_posts_without_one_are_refused(database_url, app):
    csrf_app = build_app(database_url, WTF_CSRF_ENABLED=True)
    admin = factories.user(role="admin")
    member = factories.user()
    with csrf_app.app_context():
        browser = csrf_app.test_client()
        token = re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', browser.get("/auth/login").text)
        browser.post("/auth/login", data={"email": admin.email, "password": factories.PASSWORD,
                                          "csrf_token": token.group(1)})
        for path in ("/admin/users", "/admin/statuses", f"/admin/statuses/{status_id('new')}", "/admin/categories"):
            page = browser.get(path).text
            assert page.count('method="post"') == page.count('name="csrf_token"'), path
        refused = browser.post(f"/admin/users/{member.id}/role", data={"role": "pm"})
        assert refused.status_code == 400
        token = re.search(r'name="csrf_token" value="([^"]+)"', browser.get("/admin/users").text).group(1)
        accepted = browser.post(f"/admin/users/{member.id}/role", data={"role": "pm", "csrf_token": token})
        assert accepted.status_code == 302
    db.session.expire_all()
    assert db.session.get(User, member.id).role == "pm"


def test_the_command_line_set_role_uses_the_same_rules_and_audits_as_nobody(runner, app):
    factories.user(email="kim@example.com")
    result = runner.invoke(args=["user", "set-role", "kim@example.com", "admin"])
    assert result.exit_code == 0 and "is now admin" in result.output
    entry = db.session.scalar(select(AuditEntry))
    assert (entry.action, entry.actor_id, entry.before, entry.after) == (
        "user.role", None, {"role": "member"}, {"role": "admin"})
    result = runner.invoke(args=["user", "set-role", "kim@example.com", "member"])
    assert result.exit_code == 1 and "last active admin" in result.output


def test_settings_pages_have_no_inline_style_or_script_and_one_h1(client, admin):
    category = factories.category()
    services.change_role(user_id=factories.user().id, role="pm", actor_id=admin.id)
    for path in ("/admin/users", "/admin/statuses", f"/admin/statuses/{status_id('new')}", "/admin/categories",
                 f"/admin/categories/{category.id}", "/admin/audit"):
        page = client.get(path).text
        assert not re.search(r"<script(?![^>]*\bsrc=)", page), path
        assert "<style" not in page and " style=" not in page and not re.search(r"\son[a-z]+=", page), path
        assert page.count("<h1") == 1, path
