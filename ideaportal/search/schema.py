"""Full-text search objects that the migrations make outside the models, and the autogenerate hook that hides them.

SQLite keeps an FTS5 index of idea titles and bodies in the virtual table `idea_fts` (its
shadow tables end in _data, _idx, _docsize, _config), filled by triggers on `idea`. PostgreSQL
keeps a stored generated `tsvector` column `idea.search_vector` with a GIN index. Neither can be
described by a SQLAlchemy model, so `include_object` keeps Alembic from proposing to drop them.
"""

FTS_TABLE = "idea_fts"
FTS_SHADOWS = ("data", "idx", "docsize", "config", "content")  # FTS5 makes these; external content: no _content
FTS_TABLES = frozenset({FTS_TABLE, *(f"{FTS_TABLE}_{shadow}" for shadow in FTS_SHADOWS)})
FTS_TRIGGERS = ("idea_fts_after_insert", "idea_fts_after_delete", "idea_fts_after_update")
VECTOR_COLUMN = "search_vector"
VECTOR_INDEX = "ix_idea_search_vector"


def include_object(object_, name, type_, reflected, compare_to) -> bool:
    """False for exactly the search objects found in the database; everything else is compared."""
    if not reflected or compare_to is not None:
        return True
    if type_ == "table":
        return name not in FTS_TABLES
    if type_ == "column":
        return not (name == VECTOR_COLUMN and object_.table.name == "idea")
    if type_ == "index":
        return name != VECTOR_INDEX
    return True
