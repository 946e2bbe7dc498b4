"""IdeaPortal: an idea crowdsourcing portal. `create_app` builds the Flask application."""
import os
import secrets
from pathlib import Path

from flask import Flask
from sqlalchemy import event
from sqlalchemy.engine import Engine

from .config import Config
from .web import register_request_guards

PROJECT_ROOT = Path(__file__).resolve().parent.parent
ENVIRONMENT_KEYS = {
    "SECRET_KEY": "SECRET_KEY",
    "DATABASE_URL": "SQLALCHEMY_DATABASE_URI",
    "DATABASE_REPLICA_URL": "REPLICA_DATABASE_URI",
    "BASE_URL": "BASE_URL",
    "REDIS_URL": "REDIS_URL",
    **{key: key for key in ("MAIL_SERVER", "MAIL_PORT", "MAIL_USERNAME", "MAIL_PASSWORD", "MAIL_USE_TLS",
                            "MAIL_USE_SSL", "MAIL_DEFAULT_SENDER")},
}
TRUE_WORDS = {"1", "true", "yes", "on"}


def create_app(overrides: dict | None = None) -> Flask:
    """Build the app: class defaults, then the environment, then `overrides` (tests)."""
    app = Flask(
        __name__,
        instance_path=os.environ.get("IDEAPORTAL_INSTANCE_PATH") or str(PROJECT_ROOT / "instance"),
        template_folder=str(PROJECT_ROOT / "templates"),
        static_folder=str(PROJECT_ROOT / "static"),
    )
    configure(app, overrides or {})
    register_request_log(app)
    register_extensions(app)
    register_request_guards(app)
    register_blueprints(app)
    register_page_cache(app)
    register_error_handlers(app)
    register_template_helpers(app)
    register_commands(app)
    trust_proxies(app)  # last: the outermost WSGI layer, so that the layers inside (fastpath.py) see the client
    return app


def configure(app: Flask, overrides: dict) -> None:
    app.config.from_object(Config)
    for env_name, key in ENVIRONMENT_KEYS.items():
        if os.environ.get(env_name):
            app.config[key] = os.environ[env_name]
    app.config.from_prefixed_env("IDEAPORTAL")
    app.config.update(overrides)
    for key in ("MAIL_USE_TLS", "MAIL_USE_SSL"):
        if isinstance(app.config[key], str):
            app.config[key] = app.config[key].strip().lower() in TRUE_WORDS
    app.config["MAIL_PORT"] = int(app.config["MAIL_PORT"])
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    if not app.config["SQLALCHEMY_DATABASE_URI"]:
        app.config["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{Path(app.instance_path) / 'ideaportal.sqlite3'}"
    for key in ("SQLALCHEMY_DATABASE_URI", "REPLICA_DATABASE_URI"):
        if (app.config[key] or "").startswith("postgresql://"):
            app.config[key] = app.config[key].replace("postgresql://", "postgresql+psycopg://", 1)
    if not app.config["SECRET_KEY"]:
        app.config["SECRET_KEY"] = instance_secret_key(Path(app.instance_path) / "secret_key")
    if app.config["REDIS_URL"] and app.config["RATELIMIT_STORAGE_URI"] == "memory://":
        app.config["RATELIMIT_STORAGE_URI"] = app.config["REDIS_URL"]
    if app.debug or app.testing:  # the development server and tests speak plain http
        app.config["SESSION_COOKIE_SECURE"] = app.config["REMEMBER_COOKIE_SECURE"] = False


def trust_proxies(app: Flask) -> None:
    """Behind TRUSTED_PROXIES reverse proxies, take the client's address, scheme and host from their
    X-Forwarded-* headers; with none (the default), those headers are ignored, whoever sent them."""
    hops = int(app.config["TRUSTED_PROXIES"])
    if hops > 0:
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)


