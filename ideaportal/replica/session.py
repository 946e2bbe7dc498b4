"""db.session's class: a request's reads go to the replica while the request allows it, everything else to the primary.

Flask-SQLAlchemy 3 chooses an engine per statement by the bind key of the tables' metadata, which suits a
table that lives in another database, not the same tables read from two. So the choice is made here, per
statement, from a flag routing.py sets on the session for one request: a SELECT (not FOR UPDATE) or a
plain read statement goes to the replica; a flush, an INSERT, UPDATE or DELETE, or any statement it cannot
tell is a read goes to the primary and ends the replica's part in the request, so that the request's later
reads see its own write. Without the flag (no replica, a POST, a job, the CLI) nothing changes.
"""
import re

from flask_sqlalchemy.session import Session
from sqlalchemy.sql.expression import GenerativeSelect, TextClause

BIND = "replica"  # its key in SQLALCHEMY_BINDS, and its state in app.extensions
READS_FROM_REPLICA = "ideaportal.reads_from_replica"  # session.info: this request's reads may go to the replica
# Written out as text, a read: search's statements and its SET LOCAL, which must reach the connection the search uses.
READ_TEXT = re.compile(r"\s*(?:SELECT|SET|SHOW)\b", re.IGNORECASE)


class RoutingSession(Session):
    def get_bind(self, mapper=None, clause=None, bind=None, **kwargs):
        primary = super().get_bind(mapper=mapper, clause=clause, bind=bind, **kwargs)
        if bind is not None or not self.info.get(READS_FROM_REPLICA):
            return primary
        if is_read(clause) and not self._flushing:
            return self._db.engines[BIND]
        self.info[READS_FROM_REPLICA] = False  # a write, or a statement that may be one: stay on the primary
        return primary


def is_read(clause) -> bool:
    if isinstance(clause, GenerativeSelect):
        return clause._for_update_arg is None
    return isinstance(clause, TextClause) and READ_TEXT.match(clause.text) is not None
