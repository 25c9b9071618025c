"""Settings for quizsite, read from the environment.

Development needs nothing set: `make run` turns DJANGO_DEBUG on and uses SQLite under var/.
Production sets DJANGO_SECRET_KEY, DJANGO_ALLOWED_HOSTS and usually DATABASE_URL.
"""

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def envbool(name: str, default: str = "") -> bool:
    value = os.environ.get(name, default).strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(
        f"{name} must be one of 1/0, true/false, yes/no, on/off; got {value!r}"
    )


def envint(name: str, default: str) -> int:
    value = os.environ.get(name, default).strip()
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number; got {value!r}") from None


def envlist(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = envbool("DJANGO_DEBUG")

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY must be set when DJANGO_DEBUG is off "
            "(generate one with: python -c 'import secrets; print(secrets.token_urlsafe(50))')"
        )
    SECRET_KEY = "insecure-development-key-never-used-in-production"

ALLOWED_HOSTS = envlist("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = envlist("DJANGO_CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "quizsite.apps.QuizsiteAdminConfig",  # django.contrib.admin, with our admin site
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_htmx",
    "template_partials",
    "axes",
    # Before django_tasks_db: its db_worker command is ours (quizzes/management/commands).
    "quizzes",
    "django_tasks",
    "django_tasks_db",
]

MIDDLEWARE = [
    # Outermost, so that every answer has had its say (its Content-Length too) first.
    "quizsite.middleware.HeadWithoutBodyMiddleware",
    # First to answer: a load balancer's probe, over plain HTTP by the server's own address.
    "quizsite.health.HealthCheckMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Outside every middleware that can answer by itself (an unknown host, a form in another
    # charset, the slash redirect): those answers refuse framing too.
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "quizsite.middleware.ContentSecurityPolicyMiddleware",
    # Outside the session and CSRF middleware: it reads their Vary header and cookies.
    "quizsite.middleware.PrivatePagesMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Before the CSRF check, which reads the form; after the user is known, for its page.
    "quizsite.middleware.FormCharsetMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Inside the CSRF, message and header middleware: the page it renders gets their
    # cookies and headers.
    "quizsite.middleware.MethodNotAllowedPageMiddleware",
    # A deck's old address leads to it after staff changed its slug.
    "quizsite.middleware.FormerDeckSlugMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Last, as django-axes asks: it reads the outcome of the authentication above.
    "axes.middleware.AxesMiddleware",
]

# Where quizsite.health answers whether this app server can serve.
QUIZSITE_HEALTH_PATH = os.environ.get("QUIZSITE_HEALTH_PATH", "/healthz").strip() or "/healthz"
# What a monitor sends (Authorization: Bearer ...) to read which part failed and the task
# queue's wait; anyone else (staff signed in aside) reads the status alone. Empty: none.
QUIZSITE_HEALTHZ_TOKEN = os.environ.get("QUIZSITE_HEALTHZ_TOKEN", "").strip()
if QUIZSITE_HEALTHZ_TOKEN and len(QUIZSITE_HEALTHZ_TOKEN) < 20:
    raise ImproperlyConfigured(
        "QUIZSITE_HEALTHZ_TOKEN must be at least 20 characters long (a random one: "
        "python -c 'import secrets; print(secrets.token_urlsafe())'), or empty for none"
    )

ROOT_URLCONF = "quizsite.urls"
WSGI_APPLICATION = "quizsite.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "quizzes.context_processors.study",
                "quizzes.context_processors.password_reset",
                # In place of Django's csrf_token; page_cache, after it, in place of both.
                "quizzes.context_processors.csrf",
                "quizzes.context_processors.page_cache",
            ],
            # {% partialdef %} and {% partial %} everywhere, as in Django 6 where they are built in.
            "builtins": ["template_partials.templatetags.partials"],
        },
    },
]

