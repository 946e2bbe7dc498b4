"""Pure policy, tested without Flask or a database."""
from datetime import datetime, timedelta, timezone

import pytest

from ideaportal import rules
from ideaportal.errors import Invalid, PermissionDenied
from ideaportal.text import plain_text, render_markdown
from ideaportal.web import safe_next
from tests.html_safety import unsafe_markup

NOON = datetime(2026, 6, 1, 12, tzinfo=timezone.utc)


def test_hot_rank_grows_with_score_by_orders_of_magnitude():
    assert rules.hot_rank(10, NOON) - rules.hot_rank(1, NOON) == pytest.approx(1.0)
    assert rules.hot_rank(100, NOON) - rules.hot_rank(10, NOON) == pytest.approx(1.0)


def test_hot_rank_of_negative_score_falls_below_zero_score():
    assert rules.hot_rank(-10, NOON) < rules.hot_rank(0, NOON) < rules.hot_rank(10, NOON)


def test_hot_rank_prefers_newer_ideas_with_equal_score():
    assert rules.hot_rank(5, NOON + timedelta(hours=1)) > rules.hot_rank(5, NOON)


def test_hot_rank_trades_ten_votes_for_twelve_and_a_half_hours():
    later = NOON + timedelta(seconds=rules.HOT_HALF_LIFE_SECONDS)
    assert rules.hot_rank(1, later) == pytest.approx(rules.hot_rank(10, NOON))


def test_hot_rank_treats_naive_datetimes_as_utc():
    assert rules.hot_rank(3, NOON.replace(tzinfo=None)) == rules.hot_rank(3, NOON)


@pytest.mark.parametrize(
    ("old", "new", "up", "down", "score"),
    [
        (0, 1, 1, 0, 1), (0, -1, 0, 1, -1), (1, 0, -1, 0, -1), (-1, 0, 0, -1, 1),
        (1, -1, -1, 1, -2), (-1, 1, 1, -1, 2), (1, 1, 0, 0, 0), (-1, -1, 0, 0, 0), (0, 0, 0, 0, 0),
    ],
)
def test_vote_delta_moves_counters_for_every_transition(old, new, up, down, score):
    delta = rules.vote_delta(old, new)
    assert (delta.upvotes, delta.downvotes, delta.score) == (up, down, score)


@pytest.mark.parametrize("bad", [2, -2, 5])
def test_vote_delta_refuses_values_other_than_one_zero_minus_one(bad):
    with pytest.raises(Invalid):
        rules.vote_delta(0, bad)


def test_only_the_author_edits_an_idea_and_only_while_new():
    rules.check_can_edit_idea(actor_id=1, author_id=1, status_slug="new")
    with pytest.raises(PermissionDenied):
        rules.check_can_edit_idea(actor_id=2, author_id=1, status_slug="new")
    with pytest.raises(PermissionDenied):
        rules.check_can_edit_idea(actor_id=1, author_id=1, status_slug="planned")


def test_only_the_author_changes_a_comment_and_not_once_deleted():
    rules.check_can_change_comment(actor_id=1, author_id=1, deleted=False)
    with pytest.raises(PermissionDenied):
        rules.check_can_change_comment(actor_id=2, author_id=1, deleted=False)
    with pytest.raises(PermissionDenied):
        rules.check_can_change_comment(actor_id=1, author_id=1, deleted=True)


@pytest.mark.parametrize(
    ("password", "problem"),
    [
        ("short", "at least 10"),
        ("x" * 129, "at most 128"),
        ("password123", "commonly used"),
        ("QWERTYUIOP", "commonly used"),
        ("alice.smith", "email address or username"),
    ],
)
def test_password_policy_names_the_problem(password, problem):
    found = rules.password_problem(password, email="alice.smith@example.com", username="alice")
    assert found is not None and problem in found


def test_password_policy_accepts_a_long_uncommon_passphrase():
    assert rules.password_problem("violet tractor umbrella", email="a@example.com", username="al") is None
    assert rules.password_problem("x" * 128) is None


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        ("/ideas?sort=top", "/ideas?sort=top"),
        ("/", "/"),
        ("https://evil.example/", None),
        ("//evil.example/path", None),
        ("/\\evil.example", None),
        ("javascript:alert(1)", None),
        ("ideas", None),
        ("/ok\r\nSet-Cookie: x=1", None),
        ("", None),
        (None, None),
    ],
)
def test_safe_next_keeps_only_paths_on_this_site(target, expected):
    assert safe_next(target) == expected


@pytest.mark.parametrize(
    ("text", "slug"),
    [("Dark mode, please!", "dark-mode-please"), ("Café crème", "cafe-creme"), ("日本語", "idea"), ("---", "idea")],
)
def test_slugify_makes_readable_ascii(text, slug):
    assert rules.slugify(text) == slug


