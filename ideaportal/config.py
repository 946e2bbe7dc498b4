"""Configuration defaults. The environment is read only inside create_app."""


class Config:
    SECRET_KEY: str | None = None  # from the environment, else generated once into instance/
    SQLALCHEMY_DATABASE_URI: str | None = None  # default: SQLite file in instance/
    SQLALCHEMY_ENGINE_OPTIONS: dict = {"pool_pre_ping": True}
    # A read replica of the primary (DATABASE_REPLICA_URL), read by the public read pages (replica/): None, only the primary.
    REPLICA_DATABASE_URI: str | None = None
    REPLICA_LAG_SECONDS = 5  # the most the replica is expected to lag: who wrote reads the primary this long after
    REPLICA_RETRY_SECONDS = 30  # a process that found the replica unreachable reads the primary this long, then tries again
    BASE_URL = "http://127.0.0.1:5000"
    REDIS_URL: str | None = None

    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = True  # relaxed in create_app for debug and testing
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_SECURE = True
    REMEMBER_COOKIE_DURATION = 60 * 60 * 24 * 30  # a remembered login ends this long after it began
    SESSION_IDLE_SECONDS = 60 * 60 * 24  # a login not remembered ends after this long without a request

    HSTS_SECONDS = 0  # > 0 once the site is served only over HTTPS: browsers then refuse plain http to it
    WTF_CSRF_TIME_LIMIT = None  # the token lives as long as the session
    MAX_CONTENT_LENGTH = 1024 * 1024

    # argon2id, OWASP's first recommended setting (m=47 MiB would also do; we take 64 MiB).
    ARGON2_TIME_COST = 3
    ARGON2_MEMORY_COST = 64 * 1024
    ARGON2_PARALLELISM = 2

    RATELIMIT_ENABLED = True
    RATELIMIT_STORAGE_URI = "memory://"
    RATELIMIT_HEADERS_ENABLED = True
    LOGIN_RATE_LIMIT = "10 per minute"  # per client address (see TRUSTED_PROXIES)
    TRUSTED_PROXIES = 0  # reverse proxies in front of the app whose X-Forwarded-For/-Proto/-Host to believe
    LOGIN_LOCKOUT_AFTER = 10  # wrong passwords in a row for one account, from anywhere, pause its logins...
    LOGIN_LOCKOUT_SECONDS = 15 * 60  # ...this long, and its owner gets an email
    # Writes per member (or per address for visitors), as Flask-Limiter strings.
    IDEA_RATE_LIMIT = "20 per hour"  # a refused or near-duplicate post counts too
    COMMENT_RATE_LIMIT = "30 per 10 minutes"
    VOTE_RATE_LIMIT = "120 per minute"
    FLAG_RATE_LIMIT = "20 per hour"
    SIMILAR_RATE_LIMIT = "120 per minute"  # typing asks once per pause
    ACCOUNT_MAIL_RATE_LIMIT = "5 per hour"  # reset and verification emails asked for, per address
    PASSWORD_CHECK_RATE_LIMIT = "10 per hour"  # account forms that ask for the password, per member

    # Accounts. With EMAIL_VERIFICATION, a new account confirms its address by a link before it signs in,
    # and unconfirmed members may browse and vote but not post ideas or comments.
    EMAIL_VERIFICATION = True
    VERIFY_LINK_SECONDS = 7 * 24 * 60 * 60
    RESET_LINK_SECONDS = 60 * 60
    EMAIL_CHANGE_LINK_SECONDS = 24 * 60 * 60
    VOTE_INTENT_SECONDS = 60 * 60  # a visitor's vote waits this long for them to log in or register

    PAGE_SIZE = 20
    # The shared cache (ideaportal/cache.py): None picks Redis when REDIS_URL is set, else files in instance/cache/.
    CACHE_TYPE: str | None = None
    CACHE_DIR: str | None = None
    CACHE_THRESHOLD = 20000  # entries the file cache keeps before it drops the oldest
    CACHE_DEFAULT_TIMEOUT = 300
    PAGE_CACHE_SECONDS = 60  # the most an anonymous page is kept; a write from any process replaces it sooner
    LEADERBOARD_CACHE_SECONDS = 60  # how stale the leaderboard may be; 0 computes it on every request
    STATS_CACHE_SECONDS = 60  # the same for /stats and the home page's median wait for an answer
    RELATED_CACHE_SECONDS = 600  # how stale an idea page's "related ideas" may be
    SEARCH_STATISTICS_SECONDS = 300  # PostgreSQL: how long a process keeps ANALYZE's word counts for ranking

    REQUEST_LOG = True  # a JSON line per request on stderr, with its request id (requestlog.py)

    SITE_NAME = "IdeaPortal"

    # Mail. No MAIL_SERVER: messages are written to instance/mail/ and logged, for a person to read.
    MAIL_SERVER: str | None = None
    MAIL_PORT = 25
    MAIL_USERNAME: str | None = None
    MAIL_PASSWORD: str | None = None
    MAIL_USE_TLS = False  # STARTTLS on MAIL_PORT (usually 587)
    MAIL_USE_SSL = False  # TLS from the first byte (usually port 465)
    MAIL_DEFAULT_SENDER = "IdeaPortal <no-reply@localhost>"
    MAIL_TIMEOUT = 20  # seconds for the SMTP server to answer
    MAIL_MAX_ATTEMPTS = 8  # then the message is a dead letter, listed for admins to retry
    MAIL_RETRY_SECONDS = 30  # the first retry's delay; each next one doubles it...
    MAIL_RETRY_MAX_SECONDS = 6 * 60 * 60  # ...up to this

    # The job engine (Huey). auto: Redis when REDIS_URL is set, else a SQLite file in instance/.
    JOBS_BACKEND = "auto"  # auto | sqlite | redis | memory | immediate
    JOBS_SQLITE_PATH: str | None = None  # default: instance/jobs.sqlite3
    JOBS_NAME = "ideaportal"  # the queue's name (its key prefix in Redis)
    DIGEST_HOUR = 7  # the daily digest goes out at this hour, UTC
    NOTIFICATION_RETENTION_DAYS = 90  # read notifications older than this are deleted
    ARCHIVE_STALE_MONTHS = 0  # > 0: archive `new` ideas idle this many months, daily at 04:00 UTC