# SQLite lives outside the code, under var/ (or QUIZSITE_VAR_DIR), so a checkout just works.
VAR_DIR = Path(os.environ.get("QUIZSITE_VAR_DIR", BASE_DIR / "var"))
SQLITE_OPTIONS = {
    # IMMEDIATE takes the write lock when a transaction starts, so two writers queue on the
    # busy timeout instead of one failing with "database is locked" halfway through.
    "transaction_mode": "IMMEDIATE",
    "timeout": 20,
    "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
}
DATABASE_URL = os.environ.get("DATABASE_URL", "").strip()
# A reused connection is checked before each request's first query, so a database restart or
# failover costs a reconnect instead of a 500 on every worker.
CONN_MAX_AGE = envint("DJANGO_CONN_MAX_AGE", "60")
if DATABASE_URL:
    try:
        DATABASES = {
            "default": dj_database_url.parse(
                DATABASE_URL, conn_max_age=CONN_MAX_AGE, conn_health_checks=True
            )
        }
    except Exception as error:  # dj-database-url raises several types for a bad URL
        raise ImproperlyConfigured(f"DATABASE_URL is not a valid database URL: {error}") from None
    if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
        DATABASES["default"]["OPTIONS"] = SQLITE_OPTIONS
    elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
        # Its health check asks the server only when the socket says something happened.
        DATABASES["default"]["ENGINE"] = "quizsite.postgresql"
        # A statement run twice on a connection is prepared: the server parses and plans the
        # play path's fixed SQL once per connection instead of once per request. "none" for a
        # pooler that cannot keep prepared statements (PgBouncer before 1.21 in transaction mode).
        prepare_after = os.environ.get("QUIZSITE_PG_PREPARE_THRESHOLD", "2").strip().lower()
        DATABASES["default"]["OPTIONS"] = {
            # A server cut off (not stopped) must not hold a request, or the health check,
            # for minutes: give up connecting after 5 s (DATABASE_URL's ?connect_timeout=
            # wins).
            "connect_timeout": 5,
            **DATABASES["default"].get("OPTIONS", {}),
            "server_side_binding": True,
            "prepare_threshold": (
                None if prepare_after == "none" else envint("QUIZSITE_PG_PREPARE_THRESHOLD", "2")
            ),
        }
else:
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": VAR_DIR / "db.sqlite3",
            "OPTIONS": SQLITE_OPTIONS,
            # Reused like a PostgreSQL connection: opening one runs the PRAGMAs above, and
            # switching to WAL takes a lock that queues behind every writer.
            "CONN_MAX_AGE": CONN_MAX_AGE,
            "CONN_HEALTH_CHECKS": True,
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Shared state. With REDIS_URL (several app servers): the cache, the sessions' read path and
# the login lock live in Redis, so any server can answer any request. Without it (one
# machine): a file cache under var/ that every worker process of this machine shares, and
# the lock in the database. Sessions are read from the cache either way and every write also
# goes to the database (cached_db), so a cache restart or a culled entry logs nobody out:
# reading a session from the database cost each request more than the rest of a question.
REDIS_URL = os.environ.get("REDIS_URL", "").strip()
if REDIS_URL:
    if not REDIS_URL.startswith(("redis://", "rediss://", "unix://")):
        raise ImproperlyConfigured(
            f"REDIS_URL must start with redis://, rediss:// or unix://; got {REDIS_URL!r}"
        )
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "quizsite",
            "TIMEOUT": 3600,
            # A Redis that stops answering fails requests quickly instead of holding threads.
            "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 2},
        }
    }
    AXES_HANDLER = "axes.handlers.cache.AxesCacheHandler"
