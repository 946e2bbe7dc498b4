"""Which roadmap column each status belongs in: by kind, then by where the admins placed it."""
from ideaportal.rules import roadmap_columns

SEEDED = [
    ("new", "open", 0), ("under_review", "open", 1), ("planned", "active", 2), ("in_progress", "active", 3),
    ("implemented", "completed", 4), ("partially_implemented", "completed", 5), ("already_offered", "declined", 6),
    ("not_planned", "declined", 7), ("duplicate", "declined", 8), ("archived", "declined", 9),
]


def test_the_seeded_statuses_fill_the_three_columns_and_leave_the_rest_out():
    assert roadmap_columns(SEEDED) == {
        "planned": ["planned"],
        "in_progress": ["in_progress"],
        "implemented": ["implemented", "partially_implemented"],
    }


def test_an_added_active_status_lands_by_its_position_around_in_progress():
    added = [("scheduled", "active", 2), ("in_beta", "active", 4), ("shipped", "completed", 10)]
    columns = roadmap_columns([*SEEDED, *added])
    # Ties in position are broken by slug, so "planned" comes before "scheduled".
    assert columns["planned"] == ["planned", "scheduled"]
    assert columns["in_progress"] == ["in_progress", "in_beta"]
    assert columns["implemented"] == ["implemented", "partially_implemented", "shipped"]


def test_order_follows_position_not_the_order_given():
    assert roadmap_columns(list(reversed(SEEDED)))["implemented"] == ["implemented", "partially_implemented"]


def test_without_in_progress_the_last_active_status_is_the_work_under_way():
    statuses = [("approved", "active", 1), ("designing", "active", 2), ("building", "active", 3)]
    assert roadmap_columns(statuses) == {
        "planned": ["approved", "designing"], "in_progress": ["building"], "implemented": [],
    }


def test_a_single_active_status_that_is_not_in_progress_is_a_plan():
    assert roadmap_columns([("planned", "active", 2)])["planned"] == ["planned"]
    assert roadmap_columns([("planned", "active", 2)])["in_progress"] == []
    assert roadmap_columns([]) == {"planned": [], "in_progress": [], "implemented": []}