def instance_secret_key(path: Path) -> str:
    """A key generated once per installation and kept in instance/ (never in the repository)."""
    if not path.exists():
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    return path.read_text().strip()


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, connection_record):
    """WAL, a busy timeout, enforced foreign keys and NORMAL sync on every SQLite connection."""
    if type(dbapi_connection).__module__ != "sqlite3":
        return
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def register_request_log(app: Flask) -> None:
    """First, so that every request has its id before any other hook can refuse it."""
    from . import requestlog

    requestlog.init_app(app)


def register_extensions(app: Flask) -> None:
    from . import cache, jobs
    from .auth.loader import Visitor, load_user
    from .extensions import csrf, db, limiter, login_manager, migrate
    from .replica import routing as replica

    replica.configure(app)
    db.init_app(app)
    replica.init_app(app)
    cache.init_app(app)
    migrate.init_app(app, db, directory=str(PROJECT_ROOT / "migrations"), render_as_batch=True)
    csrf.init_app(app)
    limiter.init_app(app)
    login_manager.init_app(app)
    login_manager.user_loader(load_user)
    login_manager.anonymous_user = Visitor
    login_manager.login_view = "auth.login"
    login_manager.login_message = "Please log in to do that."
    login_manager.login_message_category = "info"
    jobs.init_app(app)


def register_blueprints(app: Flask) -> None:
    from .account.views import bp as account_bp
    from .auth.views import bp as auth_bp
    from .campaigns.views import admin_bp as campaign_admin_bp
    from .campaigns.views import bp as campaigns_bp
    from .comments.views import bp as comments_bp
    from .feeds.views import bp as feeds_bp
    from .follows.views import bp as follows_bp
    from .health.views import bp as health_bp
    from .ideas.views import bp as ideas_bp
    from .kpis.views import bp as kpis_bp
    from .leaderboard.views import bp as leaderboard_bp
    from .leaderboard.views import users_bp
    from .main.views import bp as main_bp
    from .merges.views import bp as merges_bp
    from .moderation.views import bp as moderation_bp
    from .moderation.views import flags_bp
    from .notifications.views import bp as notifications_bp
    from .notifications.views import outbox_bp
    from .roadmap.views import bp as roadmap_bp
    from .search.views import bp as search_bp
    from .settings.styles import bp as status_styles_bp
    from .settings.views import bp as settings_bp
    from .stats.views import bp as stats_bp
    from .triage.views import bp as triage_bp

    app.register_blueprint(main_bp)
    app.register_blueprint(health_bp)
    app.register_blueprint(auth_bp)
    app.register_blueprint(account_bp)
    app.register_blueprint(ideas_bp)
    app.register_blueprint(search_bp)
    app.register_blueprint(comments_bp)
    app.register_blueprint(follows_bp)
    app.register_blueprint(merges_bp)
    app.register_blueprint(kpis_bp)
    app.register_blueprint(leaderboard_bp)
    app.register_blueprint(users_bp)
    app.register_blueprint(roadmap_bp)
    app.register_blueprint(stats_bp)
    app.register_blueprint(feeds_bp)
    app.register_blueprint(flags_bp)
    app.register_blueprint(moderation_bp)
    app.register_blueprint(triage_bp)
    app.register_blueprint(settings_bp)
    app.register_blueprint(status_styles_bp)
    app.register_blueprint(campaigns_bp)
    app.register_blueprint(campaign_admin_bp)
    app.register_blueprint(notifications_bp)
    app.register_blueprint(outbox_bp)


def register_page_cache(app: Flask) -> None:
    from . import fastpath, pages

    pages.init_app(app)
    fastpath.init_app(app)


def register_error_handlers(app: Flask) -> None:
    from .errors import register_error_handlers as register
    from .security import register_security_headers

    register(app)
    register_security_headers(app)


def register_template_helpers(app: Flask) -> None:
    from .templating import register as register_templating

    register_templating(app)


def register_commands(app: Flask) -> None:
    from .cli import register as register_cli

    register_cli(app)
