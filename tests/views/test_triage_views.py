"""Triage through the test client: the inbox, answering, the queue, notes, bulk changes, the CSV export."""
import csv
import io
import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select, update

from ideaportal.extensions import db
from ideaportal.models import Comment, Idea, Status, StatusChange, utcnow
from ideaportal.templating import avatar_colour
from tests import factories
from tests.helpers import audit_actions, deadlock_every_time, status_id


def fresh(idea_id: int) -> Idea:
    db.session.expire_all()
    return db.session.get(Idea, idea_id)


def aged(title: str, days: int, **kwargs) -> int:
    idea = factories.idea(title=title, **kwargs)
    db.session.execute(update(Idea).where(Idea.id == idea.id).values(created_at=utcnow() - timedelta(days=days)))
    db.session.commit()
    return idea.id


def inbox_ids(html: str) -> list[int]:
    return [int(number) for number in re.findall(r'name="idea_ids" value="(\d+)"', html)]


def answer(client, idea_id: int, query: str = "", **changes):
    """POST the triage page's answer form with the idea's current values, changed by `changes`."""
    idea = fresh(idea_id)
    data = {"status": db.session.scalar(select(Status.slug).where(Status.id == idea.status_id)), "response": "",
            "owner_id": str(idea.owner_id or ""), "category": str(idea.category_id), **changes}
    return client.post(f"/admin/ideas/{idea_id}/answer{query}", data=data)


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


# The inbox


def test_inbox_lists_ideas_needing_attention_oldest_first_with_counts(client, app, pm):
    newest, oldest, middle = aged("Newest idea here", 1), aged("Oldest idea here", 90), aged("Middle idea here", 20)
    answered = aged("Answered idea here", 50)
    answer(client, answered, status="new", response="Thanks, noted.")
    page = client.get("/admin")
    assert page.status_code == 200
    assert inbox_ids(page.text) == [oldest, middle, newest]
    assert "<strong>3</strong> ideas need attention" in page.text
    assert "<caption>" in page.text and '<th scope="col">Status</th>' in page.text
    assert f'href="/admin/ideas/{oldest}?status=attention">Oldest idea here</a>' in page.text
    assert 'class="badge badge--open badge--new">New</span>' in page.text
    assert 'href="/admin/export.csv?status=attention">Export these as CSV</a>' in page.text
    assert re.search(r'<a href="/admin" aria-current="page">Inbox <span class="admin-nav__count" '
                     r'title="3 ideas need attention">3<span class="visually-hidden"> ideas need attention', page.text)


def test_inbox_counts_stop_at_the_cap_and_say_so(client, app, pm, monkeypatch):
    """Counting every waiting idea costs a read of each: past COUNT_CAP the inbox says "N+" instead."""
    from ideaportal.triage import queries

    monkeypatch.setattr(queries, "COUNT_CAP", 2)
    for days in (3, 2, 1):
        aged(f"Waiting idea {days}", days)
    page = client.get("/admin")
    assert len(inbox_ids(page.text)) == 3
    assert "<strong>2+</strong> ideas need attention" in page.text and "2+ ideas match this view." in page.text
    assert 'title="2+ ideas need attention">2+<span class="visually-hidden"> ideas need attention' in page.text
    monkeypatch.setattr(queries, "COUNT_CAP", 3)
    assert "<strong>3</strong> ideas need attention" in client.get("/admin").text


