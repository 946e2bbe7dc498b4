"""Triage policy and the CSV guard, tested without Flask or a database."""
import csv
import io
from datetime import datetime, timezone

import pytest

from ideaportal import rules
from ideaportal.errors import Invalid
from ideaportal.triage.export import COLUMNS, csv_lines, safe_cell
from ideaportal.triage.queries import InboxRow


def check(**overrides):
    values = {"current": "new", "target": "planned", "requires_response": False, "response": "", "merged": False}
    rules.check_status_change(**{**values, **overrides})


def test_a_plain_status_change_needs_no_response():
    check()


@pytest.mark.parametrize("overrides, field", [
    ({"requires_response": True, "response": " \n"}, "response"),
    ({"target": "new"}, "status"),
    ({"target": "duplicate", "requires_response": True, "response": "Dupe."}, "status"),
    ({"merged": True, "response": "x"}, None),
])
def test_refused_status_changes_name_the_field_at_fault(overrides, field):
    with pytest.raises(Invalid) as refused:
        check(**overrides)
    assert refused.value.field == field


def test_the_same_status_with_a_response_is_an_update():
    check(target="new", response="Still listening.")


@pytest.mark.parametrize("moment, months, expected", [
    (datetime(2026, 8, 15, 9, 30), 6, datetime(2026, 2, 15, 9, 30)),
    (datetime(2026, 3, 31), 1, datetime(2026, 2, 28)),
    (datetime(2024, 3, 31), 1, datetime(2024, 2, 29)),
    (datetime(2026, 1, 10), 1, datetime(2025, 12, 10)),
    (datetime(2026, 5, 31), 18, datetime(2024, 11, 30)),
])
def test_months_before_counts_calendar_months(moment, months, expected):
    utc = timezone.utc
    assert rules.months_before(moment.replace(tzinfo=utc), months) == expected.replace(tzinfo=utc)


@pytest.mark.parametrize("value", ["=1+1", "+1", "-2+3", "@SUM(A1)", "\tx", "\rx"])
def test_text_that_a_spreadsheet_would_run_gets_an_apostrophe(value):
    assert safe_cell(value) == "'" + value


@pytest.mark.parametrize("value, expected", [
    ("Dark mode", "Dark mode"), ("a=b", "a=b"), (-3, -3), (0, 0), (None, ""),
    (datetime(2026, 1, 2, 3, 4, 5, 678, tzinfo=timezone.utc), "2026-01-02T03:04:05+00:00"),
])
def test_other_cells_are_kept(value, expected):
    assert safe_cell(value) == expected


def test_csv_lines_are_one_header_and_one_line_per_row_even_with_newlines_in_titles():
    when = datetime(2026, 1, 2, tzinfo=timezone.utc)
    row = InboxRow(id=7, title='Multi\nline, "quoted"', score=-2, upvotes=1, downvotes=3, comment_count=0,
                   created_at=when, first_response_at=None, last_activity_at=when, is_hidden=False,
                   category_name="=cmd", status_slug="new", status_label="New", status_kind="open",
                   author="-dash", owner=None)
    lines = list(csv_lines([row], lambda r: f"https://example.com/ideas/{r.id}"))
    assert len(lines) == 2
    header, record = csv.reader(io.StringIO("".join(lines)))
    assert tuple(header) == COLUMNS
    assert dict(zip(header, record)) == {
        "id": "7", "title": 'Multi\nline, "quoted"', "status": "new", "score": "-2", "upvotes": "1",
        "downvotes": "3", "comment_count": "0", "category": "'=cmd", "owner": "", "author": "'-dash",
        "created_at": "2026-01-02T00:00:00+00:00", "first_response_at": "",
        "last_activity_at": "2026-01-02T00:00:00+00:00", "url": "https://example.com/ideas/7",
    }
