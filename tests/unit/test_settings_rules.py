"""Settings policy without Flask or a database: contrast, slugs, who may change admins, reordering."""
import importlib.util
from pathlib import Path

import pytest

from ideaportal import rules
from ideaportal.errors import Conflict, Invalid, PermissionDenied
from ideaportal.settings.styles import badge_stylesheet

MIGRATION = Path(__file__).resolve().parents[2] / "migrations/versions/20261123_ed45b690384e_initial_schema.py"


def seeded_statuses():
    spec = importlib.util.spec_from_file_location("initial_schema_for_rules", MIGRATION)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.STATUSES


def test_contrast_ratio_spans_one_to_twenty_one():
    assert rules.contrast_ratio("#000000", "#ffffff") == pytest.approx(21.0)
    assert rules.contrast_ratio("#ffffff", "#ffffff") == pytest.approx(1.0)
    assert rules.contrast_ratio("#777777", "#777777") == pytest.approx(1.0)


def test_contrast_ratio_is_symmetric_and_case_blind():
    assert rules.contrast_ratio("#1F5FAD", "#ffffff") == pytest.approx(rules.contrast_ratio("#ffffff", "#1f5fad"))


@pytest.mark.parametrize("colour, expected", [
    ("#767676", 4.54),  # the lightest grey that passes AA on white
    ("#777777", 4.48),  # shown as 4.47: rounded down, so a refusal never reads 4.50
    ("#ff0000", 4.00),
    ("#0000ff", 8.59),
    ("#1d4ed8", 6.70),
])
def test_contrast_ratio_matches_published_wcag_values(colour, expected):
    assert rules.contrast_ratio(colour, "#ffffff") == pytest.approx(expected, abs=0.01)


@pytest.mark.parametrize("text", ["#fff", "1f5fad", "#1f5fa", "#gggggg", "red", "#1f5fad\n", ""])
def test_contrast_ratio_refuses_what_is_not_rrggbb(text):
    with pytest.raises(Invalid):
        rules.contrast_ratio(text, "#ffffff")


def test_badge_colour_must_carry_white_text_at_four_and_a_half_to_one():
    assert rules.check_badge_colour(" #1F5FAD ") == "#1f5fad"
    assert rules.check_badge_colour("#767676") == "#767676"
    with pytest.raises(Invalid) as refused:
        rules.check_badge_colour("#777777")
    assert refused.value.field == "colour"
    assert "4.47:1" in refused.value.message and "at least 4.5:1" in refused.value.message
    with pytest.raises(Invalid, match="six hex digits"):
        rules.check_badge_colour("yellow")


def test_every_seeded_status_colour_passes_so_admins_can_save_them_unchanged():
    for slug, _label, _kind, colour, _requires in seeded_statuses():
        assert rules.check_badge_colour(colour) == colour, slug


def test_system_statuses_are_the_ones_the_code_moves_ideas_to():
    assert rules.SYSTEM_STATUSES == {"new", "duplicate", "archived"}
    assert rules.SYSTEM_STATUSES <= {slug for slug, *_ in seeded_statuses()}


@pytest.mark.parametrize("slug", ["shipped", "in_beta", "q3_2027"])
def test_status_slugs_are_lowercase_words_and_underscores(slug):
    assert rules.check_status_slug(slug) == slug


@pytest.mark.parametrize("slug", [
    "", "Shipped", "in-beta", "9lives", "_x", "a" * 41, "in beta", "x}body{", "ünder", "shipped\n",
])
def test_status_slugs_refuse_anything_else(slug):
    with pytest.raises(Invalid) as refused:
        rules.check_status_slug(slug)
    assert refused.value.field == "slug"


@pytest.mark.parametrize("slug", ["open", "active", "completed", "declined", "official", "hidden"])
def test_status_slugs_may_not_take_another_badge_style(slug):
    with pytest.raises(Invalid, match="reserved"):
        rules.check_status_slug(slug)


def test_category_slugs():
    assert rules.check_category_slug("mobile-app") == "mobile-app"
    assert rules.check_category_slug("api_v2") == "api_v2"
    for slug in ("", "Mobile", "-x", "x-", "a--b", "a b", "a" * 41, "x\n"):
        with pytest.raises(Invalid):
            rules.check_category_slug(slug)


def test_system_and_used_statuses_cannot_be_deleted():
    rules.check_status_deletable(slug="shipped", in_use=False)
    for slug in rules.SYSTEM_STATUSES:
        with pytest.raises(PermissionDenied, match="built in"):
            rules.check_status_deletable(slug=slug, in_use=False)
    with pytest.raises(Conflict, match="Ideas use this status"):
        rules.check_status_deletable(slug="shipped", in_use=True)


def test_an_admin_cannot_demote_themselves_but_may_change_others():
    with pytest.raises(PermissionDenied, match="your own admin role"):
        rules.check_role_change(actor_id=1, user_id=1, old_role="admin", new_role="pm")
    rules.check_role_change(actor_id=1, user_id=2, old_role="admin", new_role="member")
    rules.check_role_change(actor_id=1, user_id=1, old_role="admin", new_role="admin")
    rules.check_role_change(actor_id=None, user_id=1, old_role="admin", new_role="pm")  # the command line
    with pytest.raises(Invalid):
        rules.check_role_change(actor_id=1, user_id=2, old_role="member", new_role="owner")


def test_nobody_deactivates_themselves():
    with pytest.raises(PermissionDenied, match="your own account"):
        rules.check_deactivation(actor_id=3, user_id=3)
    rules.check_deactivation(actor_id=3, user_id=4)


def test_at_least_one_active_admin_remains():
    rules.check_admins_remain(1)
    with pytest.raises(Conflict, match="last active admin"):
        rules.check_admins_remain(0)


def test_swapping_with_a_neighbour():
    assert rules.swap_with_neighbour([5, 6, 7], 6, "up") == [6, 5, 7]
    assert rules.swap_with_neighbour([5, 6, 7], 6, "down") == [5, 7, 6]
    assert rules.swap_with_neighbour([5, 6, 7], 5, "up") == [5, 6, 7]
    assert rules.swap_with_neighbour([5, 6, 7], 7, "down") == [5, 6, 7]
    with pytest.raises(Invalid):
        rules.swap_with_neighbour([5, 6, 7], 6, "sideways")


def test_badge_stylesheet_writes_one_rule_per_valid_status_and_skips_the_rest():
    css = badge_stylesheet([
        ("planned", "#6b3fa0"),
        ("x{}body{display:none}", "#000000"),  # not a slug: would inject a rule
        ("evil", "red;}body{display:none"),  # not a colour
        ("shout", "#ABCDEF"),  # not the stored (lower-case) shape
        ("official", "#000000"),  # would recolour another badge
        ("trailing\n", "#000000"),
    ])
    assert ".badge--planned { background: #6b3fa0; }" in css
    assert "body" not in css and "evil" not in css and "shout" not in css and "official" not in css
    assert "trailing" not in css
    assert css.count("{") == 1 and css.count("}") == 1