def test_inbox_filters_through_the_query_string(client, app, pm):
    phones = factories.category(slug="phones", name="Phones")
    old_phone = aged("Old phone idea", 40, category_row=phones)
    new_phone = aged("New phone idea", 2, category_row=phones)
    laptop = aged("Laptop idea here", 60)
    answer(client, new_phone, owner_id=str(pm.id))
    answer(client, laptop, status="under_review", response="")
    assert inbox_ids(client.get("/admin?category=phones").text) == [old_phone, new_phone]
    assert inbox_ids(client.get("/admin?older_than=30").text) == [old_phone]
    assert inbox_ids(client.get("/admin?mine=1").text) == [new_phone]
    assert inbox_ids(client.get("/admin?status=under_review").text) == [laptop]
    assert inbox_ids(client.get("/admin?status=all&unanswered=1").text) == [laptop, old_phone, new_phone]
    client.post(f"/admin/ideas/{old_phone}/hide")
    hidden = client.get("/admin?status=all&hidden=1")
    assert inbox_ids(hidden.text) == [old_phone] and '<span class="badge badge--hidden">Hidden</span>' in hidden.text
    filtered = client.get("/admin?category=phones&older_than=30&mine=1").text
    assert '<option value="phones" selected>' in filtered and '<option value="30" selected>' in filtered
    assert 'id="filter-mine" name="mine" value="1" checked' in filtered
    for bad in ("status=shipped", "category=nope", "older_than=5", "cursor=garbage"):
        assert client.get(f"/admin?{bad}").status_code == 400


def test_inbox_pages_keep_the_filter(client, app, pm, monkeypatch):
    monkeypatch.setitem(app.config, "PAGE_SIZE", 2)
    phones = factories.category(slug="phones")
    ids = [aged(f"Phone idea {number}", 10 - number, category_row=phones) for number in range(5)]
    aged("Not a phone idea", 50)
    seen, url = [], "/admin?category=phones"
    while url:
        page = client.get(url).text
        seen += inbox_ids(page)
        assert "5 ideas match this view." in page
        found = re.search(r'rel="next" href="([^"]+)"', page)
        url = found.group(1).replace("&amp;", "&") if found else None
        if url:
            assert "category=phones" in url and "cursor=" in url
    assert seen == ids


def test_inbox_search_narrows_the_view_and_combines_with_the_filters(client, app, pm, monkeypatch):
    phones = factories.category(slug="phones", name="Phones")
    dark_phone = aged("Dark mode for the phone app", 40, category_row=phones)
    in_body = aged("Sync contacts", 20, category_row=phones, body="Also in **dark mode**, please.")
    dark_laptop = aged("Dark mode on the laptop", 25)
    invoices = aged("Export invoices", 10, category_row=phones)
    page = client.get("/admin?q=dark+mode").text
    assert inbox_ids(page) == [dark_phone, dark_laptop, in_body] and "3 ideas match this view." in page
    assert 'id="filter-q" name="q" value="dark mode"' in page
    assert inbox_ids(client.get("/admin?q=dark&category=phones").text) == [dark_phone, in_body]
    assert inbox_ids(client.get("/admin?q=+dark+&older_than=30").text) == [dark_phone]
    assert inbox_ids(client.get("/admin?q=&category=phones").text) == [dark_phone, in_body, invoices]
    client.post(f"/admin/ideas/{dark_laptop}/hide")
    assert inbox_ids(client.get("/admin?q=dark&hidden=1").text) == [dark_laptop]
    monkeypatch.setitem(app.config, "PAGE_SIZE", 1)
    first = client.get("/admin?q=dark&category=phones").text
    next_url = re.search(r'rel="next" href="([^"]+)"', first).group(1).replace("&amp;", "&")
    assert "q=dark" in next_url and "category=phones" in next_url
    assert inbox_ids(client.get(next_url).text) == [in_body]
    assert f'href="/admin/ideas/{dark_phone}?status=attention&amp;category=phones&amp;q=dark"' in first


def test_an_inbox_search_with_more_matches_than_it_ranks_says_where_its_list_comes_from(client, app, pm,
                                                                                        monkeypatch):
    monkeypatch.setattr("ideaportal.ideas.queries.SEARCH_NEWEST", 2)
    ids = [aged(f"Calendar {number}", 30 - number) for number in range(3)]
    page = client.get("/admin?q=calendar").text
    assert inbox_ids(page) == ids[1:]
    assert ('<p class="search-note" role="status">More than 2 ideas match. This list is\n'
            "    drawn from the newest 2 of them; add a word to reach older ones.</p>") in page
    assert "More than" not in client.get("/admin?q=calendar+2").text