def test_markdown_renders_emphasis_lists_and_links_with_safe_rel():
    html = render_markdown("**bold** and [site](https://example.com)\n\n- one\n- two")
    assert "<strong>bold</strong>" in html
    assert '<a href="https://example.com" rel="nofollow ugc noopener">site</a>' in html
    assert "<li>one</li>" in html


@pytest.mark.parametrize(
    "source",
    [
        "<script>alert(1)</script>",
        "<img src=x onerror=alert(1)>",
        "[click](javascript:alert(1))",
        "[click](data:text/html;base64,PHNjcmlwdD4=)",
        "[click](vbscript:msgbox)",
        '<a href="javascript:alert(1)">x</a>',
        "![img](https://example.com/x.png)",
    ],
)
def test_markdown_never_emits_script_handlers_or_dangerous_urls(source):
    assert unsafe_markup(render_markdown(source)) == []


def test_markdown_shows_typed_html_as_text():
    assert render_markdown("<b>hi</b>") == "<p>&lt;b&gt;hi&lt;/b&gt;</p>\n"


def test_markdown_keeps_mailto_links():
    assert 'href="mailto:pm@example.com"' in render_markdown("[mail](mailto:pm@example.com)")


def test_plain_text_drops_markdown_syntax_and_keeps_typed_html_as_words():
    assert plain_text("**Bold** idea\n\n- one\n- [two](https://x.test)\n\n<b>&amp;</b>", 100) == (
        "Bold idea. one. two. <b>&</b>"  # an entity reads as its character, as on the idea page
    )


def test_plain_text_turns_paragraphs_and_list_items_into_sentences():
    body = "I switched last year.\n\n1. Offline maps\n2. A setting to turn it off\n\n## Why\n\nThanks for reading!"
    assert plain_text(body, 200) == (
        "I switched last year. Offline maps. A setting to turn it off. Why. Thanks for reading!"
    )
    assert plain_text("Is it *possible*?\n\n- yes: \n- no", 100) == "Is it possible? yes: no"


def test_plain_text_cuts_at_a_word_boundary_with_an_ellipsis():
    assert plain_text("alpha beta gamma delta", 14) == "alpha beta…"
    assert plain_text("alpha beta", 10) == "alpha beta"


def test_the_safety_scanner_itself_spots_each_kind_of_danger():
    found = unsafe_markup(
        '<script>x</script><a href="javascript:x">a</a><p onclick="x" style="c">p</p><img src=x>'
    )
    assert len(found) == 5


def test_mail_retries_back_off_exponentially_up_to_a_ceiling():
    from ideaportal.mail.outbox import retry_delay

    delays = [retry_delay(attempts, base=30, ceiling=3600) for attempts in range(1, 10)]
    assert delays[:5] == [30, 60, 120, 240, 480]
    assert delays[-1] == 3600 and delays == sorted(delays)


@pytest.mark.parametrize("agent, device", [
    ("Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0", "Firefox on Linux"),
    ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 Version/17.5 Mobile Safari/604.1",
     "Safari on iPhone"),
    ("Mozilla/5.0 (Windows NT 10.0) AppleWebKit/537.36 Chrome/126.0 Safari/537.36 Edg/126.0", "Edge on Windows"),
    ("curl/8.5.0", "curl"),
    ("", "Unknown browser"),
    ("Mozilla/5.0 (Linux; Android 14)", "A browser on Android"),
])
def test_a_session_is_named_by_its_browser_and_system(agent, device):
    from ideaportal.auth.rules import describe_device

    assert describe_device(agent) == device


@pytest.mark.parametrize("text, visible", [
    ("Dark mode", True), ("\u200b\u200d\ufeff", False), (" \u3164\u115f\t\n", False), ("\u00ad\u034f", False),
    ("\u202e", False), ("é", True), ("\u200bx", True), ("😀", True),
])
def test_text_is_visible_when_a_character_shows(text, visible):
    from ideaportal.text import has_visible_text

    assert has_visible_text(text) is visible


def test_mentions_are_found_in_text_but_not_in_code_links_or_addresses():
    from ideaportal.text import mention_candidates, render_markdown_with_mentions

    source = "Hi @Sam and @lee_2, not `@code`, [@link](https://example.com) or mail@example.com; @sam again"
    assert mention_candidates(source) == {"sam", "lee_2"}
    html = render_markdown_with_mentions(source, {"sam": "/users/Sam"})
    assert html.count('<a href="/users/Sam"') == 2 and "@lee_2" in html and "<code>@code</code>" in html


def test_audit_actions_read_as_words():
    from ideaportal.audit import action_words

    assert action_words("idea.status") == "changed the status of"
    assert action_words("category.create") == "created the category"
    assert action_words("status.move") == "moved the status"
    assert action_words("something.odd") == "something.odd"  # unknown actions stay as they are