else:
    CACHES = {
        "default": {
            # Django's, culling now and then rather than listing the folder at each write.
            "BACKEND": "quizsite.filecache.FileCache",
            "LOCATION": Path(os.environ.get("QUIZSITE_CACHE_DIR", VAR_DIR / "cache")),
            "TIMEOUT": 3600,
            # A course of 5,000 learners: their sessions, and the deck pages beside them.
            "OPTIONS": {"MAX_ENTRIES": 20000},
        }
    }
    AXES_HANDLER = "axes.handlers.database.AxesDatabaseHandler"
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
# Entries that never change once written (deck pages under a version number, see
# quizzes/caching.py) are kept in each process's memory: no round trip, nothing to unpickle.
CACHES["pages"] = {
    "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
    "LOCATION": "quizsite-pages",
    "TIMEOUT": 24 * 3600,
    "OPTIONS": {"MAX_ENTRIES": 1000},
}
# Each learner's own kept entries (their user row, settings, reviews due and navigation),
# apart from the deck pages so that thousands of learners answering cannot push those out.
CACHES["learners"] = {
    "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
    "LOCATION": "quizsite-learners",
    "TIMEOUT": 24 * 3600,
    "OPTIONS": {"MAX_ENTRIES": 10000},
}

# Background work (imports, image downloads) runs in a separate worker process,
# `python manage.py db_worker`, which takes tasks from the database. QUIZSITE_TASKS=immediate
# runs each task inside the request that enqueues it instead (tests, or a site without a
# worker).
_TASK_BACKENDS = {
    "database": "django_tasks_db.DatabaseBackend",
    "immediate": "django_tasks.backends.immediate.ImmediateBackend",
}
_task_backend = os.environ.get("QUIZSITE_TASKS", "database").strip().lower()
if _task_backend not in _TASK_BACKENDS:
    raise ImproperlyConfigured(
        f"QUIZSITE_TASKS must be one of {', '.join(_TASK_BACKENDS)}; got {_task_backend!r}"
    )
TASKS = {"default": {"BACKEND": _TASK_BACKENDS[_task_backend], "QUEUES": ["default"]}}
# The worker's CPU priority below the web processes' (Unix nice, 0 to 19; 0: the same). Its
# work can wait a moment; a learner's request should not wait for it on busy cores.
QUIZSITE_WORKER_NICENESS = envint("QUIZSITE_WORKER_NICENESS", "10")
if not 0 <= QUIZSITE_WORKER_NICENESS <= 19:
    raise ImproperlyConfigured(
        f"QUIZSITE_WORKER_NICENESS must be from 0 to 19; got {QUIZSITE_WORKER_NICENESS}"
    )

# Quick quizzes the worker keeps planned ahead per deck, so a start only claims one
# (quizzes/services/attempts.py, "Quick quizzes planned ahead"); a start that finds none
# plans its own. Enough for a class of 200 starting at once (bench/load.py), with the refill
# asked for at half. 0: none, every start plans its own (the default when tasks run in
# place, where the planning would land in a learner's request).
QUIZSITE_READY_QUICK_QUIZZES = envint(
    "QUIZSITE_READY_QUICK_QUIZZES", "250" if _task_backend == "database" else "0"
)

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    # Django's ModelBackend, the signed-in user read from the cache. Sessions made under
    # "django.contrib.auth.backends.ModelBackend" before it came in are signed out once.
    "quizzes.auth.CachedModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "quizsite.password_validation.NotOnlyWhitespaceValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"

# Email, for one thing only: a link to reset a forgotten password, sent to the address a
# learner gave (optional). Through an SMTP server when DJANGO_EMAIL_HOST is set; in
# development the email is printed where `make run` runs; otherwise the site offers no reset
# (it has no way to send one) and says to ask staff.
EMAIL_HOST = os.environ.get("DJANGO_EMAIL_HOST", "").strip()
if EMAIL_HOST:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_PORT = envint("DJANGO_EMAIL_PORT", "587")
    EMAIL_HOST_USER = os.environ.get("DJANGO_EMAIL_HOST_USER", "")
    EMAIL_HOST_PASSWORD = os.environ.get("DJANGO_EMAIL_HOST_PASSWORD", "")
    EMAIL_USE_TLS = envbool("DJANGO_EMAIL_USE_TLS", "1")
    EMAIL_TIMEOUT = 10