@pytest.mark.parametrize("text", ['"', "NEAR(", "AND", "*", "-", 'NEAR("a" "b", 2) OR',
                                  "title:x", "^x", "(((", "'; drop table idea; --", "ü" * 500])
def test_any_search_text_gives_a_page(client, app, pm, text):
    aged("Dark mode for the phone app", 10)
    page = client.get("/admin", query_string={"q": text, "status": "all"})
    assert page.status_code == 200
    assert client.get("/admin/export.csv", query_string={"q": text}).status_code == 200


def test_a_search_of_only_common_words_says_so(client, app, pm):
    aged("The one and only idea", 10)
    page = client.get("/admin?q=the+and+of").text
    assert inbox_ids(page) == [] and "has only very common words" in page
    assert "No ideas match these words and filters." in page


# The triage page


def test_a_status_change_with_an_answer_shows_on_the_public_page(client, app, pm):
    idea = factories.idea(title="Export to PDF please")
    response = answer(client, idea.id, "?status=attention", status="planned", response="Coming in **spring**.",
                      then="stay")
    assert response.status_code == 302
    assert response.headers["Location"] == f"/admin/ideas/{idea.id}?status=attention"
    assert fresh(idea.id).status_id == status_id("planned") and fresh(idea.id).first_response_at is not None
    public = client.get(f"/ideas/{idea.id}", follow_redirects=True).text
    timeline = public.split('id="timeline-title"')[1].split("</section>")[0]
    assert "Planned</span>" in timeline and "<strong>spring</strong>" in timeline
    assert "Official answer" in timeline and "<strong>petra</strong>" in timeline
    client.post("/auth/logout")
    assert "<strong>spring</strong>" in client.get(f"/ideas/{idea.id}", follow_redirects=True).text
    assert audit_actions() == ["idea.status"]


def test_a_required_response_is_asked_for_next_to_the_field(client, app, pm):
    idea = factories.idea()
    page = answer(client, idea.id, status="not_planned", response="")
    assert page.status_code == 400
    assert re.search(r'<p class="field__error" id="response-error">This status needs a public response', page.text)
    assert 'aria-invalid="true"' in page.text and '<option selected value="not_planned">' in page.text
    assert fresh(idea.id).status_id == status_id("new") and count(StatusChange) == 0 and audit_actions() == []


def test_duplicate_is_refused_with_a_pointer_to_merge(client, app, pm):
    idea = factories.idea()
    page = answer(client, idea.id, status="duplicate", response="Same as #1.")
    assert page.status_code == 400
    assert 'id="status-error">To mark an idea as a duplicate, merge it' in page.text
    assert fresh(idea.id).status_id == status_id("new")


def test_save_and_go_to_next_walks_the_same_view(client, app, pm):
    phones = factories.category(slug="phones")
    first = aged("First phone idea", 30, category_row=phones)
    second = aged("Second phone idea", 20, category_row=phones)
    aged("Laptop idea between", 25)
    page = client.get(f"/admin/ideas/{first}?category=phones&status=attention").text
    assert f'href="/admin/ideas/{second}?status=attention&amp;category=phones" rel="next">Skip to the next' in page
    assert 'href="/admin?status=attention&amp;category=phones">← Back to the inbox' in page
    assert page.index('value="next">Save and go to next') < page.index('value="stay">Save</button>')
    moved = answer(client, first, "?status=attention&category=phones", status="under_review", response="Looking.",
                   then="next")
    assert moved.headers["Location"] == f"/admin/ideas/{second}?status=attention&category=phones"
    last = answer(client, second, "?status=attention&category=phones", status="under_review", response="Looking.",
                  then="next")
    assert last.headers["Location"] == "/admin?status=attention&category=phones"
    assert "That was the last idea in this view." in client.get(last.headers["Location"]).text


