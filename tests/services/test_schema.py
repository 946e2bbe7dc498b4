"""The migrations own the schema: `upgrade head` on an empty database yields exactly the models."""
import re

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect, select, text

from ideaportal.extensions import db
from ideaportal.models import Status
from ideaportal.search.schema import include_object
from tests.helpers import fixture_empty_app  # noqa: F401 (fixture empty_app)

DEFAULT_STATUSES = [
    "new", "under_review", "planned", "in_progress", "implemented",
    "partially_implemented", "already_offered", "not_planned", "duplicate", "archived",
]


def test_there_is_exactly_one_migration_head(empty_app):
    script = ScriptDirectory.from_config(empty_app.extensions["migrate"].migrate.get_config())
    assert len(script.get_heads()) == 1


EXPRESSION_INDEX_WARNING = "ignore:Skipped unsupported reflection of expression-based index:sqlalchemy.exc.SAWarning"


@pytest.mark.filterwarnings(EXPRESSION_INDEX_WARNING)
@pytest.mark.filterwarnings("ignore:autogenerate skipping metadata-specified expression-based index:UserWarning")
def test_upgrade_head_matches_the_models_exactly(empty_app):
    upgrade()
    with db.engine.connect() as connection:
        # The full-text search objects are not in the models; tests/services/test_search.py checks them.
        opts = {"compare_type": True, "include_object": include_object}
        context = MigrationContext.configure(connection, opts=opts)
        assert compare_metadata(context, db.metadata) == []


def test_the_case_insensitive_username_index_exists(empty_app):
    """Checked in the catalogue, since SQLite's reflection skips expression indexes."""
    upgrade()
    with db.engine.connect() as connection:
        if db.engine.dialect.name == "sqlite":
            sql = "SELECT sql FROM sqlite_master WHERE name = 'uq_user_username_lower'"
        else:
            sql = "SELECT indexdef FROM pg_indexes WHERE indexname = 'uq_user_username_lower'"
        definition = connection.execute(text(sql)).scalar()
    assert "UNIQUE INDEX" in definition and re.search(r"lower\(\(?username\)?", definition)


def test_upgrade_seeds_ideastorms_statuses_in_order(empty_app):
    upgrade()
    assert list(db.session.scalars(select(Status.slug).order_by(Status.position))) == DEFAULT_STATUSES
    needs_answer = set(db.session.scalars(select(Status.slug).where(Status.requires_response)))
    assert needs_answer == {"already_offered", "not_planned", "duplicate"}


def test_downgrade_to_base_removes_everything(empty_app):
    upgrade()
    downgrade(revision="base")
    tables = set(inspect(db.engine).get_table_names()) - {"alembic_version"}
    assert tables == set()
    with db.engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM alembic_version")).scalar() == 0