elif DEBUG:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
DEFAULT_FROM_EMAIL = os.environ.get("DJANGO_DEFAULT_FROM_EMAIL", "quizsite <noreply@localhost>")
QUIZSITE_PASSWORD_RESET = bool(EMAIL_HOST) or DEBUG
PASSWORD_RESET_TIMEOUT = 24 * 3600
# Reset links asked for per address and per client a quarter of an hour: a script must not
# fill someone's inbox, nor the site's outgoing mail.
QUIZSITE_PASSWORD_RESETS_PER_15_MINUTES = envint("QUIZSITE_PASSWORD_RESETS_PER_15_MINUTES", "3")

# Quiz starts a minute (quizzes/throttling.py): a learner's, and all guests' from one address
# (a class behind one NAT gateway shares it). 0: no limit.
QUIZSITE_QUIZ_STARTS_PER_MINUTE = envint("QUIZSITE_QUIZ_STARTS_PER_MINUTE", "30")
QUIZSITE_GUEST_QUIZ_STARTS_PER_MINUTE = envint("QUIZSITE_GUEST_QUIZ_STARTS_PER_MINUTE", "600")
# ... and a day (UTC): each start writes its questions and choices (about 15 KB), and a
# guest's finished quiz is kept, so a script within the minute's limit all day would fill
# the disk. A school behind one address fits. 0: no limit.
QUIZSITE_QUIZ_STARTS_PER_DAY = envint("QUIZSITE_QUIZ_STARTS_PER_DAY", "1000")
QUIZSITE_GUEST_QUIZ_STARTS_PER_DAY = envint("QUIZSITE_GUEST_QUIZ_STARTS_PER_DAY", "10000")
# Accounts made an hour from one address: each has its own day of ranked Quick quizzes, so a
# script making them in a loop would fill the leaderboard with the luckiest of many blind
# players. A lecture hall of 300 signing up on the campus network (one NAT gateway, one
# address) in its first session fits. 0: no limit.
QUIZSITE_SIGNUPS_PER_HOUR = envint("QUIZSITE_SIGNUPS_PER_HOUR", "300")

# Log-ins tried from one address a quarter of an hour, the admin's too: each check of a
# password takes half a second of CPU, and the lock below is per name and address. A lecture
# hall of 300 behind one NAT gateway logging in as it starts, mistyped passwords and all,
# fits; at the limit one address keeps a third of a core busy. 0: no limit.
QUIZSITE_LOGINS_PER_15_MINUTES = envint("QUIZSITE_LOGINS_PER_15_MINUTES", "600")

# Failed logins: lock a username+IP pair after AXES_FAILURE_LIMIT failures, for an hour.
AXES_FAILURE_LIMIT = envint("QUIZSITE_LOGIN_FAILURE_LIMIT", "5")
AXES_COOLOFF_TIME = 1
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
# The client's address, for the lock. With no proxy it is the connection's own address, and
# X-Forwarded-For is ignored (anyone can send one). Behind N proxies, each appending the
# address it received the request from, the client is the Nth entry from the right of
# X-Forwarded-For; whatever a client wrote to the left of it is ignored. django-ipware counts
# only the proxies listed in the header, one fewer than those in front of the site.
PROXY_COUNT = envint("QUIZSITE_PROXY_COUNT", "0")
if PROXY_COUNT < 0:
    raise ImproperlyConfigured(f"QUIZSITE_PROXY_COUNT must be 0 or more; got {PROXY_COUNT}")
if PROXY_COUNT:
    AXES_IPWARE_META_PRECEDENCE_ORDER = ["HTTP_X_FORWARDED_FOR"]
    AXES_IPWARE_PROXY_COUNT = PROXY_COUNT - 1
else:
    AXES_IPWARE_META_PRECEDENCE_ORDER = ["REMOTE_ADDR"]
    AXES_IPWARE_PROXY_COUNT = None