def test_notes_show_on_the_triage_page_and_never_on_public_pages(client, app, pm):
    idea = factories.idea(title="Bigger buttons please")
    response = client.post(f"/admin/ideas/{idea.id}/notes", data={"body": "Secret: talk to *legal* first"})
    assert response.status_code == 302 and "#note-" in response.headers["Location"]
    triage = client.get(f"/admin/ideas/{idea.id}").text
    assert "Secret: talk to <em>legal</em> first" in triage
    for path in (f"/ideas/{idea.id}", "/ideas", "/"):  # not even to staff on the public pages
        assert "Secret" not in client.get(path, follow_redirects=True).text
    too_long = client.post(f"/admin/ideas/{idea.id}/notes", data={"body": "x" * 5001})
    assert too_long.status_code == 400 and 'id="body-error">Keep it under 5,000 characters.' in too_long.text
    assert audit_actions() == ["idea.note"]
    client.post("/auth/logout")
    assert "Secret" not in client.get(f"/ideas/{idea.id}", follow_redirects=True).text


def test_owner_and_category_change_through_the_answer_form(client, app, pm):
    idea, member = factories.idea(), factories.user()
    other = factories.category(name="Accessibility")
    assert answer(client, idea.id, owner_id=str(pm.id)).status_code == 302
    assert answer(client, idea.id, category=str(other.id)).status_code == 302
    idea = fresh(idea.id)
    assert (idea.owner_id, idea.category_id) == (pm.id, other.id)
    page = client.get(f"/admin/ideas/{idea.id}").text
    assert f'<option selected value="{pm.id}">petra</option>' in page
    assert "<dd>petra</dd>" in page
    refused = answer(client, idea.id, owner_id=str(member.id))
    assert refused.status_code == 400 and "Not a valid choice." in refused.text
    assert answer(client, idea.id, owner_id="").status_code == 302
    assert fresh(idea.id).owner_id is None
    assert audit_actions() == ["idea.owner", "idea.category", "idea.owner"]


def test_hiding_and_unhiding_from_the_triage_page(client, app, pm):
    idea = factories.idea()
    assert client.post(f"/admin/ideas/{idea.id}/hide").status_code == 302
    assert client.get(f"/ideas/{idea.id}", follow_redirects=True).status_code == 404
    page = client.get(f"/admin/ideas/{idea.id}").text
    assert "Hidden from the public." in page and "Show this idea to the public again" in page
    assert client.post(f"/admin/ideas/{idea.id}/unhide").status_code == 302
    assert client.get(f"/ideas/{idea.id}", follow_redirects=True).status_code == 200
    assert audit_actions() == ["idea.hide", "idea.unhide"]


def test_a_merged_idea_has_a_banner_and_links_to_its_target(client, app, pm):
    source, target = factories.idea(), factories.idea(title="The original one")
    db.session.execute(update(Idea).where(Idea.id == source.id).values(merged_into_id=target.id))
    db.session.commit()
    page = client.get(f"/admin/ideas/{source.id}").text
    assert "<strong>Merged</strong> into" in page and f"#{target.id} The original one</a>" in page
    assert client.get("/admin/ideas/999999").status_code == 404


def test_staff_see_a_triage_link_on_the_public_page_and_members_do_not(client, auth, app):
    idea = factories.idea()
    auth.login(factories.user())
    assert "Triage this idea" not in client.get(f"/ideas/{idea.id}", follow_redirects=True).text
    auth.logout()
    auth.login(factories.user(role="admin"))
    page = client.get(f"/ideas/{idea.id}", follow_redirects=True).text
    assert f'<a href="/admin/ideas/{idea.id}">Triage this idea</a>' in page


# Bulk


def test_bulk_status_moves_the_selected_ideas_and_returns_to_the_view(client, app, pm):
    ids = [aged(f"Bulk idea {number}", 10 - number) for number in range(3)]
    response = client.post("/admin/bulk-status?status=attention&older_than=7",
                           data={"idea_ids": ids[:2], "status": "not_planned", "response": "Not this year."})
    assert response.status_code == 302 and response.headers["Location"] == "/admin?status=attention&older_than=7"
    assert [fresh(idea_id).status_id == status_id("not_planned") for idea_id in ids] == [True, True, False]
    assert audit_actions() == ["idea.status", "idea.status"]
    assert "2 ideas moved." in client.get(response.headers["Location"]).text


