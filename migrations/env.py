"""Alembic environment: the Flask app's engine and models' metadata are the source of truth."""
import logging
import warnings
from logging.config import fileConfig

from alembic import context
from flask import current_app

from ideaportal.search.schema import include_object

config = context.config
if config.config_file_name and not logging.getLogger().handlers:  # leave a host's logging alone
    fileConfig(config.config_file_name, disable_existing_loggers=False)

migrate_ext = current_app.extensions["migrate"]
engine = migrate_ext.db.engine
target_metadata = migrate_ext.db.metadata
config.set_main_option("sqlalchemy.url", engine.url.render_as_string(hide_password=False).replace("%", "%%"))


def run_migrations_offline() -> None:
    context.configure(
        url=config.get_main_option("sqlalchemy.url"),
        target_metadata=target_metadata,
        literal_binds=True,
        compare_type=True,
        include_object=include_object,
        render_as_batch=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    def skip_empty_autogenerate(context_, revision, directives):
        if getattr(config.cmd_opts, "autogenerate", False) and directives[0].upgrade_ops.is_empty():
            directives[:] = []
            logging.getLogger("alembic.env").info("No changes in schema detected.")

    # include_object: the full-text search objects live outside the models (ideaportal/search/schema.py).
    options = {"compare_type": True, "include_object": include_object, **migrate_ext.configure_args}
    options.setdefault("process_revision_directives", skip_empty_autogenerate)
    with engine.connect() as connection:
        context.configure(connection=connection, target_metadata=target_metadata, **options)
        with context.begin_transaction():
            context.run_migrations()


with warnings.catch_warnings():
    # Batch operations on SQLite reflect the tables an altered table refers to; SQLite's
    # reflection cannot read the expression index on lower(username) and says so. The index is
    # not touched (only the altered table is rebuilt), and a test checks it after `upgrade`.
    warnings.filterwarnings("ignore", "Skipped unsupported reflection of expression-based index")
    if context.is_offline_mode():
        run_migrations_offline()
    else:
        run_migrations_online()