AXES_IPWARE_PROXY_ORDER = "left-most"
# Non-strict: a client-written X-Forwarded-For makes the chain longer than the proxy count,
# which must not make the real address unreadable.
IPWARE_STRICT = False
AXES_VERBOSE = False

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = VAR_DIR / "staticfiles"
MEDIA_URL = "media/"
MEDIA_ROOT = Path(os.environ.get("QUIZSITE_MEDIA_ROOT", VAR_DIR / "media"))
# Uploaded and downloaded media (card images). On several app servers they must be shared:
# QUIZSITE_MEDIA_STORAGE=s3 stores them in an S3-compatible bucket through django-storages
# (pip install -e ".[storages]"), configured by its own AWS_* variables (see README).
_media_storage = os.environ.get("QUIZSITE_MEDIA_STORAGE", "filesystem").strip().lower()
if _media_storage == "filesystem":
    _MEDIA_STORAGE = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
elif _media_storage == "s3":
    _MEDIA_STORAGE = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": os.environ.get("AWS_STORAGE_BUCKET_NAME", ""),
            "endpoint_url": os.environ.get("AWS_S3_ENDPOINT_URL") or None,
            "custom_domain": os.environ.get("AWS_S3_CUSTOM_DOMAIN") or None,
            # Images are named by content hash and public like the site: plain URLs, no
            # signed query strings, and never overwritten.
            "querystring_auth": False,
            "file_overwrite": False,
            "default_acl": None,
        },
    }
    if not _MEDIA_STORAGE["OPTIONS"]["bucket_name"]:
        raise ImproperlyConfigured("QUIZSITE_MEDIA_STORAGE=s3 needs AWS_STORAGE_BUCKET_NAME")
else:
    raise ImproperlyConfigured(
        f"QUIZSITE_MEDIA_STORAGE must be filesystem or s3; got {_media_storage!r}"
    )