def test_a_bulk_change_that_keeps_losing_deadlocks_is_tried_three_times_then_refused_clearly(client, app, pm,
                                                                                             monkeypatch):
    ids = [aged(f"Bulk idea {number}", 10 - number) for number in range(2)]
    attempts = deadlock_every_time(monkeypatch, "ideaportal.triage.services._bulk_change_status")
    page = client.post("/admin/bulk-status", data={"idea_ids": ids, "status": "planned", "response": "x"})
    assert page.status_code == 400 and len(attempts) == 3
    assert "The database was too busy to change these ideas just now, so nothing was changed." in page.text


@pytest.mark.parametrize("selection, data, message", [
    ("none", {"status": "planned", "response": "x"}, "Select at least one idea with the checkboxes."),
    ("both", {"status": "not_planned", "response": ""}, "This status needs a public response"),
    ("both and a missing one", {"status": "planned", "response": "x"},
     "There is no idea #999999. Nothing was changed."),
])
def test_bulk_status_is_all_or_nothing_with_a_clear_message(client, app, pm, selection, data, message):
    ids = [aged(f"Bulk idea {number}", 10 - number) for number in range(2)]
    selected = {"none": [], "both": ids, "both and a missing one": [*ids, 999_999]}[selection]
    page = client.post("/admin/bulk-status", data={**data, "idea_ids": selected})
    assert page.status_code == 400 and message in page.text
    assert all(fresh(idea_id).status_id == status_id("new") for idea_id in ids)
    assert count(StatusChange) == 0 and audit_actions() == []
    for idea_id in ids:  # the selection survives the refusal
        assert (f'value="{idea_id}" id="select-{idea_id}" checked' in page.text) == (idea_id in selected)


# The CSV export


def test_export_streams_every_status_by_default_with_an_injection_guard(client, app, pm):
    evil = aged("=HYPERLINK(\"http://x\")", 5)
    calm = aged("Calm idea, with a comma", 3)
    answer(client, calm, status="planned", response="Yes.")
    answer(client, evil, owner_id=str(pm.id))
    response = client.get("/admin/export.csv")
    assert response.status_code == 200 and response.is_streamed
    assert response.mimetype == "text/csv"
    assert re.fullmatch(r"attachment; filename=ideas-\d{4}-\d{2}-\d{2}\.csv", response.headers["Content-Disposition"])
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert [row["id"] for row in rows] == [str(evil), str(calm)]
    assert rows[0]["title"] == "'=HYPERLINK(\"http://x\")" and rows[0]["owner"] == "petra"
    assert rows[1]["title"] == "Calm idea, with a comma" and rows[1]["status"] == "planned"
    assert rows[1]["first_response_at"] and not rows[0]["first_response_at"]
    assert rows[1]["url"] == f"http://localhost/ideas/{calm}-calm-idea-with-a-comma"
    assert rows[0]["score"] == "1" and rows[0]["upvotes"] == "1" and rows[0]["comment_count"] == "0"
    attention = list(csv.DictReader(io.StringIO(client.get("/admin/export.csv?status=attention").text)))
    assert [row["id"] for row in attention] == [str(evil)]
    assert client.get("/admin/export.csv?category=nope").status_code == 400


def test_export_carries_the_search_of_the_inbox(client, app, pm):
    dark = aged("Dark mode for the phone app", 10)
    aged("Export invoices", 5)
    page = client.get("/admin?q=dark+mode&status=all").text
    assert 'href="/admin/export.csv?status=all&amp;q=dark+mode">Export these as CSV</a>' in page
    rows = list(csv.DictReader(io.StringIO(client.get("/admin/export.csv?status=all&q=dark+mode").text)))
    assert [row["id"] for row in rows] == [str(dark)]


