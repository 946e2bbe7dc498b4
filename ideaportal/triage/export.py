"""The inbox as CSV, line by line, with cells that spreadsheets will not run as formulas."""
import csv
import io
from collections.abc import Callable, Iterable, Iterator
from datetime import datetime

from .queries import InboxRow

COLUMNS = (
    "id", "title", "status", "score", "upvotes", "downvotes", "comment_count", "category", "owner", "author",
    "created_at", "first_response_at", "last_activity_at", "url",
)
# A cell starting with one of these is a formula to Excel, LibreOffice and Google Sheets (OWASP: CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value) -> str | int:
    """Text made inert for spreadsheets (a leading apostrophe); numbers stay numbers; no value is empty."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.isoformat(timespec="seconds")
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def csv_lines(rows: Iterable[InboxRow], idea_url: Callable[[InboxRow], str]) -> Iterator[str]:
    """The header, then one CSV line per row, each yielded as soon as it is written."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for values in _records(rows, idea_url):
        writer.writerow([safe_cell(value) for value in values])
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()


def _records(rows: Iterable[InboxRow], idea_url) -> Iterator[tuple]:
    yield COLUMNS
    for row in rows:
        yield (
            row.id, row.title, row.status_slug, row.score, row.upvotes, row.downvotes, row.comment_count,
            row.category_name, row.owner, row.author, row.created_at, row.first_response_at,
            row.last_activity_at, idea_url(row),
        )