STORAGES = {
    "default": _MEDIA_STORAGE,
    "staticfiles": {
        "BACKEND": "quizsite.static_storage.RememberedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
FIXTURE_DIRS = [BASE_DIR / "fixtures"]

# Image cache: where cache_images may fetch from, and how much it accepts.
QUIZSITE_IMAGE_HOSTS = envlist("QUIZSITE_IMAGE_HOSTS", "aiquizzes.com")
QUIZSITE_IMAGE_TIMEOUT = envint("QUIZSITE_IMAGE_TIMEOUT", "10")
# The whole download of one image, redirects, headers and body together.
QUIZSITE_IMAGE_DEADLINE = envint("QUIZSITE_IMAGE_DEADLINE", "30")
QUIZSITE_IMAGE_MAX_BYTES = envint("QUIZSITE_IMAGE_MAX_BYTES", str(5 * 1024 * 1024))
QUIZSITE_IMAGE_MAX_PIXELS = envint("QUIZSITE_IMAGE_MAX_PIXELS", str(25_000_000))

# Anki imports: the largest file and the most notes one import takes (bench/import_speed.py:
# 100,000 notes in well under a minute), and the size from which the admin's import runs as
# a background task with a progress bar instead of in the request.
QUIZSITE_IMPORT_MAX_BYTES = envint("QUIZSITE_IMPORT_MAX_BYTES", str(200 * 1024 * 1024))
QUIZSITE_IMPORT_MAX_CARDS = envint("QUIZSITE_IMPORT_MAX_CARDS", "200000")
QUIZSITE_IMPORT_BACKGROUND_CARDS = envint("QUIZSITE_IMPORT_BACKGROUND_CARDS", "2000")
# Each deck as an Anki package for learners to download, built once per change of the decks
# (services/deck_packages.py); a deck of more cards than this is built by the worker.
QUIZSITE_PACKAGES_DIR = Path(os.environ.get("QUIZSITE_PACKAGES_DIR", VAR_DIR / "packages"))
QUIZSITE_PACKAGE_IN_REQUEST_CARDS = envint("QUIZSITE_PACKAGE_IN_REQUEST_CARDS", "1000")
# Staff's exports of decks too big for a request (services/deck_exports.py), kept a day: not
# under MEDIA_ROOT, which the proxy serves to anyone; the admin serves them to staff.
QUIZSITE_EXPORTS_DIR = Path(os.environ.get("QUIZSITE_EXPORTS_DIR", VAR_DIR / "exports"))
# Staff's text export of a deck of more cards than this is written by the worker too (30,000
# cards take 5 s).
QUIZSITE_TEXT_EXPORT_IN_REQUEST_CARDS = envint("QUIZSITE_TEXT_EXPORT_IN_REQUEST_CARDS", "5000")
# A package is a zip: a few megabytes can unpack to gigabytes. Its collection and the media
# files read from it, together, at most this; each sound at most QUIZSITE_SOUND_MAX_BYTES
# (an image, QUIZSITE_IMAGE_MAX_BYTES). The media files are held in memory until stored.
QUIZSITE_IMPORT_MAX_UNPACKED_BYTES = envint(
    "QUIZSITE_IMPORT_MAX_UNPACKED_BYTES", str(512 * 1024 * 1024)
)
QUIZSITE_SOUND_MAX_BYTES = envint("QUIZSITE_SOUND_MAX_BYTES", str(20 * 1024 * 1024))

# Behind a TLS-terminating proxy: HTTPS redirect, secure cookies and HSTS are on unless
# DEBUG, and each can be turned off for a plain-HTTP deployment.
SECURE_SSL_REDIRECT = envbool("DJANGO_SECURE_SSL_REDIRECT", "0" if DEBUG else "1")
SESSION_COOKIE_SECURE = envbool("DJANGO_SECURE_COOKIES", "0" if DEBUG else "1")
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_HSTS_SECONDS = envint("DJANGO_HSTS_SECONDS", "0" if DEBUG else "31536000")
SECURE_HSTS_INCLUDE_SUBDOMAINS = envbool("DJANGO_HSTS_INCLUDE_SUBDOMAINS", "1")
SECURE_HSTS_PRELOAD = envbool("DJANGO_HSTS_PRELOAD", "1")
if envbool("DJANGO_BEHIND_TLS_PROXY", "0"):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
# `style-src-attr 'unsafe-inline'` lets a card show the colours its author gave it (the
# `style` attributes quizzes.sanitize keeps, a few properties with checked values); style
# elements and foreign stylesheets stay refused, and nothing a style could name loads from
# elsewhere (default-src, img-src).
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; img-src 'self' data:; script-src 'self'; style-src 'self'; "
    "style-src-attr 'unsafe-inline'; object-src 'none'; base-uri 'none'; form-action 'self'; "
    "frame-ancestors 'none'"
)
# The admin keeps Django's inline scripts and styles, so no script-src; the rest still holds
# where staff look at imported card HTML: no plugins, no <base>, no framing, forms to here.
ADMIN_CONTENT_SECURITY_POLICY = (
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
# Nothing on the site asks for these; a script slipped into a card could not either.
PERMISSIONS_POLICY = (
    "camera=(), microphone=(), geolocation=(), payment=(), usb=(), display-capture=()"
)
# A media file opened by itself: sandboxed (no script, an origin of its own); an SVG also
# fetches nothing, drawing with its own styles and its images inline (quizzes.svg).
MEDIA_CONTENT_SECURITY_POLICY = "sandbox"
SVG_CONTENT_SECURITY_POLICY = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; sandbox"
)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"refusals_in_one_line": {"()": "quizsite.logs.RefusalsInOneLine"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "filters": ["refusals_in_one_line"]}
    },
    "root": {"handlers": ["console"], "level": os.environ.get("DJANGO_LOG_LEVEL", "INFO")},
    # A request for another host name (a scanner trying addresses) gets its 400; logged, each
    # filled the log with a traceback.
    "loggers": {"django.security.DisallowedHost": {"handlers": [], "propagate": False}},
}