def test_a_large_export_streams_every_row_on_both_databases(client, app, pm):
    """More rows than one batch (500), read to the end as a server sends them: after the request's own
    context (and with it its database session) has ended, which a thread with no outer context shows."""
    from concurrent.futures import ThreadPoolExecutor

    from ideaportal.bench import seed

    seed(ideas=1_250, users=3, votes_per_idea=1)
    db.session.commit()
    with ThreadPoolExecutor(1) as thread:
        response = thread.submit(lambda: client.get("/admin/export.csv")).result()
        body = thread.submit(lambda: response.get_data(as_text=True)).result()
    rows = list(csv.DictReader(io.StringIO(body)))
    assert response.status_code == 200 and len(rows) == 1_250
    assert len({row["id"] for row in rows}) == 1_250


def test_the_triage_page_shows_every_comment_and_the_recent_votes(client, app, pm):
    from ideaportal.comments.services import add_comment
    from ideaportal.ideas.services import cast_vote

    idea = factories.idea(title="Calendar sync both ways", body="Please.")
    voter, commenter = factories.user(), factories.user()
    cast_vote(voter_id=voter.id, idea_id=idea.id, value=-1)
    add_comment(idea_id=idea.id, author_id=commenter.id, body="We need this **badly**.")
    hidden = add_comment(idea_id=idea.id, author_id=commenter.id, body="Rude words.")
    db.session.execute(update(Comment).where(Comment.id == hidden).values(is_hidden=True))
    db.session.commit()
    page = client.get(f"/admin/ideas/{idea.id}").text
    comments = page.split('id="comments-title"', 1)[1].split("</section>", 1)[0]
    assert "2 comments" in page and "<strong>badly</strong>" in comments
    assert "Rude words." in comments and "Hidden from the public" in comments
    avatar = f'<span class="avatar avatar--{avatar_colour(commenter.id)}" aria-hidden="true">'
    assert comments.count(avatar) == 2  # beside each comment's author, as on the public page
    votes = page.split('id="votes-title"', 1)[1].split("</section>", 1)[0]
    rows = re.findall(r"<td>(\d+)</td><td>(\d+)</td>", votes)
    assert len(rows) == 8 and rows[-1] == ("1", "1")  # the author's own vote up, the voter's down, this week


def test_select_all_without_javascript_ticks_every_idea_on_the_page(client, app, pm):
    ids = [aged(f"Idea {number}", days=number + 1) for number in range(3)]
    page = client.get("/admin?status=all&select=all").text
    for idea_id in ids:
        assert re.search(rf'value="{idea_id}" id="select-{idea_id}" checked', page)
    assert "Clear the selection" in page
    assert 'checked' not in client.get("/admin?status=all").text.split('id="select-', 1)[1].split(">", 1)[0]


def test_the_answer_form_saves_status_owner_and_category_at_once_or_says_nothing_changed(client, app, pm):
    idea = factories.idea()
    other = factories.category(name="Accessibility")
    response = answer(client, idea.id, status="planned", response="Soon.", owner_id=str(pm.id),
                      category=str(other.id))
    assert response.status_code == 302
    assert "Status and owner and category saved." in client.get(response.headers["Location"]).text
    saved = fresh(idea.id)
    assert (saved.status_id, saved.owner_id, saved.category_id) == (status_id("planned"), pm.id, other.id)
    assert audit_actions() == ["idea.status", "idea.owner", "idea.category"]
    unchanged = answer(client, idea.id)
    assert unchanged.status_code == 400 and "Nothing to save" in unchanged.text
    refused = answer(client, idea.id, status="not_planned", owner_id="")  # needs a response: nothing is saved
    assert refused.status_code == 400 and fresh(idea.id).owner_id == pm.id


def test_the_staff_navigation_counts_what_waits_in_each_section(client, app, pm):
    from ideaportal.moderation.services import flag_idea

    idea = factories.idea()
    nav = client.get("/admin/kpis").text.split('class="admin-nav"', 1)[1].split("</nav>", 1)[0]
    assert 'title="1 idea needs attention"' in nav and "reported" not in nav
    flag_idea(reporter_id=factories.user().id, idea_id=idea.id, reason="spam")
    nav = client.get("/admin/kpis").text.split('class="admin-nav"', 1)[1].split("</nav>", 1)[0]
    assert 'title="1 item reported"' in nav
