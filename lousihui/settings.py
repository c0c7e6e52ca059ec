"""Lousihui settings: one file, driven by the environment (12-factor).

With no environment at all this runs the embedded default: SQLite, local-memory
cache, eager Celery and console e-mail, so `make run` needs no services.
Production values come from DATABASE_URL, REDIS_URL, EMAIL_URL, SECRET_KEY, ...
"""

from pathlib import Path

import environ
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()

DEBUG = env.bool("DEBUG", default=True)

_DEV_SECRET_KEY = "django-insecure-lousihui-development-only"  # noqa: S105 - used only with DEBUG on
SECRET_KEY = env.str("SECRET_KEY", default="" if not DEBUG else _DEV_SECRET_KEY)
if not SECRET_KEY:
    raise ImproperlyConfigured(
        "SECRET_KEY is not set. With DEBUG off Lousihui refuses to start without a secret key: "
        "set SECRET_KEY in the environment (for example to the output of "
        "`python -c 'import secrets; print(secrets.token_urlsafe(50))'`)."
    )

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "buildings",
    "services",
    "services.resources",
    "requests_tracker",
    "requests_tracker.surveys",
    "buildings.elections",
    "requests_tracker.projects",
    # 楼长点点通: the guide and the hall's definitions (services layer); questions, hall requests, search.
    "django.contrib.postgres",
    "services.guide",
    "requests_tracker.ask",
    "requests_tracker.hall",
    "requests_tracker.search",
    "axes",
]

MIDDLEWARE = [
    "lousihui.csp.content_security_policy",
    "django.middleware.security.SecurityMiddleware",
    # A view that meets a database outage answers a fast 503 with a reason (README "Outages").
    "lousihui.outage.DatabaseOutageMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",  # static files: served precompressed (.br/.gz) by itself
    # Before sessions, locale, CSRF, auth and messages: a polling lobby screen is answered from one
    # cache read (304, or the cached body when its ETag is older); anything else falls through.
    "requests_tracker.screen.fastpath.screen_feed_early",
    # HTML and JSON compressed (after WhiteNoise and the screen's early path, which answer without it).
    # BREACH: Django's GZipMiddleware pads every compressed body with random bytes (Heal The Breach, since
    # Django 4.2) and CSRF tokens are masked afresh on every response, so a secret never compresses the
    # same way twice.
    "django.middleware.gzip.GZipMiddleware",
    # A dashboard's warm statistics (API token, no session): the reader's kept answer, one cache read (#15).
    "requests_tracker.stats.early.stats_early",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes requires: turns a locked-out login into AXES_LOCKOUT_CALLABLE's answer.
    "axes.middleware.AxesMiddleware",
]

# --- Login lockout (django-axes): by account and by client, each on its own ------------------------
AUTHENTICATION_BACKENDS = [
    "lousihui.auth.LockoutBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env.int("LOGIN_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = env.float("LOGIN_LOCKOUT_HOURS", default=0.25)  # hours: 15 minutes
# Two separate parameters: five failures on one account lock that account from everywhere, five
# failures from one client lock that client out of every account.
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "lousihui.auth.locked_out"
AXES_ENABLE_ADMIN = False  # one admin of our own (lousihui.auth): the lockouts, deleted to unlock
AXES_VERBOSE = False

ROOT_URLCONF = "lousihui.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

WSGI_APPLICATION = "lousihui.wsgi.application"
ASGI_APPLICATION = "lousihui.asgi.application"

# --- Database -------------------------------------------------------------
DATABASES = {
    "default": env.db_url("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=60))
    # A worker's persistent connection is checked before each request: after a PostgreSQL restart the
    # workers reconnect on their own (README "Outages").
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    # A database that does not answer fails a request in seconds (a 503), not after the OS's TCP timeout.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault(
        "connect_timeout", env.int("DATABASE_CONNECT_TIMEOUT", default=3)
    )
# The submission's hand-written statements are prepared once per connection (buildings/sql.py). Set
# DATABASE_PREPARED_STATEMENTS=0 behind PgBouncer in transaction mode older than 1.21.
PREPARED_STATEMENTS = env.bool("DATABASE_PREPARED_STATEMENTS", default=True)
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The statistics' covering index and the rollups' unique constraints INCLUDE columns; SQLite builds
    # the index without them and skips the constraints. Neither matters here: SQLite keeps no rollups
    # (stats.tallies.rollups_kept) and computes the figures live. Quiet the warnings for the embedded default.
    SILENCED_SYSTEM_CHECKS = ["models.W039", "models.W040"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "buildings.User"

# --- Cache and Celery (Redis when REDIS_URL is set) ------------------------
REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {
        "default": {
            # Redis, or local memory for a few seconds at a time while Redis does not answer (README "Outages").
            "BACKEND": "lousihui.cache.ResilientRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env.str("CACHE_KEY_PREFIX", default="lousihui"),
            # A dead Redis must not hang a request: fail fast instead.
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default=REDIS_URL or "memory://")
CELERY_RESULT_BACKEND = None
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=not REDIS_URL)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TIMEZONE = "Asia/Shanghai"  # beat's crontabs (the 08:30 digest) are Shanghai wall-clock times
CELERY_ENABLE_UTC = True
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
# One message reserved per worker process: a long webhook call does not hold back queued messages
# that an idle process could take, and a killed worker takes at most one unacked message down with it.
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# Early acks by default: a task is acked when it starts, so a crash never replays a task that is not
# safe to replay. Tasks that are idempotent (claim a row first, dedupe keys) opt in to acks_late.
CELERY_TASK_ACKS_LATE = False
# A worker process that dies (kill -9, OOM) does not requeue its message: the outbox row's claim lease
# runs out and the sweeper re-sends it, so a message that kills workers cannot loop forever.
CELERY_TASK_REJECT_ON_WORKER_LOST = False
CELERY_TASK_TIME_LIMIT = 120
CELERY_TASK_SOFT_TIME_LIMIT = 90
# Publishing must not hang a request when the broker is down: connect fails within a second and is not
# retried. Nothing is lost by giving up: the outbox row is already committed and the sweeper re-sends it.
CELERY_BROKER_CONNECTION_TIMEOUT = 1
CELERY_TASK_PUBLISH_RETRY = False
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_TRANSPORT_OPTIONS = {
    # A message reserved by a worker but not acked within this time is handed out again. Every countdown
    # we schedule (retry backoff, capped at NOTIFICATION_RETRY_CAP_SECONDS) stays well under it, so
    # Redis never redelivers a delayed retry that is still waiting in a live worker.
    "visibility_timeout": 3600,
    "socket_connect_timeout": 1,
    "socket_timeout": 5,
    "max_retries": 0,
}
CELERY_BEAT_SCHEDULE: dict[str, dict] = {
    "notifications-sweep": {
        "task": "requests_tracker.tasks.sweep_notifications",
        "schedule": env.float("NOTIFICATION_SWEEP_EVERY_SECONDS", default=60.0),
    },
    "escalate-overdue": {
        "task": "requests_tracker.tasks.escalate_overdue",
        "schedule": crontab(minute="*/15"),
    },
    "elections-close": {"task": "buildings.elections.tasks.close_due_elections", "schedule": 60.0},
    "daily-digest": {"task": "requests_tracker.tasks.send_daily_digests", "schedule": crontab(hour=8, minute=30)},
    "weekly-figures": {
        "task": "requests_tracker.tasks.send_weekly_figures",
        "schedule": crontab(hour=9, minute=0, day_of_week="mon"),
    },
    # Personal data: contact details erased CONTACT_RETENTION_DAYS after resolution (README "Personal data").
    "erase-expired-contacts": {
        "task": "requests_tracker.tasks.erase_expired_contacts",
        "schedule": crontab(hour=3, minute=20),
    },
}

# --- Personal data (README "Personal data") -----------------------------------
# Days after a demand's resolution when the submitter's contact details (and hall-form answers) are erased.
CONTACT_RETENTION_DAYS = env.int("CONTACT_RETENTION_DAYS", default=180)
# How long contact details stay shown to a handler after one logged "show" in the admin.
CONTACT_REVEAL_MINUTES = env.int("CONTACT_REVEAL_MINUTES", default=10)

# --- Notifications (the outbox; see requests_tracker/notifications/) ------
NOTIFICATION_MAX_ATTEMPTS = env.int("NOTIFICATION_MAX_ATTEMPTS", default=6)
# Backoff between attempts: base * 2^(n-1), capped (30 s, 1 min, 2 min, ... 15 min).
NOTIFICATION_RETRY_BASE_SECONDS = env.float("NOTIFICATION_RETRY_BASE_SECONDS", default=30.0)
NOTIFICATION_RETRY_CAP_SECONDS = env.float("NOTIFICATION_RETRY_CAP_SECONDS", default=900.0)
# How long a claim on a row lasts. Longer than the delivery task's hard time limit (45 s), so a live
# worker never loses its claim; a dead one loses it after this and the sweeper hands the row on.
NOTIFICATION_CLAIM_LEASE_SECONDS = env.float("NOTIFICATION_CLAIM_LEASE_SECONDS", default=120.0)
# Rows still pending this long after they were due were not picked up: the sweeper re-enqueues them.
NOTIFICATION_SWEEP_GRACE_SECONDS = env.float("NOTIFICATION_SWEEP_GRACE_SECONDS", default=30.0)
NOTIFICATION_HTTP_TIMEOUT_SECONDS = env.float("NOTIFICATION_HTTP_TIMEOUT_SECONDS", default=10.0)
# Events stamped further in the past than this (seeds, imports: `at=`) notify nobody.
NOTIFICATION_BACKDATED_AFTER_SECONDS = env.float("NOTIFICATION_BACKDATED_AFTER_SECONDS", default=300.0)
# The overdue ladder: hours after the due time for the captain, then hours after that step for the
# economic captain, then hours after that for the district staff.
ESCALATION_DELAYS_HOURS = [float(h) for h in env.list("ESCALATION_DELAYS_HOURS", default=["0", "24", "48"])]

# --- /healthz/ (lousihui/health.py) -----------------------------------------
# The detail per component is shown only to a probe sending this token (X-Healthz-Token or ?token=); unset:
# to nobody. The public gets the bare status.
HEALTHZ_TOKEN = env.str("HEALTHZ_TOKEN", default="")
# Pending notifications older than this mark the outbox as behind ("degraded").
HEALTHZ_PENDING_MAX_AGE_SECONDS = env.float("HEALTHZ_PENDING_MAX_AGE_SECONDS", default=3600.0)

# --- E-mail ----------------------------------------------------------------
EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="楼事会 Lousihui <noreply@lousihui.local>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=10)  # a stuck SMTP server must not hold a worker

# --- Auth ------------------------------------------------------------------
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "admin:login"

# --- Internationalisation: Chinese first, English second --------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

# --- Static files ----------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = env.path("STATIC_ROOT", default=BASE_DIR / "staticfiles")
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "media")
# Media (photos) on the local disk by default; on S3-compatible object storage when S3_BUCKET is set, so
# that every web instance and worker sees every photo. Credentials come from AWS_ACCESS_KEY_ID and
# AWS_SECRET_ACCESS_KEY (or the machine's role); the bucket stays private (lousihui/storage.py).
S3_BUCKET = env.str("S3_BUCKET", default="")
S3_ENDPOINT_URL = env.str("S3_ENDPOINT_URL", default="")  # unset: AWS itself
# Where browsers reach the store, when not where the app does (compose: minio:9000 inside, localhost outside).
S3_PUBLIC_ENDPOINT_URL = env.str("S3_PUBLIC_ENDPOINT_URL", default="") or S3_ENDPOINT_URL
S3_REGION = env.str("S3_REGION", default="us-east-1")
# MinIO wants path-style addresses; Aliyun OSS and Tencent COS want "virtual" (bucket in the host name).
S3_ADDRESSING_STYLE = env.str("S3_ADDRESSING_STYLE", default="path" if S3_ENDPOINT_URL else "virtual")
MEDIA_STORAGE: dict[str, object] = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
#: Origins of signed media URLs, added to the Content-Security-Policy's img-src (lousihui/csp.py).
MEDIA_ORIGINS: list[str] = []
if S3_BUCKET:
    MEDIA_STORAGE = {
        "BACKEND": "lousihui.storage.MediaStorage",
        "OPTIONS": {
            "bucket_name": S3_BUCKET,
            "endpoint_url": S3_ENDPOINT_URL or None,
            "public_endpoint_url": S3_PUBLIC_ENDPOINT_URL or None,
            "region_name": S3_REGION,
            "location": env.str("S3_PREFIX", default=""),
            "addressing_style": S3_ADDRESSING_STYLE,
            "signature_version": "s3v4",
            "default_acl": None,  # no ACL header: objects take the bucket's private policy
            "querystring_auth": True,  # every URL signed...
            "querystring_expire": env.int("S3_URL_EXPIRE_SECONDS", default=600),  # ...and short-lived
            "file_overwrite": False,
        },
    }
    if not S3_PUBLIC_ENDPOINT_URL:
        MEDIA_ORIGINS = [f"https://{S3_BUCKET}.s3.{S3_REGION}.amazonaws.com", f"https://{S3_BUCKET}.s3.amazonaws.com"]
    else:
        _public = env.url("S3_PUBLIC_ENDPOINT_URL", default=S3_PUBLIC_ENDPOINT_URL)  # parsed
        _host = f"{S3_BUCKET}.{_public.netloc}" if S3_ADDRESSING_STYLE == "virtual" else _public.netloc
        MEDIA_ORIGINS = [f"{_public.scheme}://{_host}"]
STORAGES = {
    "default": MEDIA_STORAGE,
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# --- REST framework --------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "rest_framework.authentication.TokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    "DEFAULT_PARSER_CLASSES": [
        "lousihui.api.BoundedJSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "lousihui.schema.ApiAutoSchema",
    "DEFAULT_THROTTLE_RATES": {
        "demand_submit": env.str("THROTTLE_DEMAND_SUBMIT", default="20/hour"),
        # New browser keys for anonymous supports (附议), per client address; supports themselves are not
        # limited (requests_tracker/intake/browser_keys.py): a browser keeps its key for two years.
        "browser_key": env.str("THROTTLE_BROWSER_KEY", default="20/hour"),
        # Generous: a whole company answers from behind one office NAT address.
        "survey_response": env.str("THROTTLE_SURVEY_RESPONSE", default="300/hour"),
        "election_ballot": env.str("THROTTLE_ELECTION_BALLOT", default="300/minute"),
    },
    "NUM_PROXIES": env.int("NUM_PROXIES", default=0),
    "EXCEPTION_HANDLER": "lousihui.api.exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Lousihui API / 楼事会开放接口",
    "DESCRIPTION": "Demands raised by the residents of Shanghai's office buildings and their handling.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # The screen feeds are plain Django views (answered before DRF runs): described by hand.
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "requests_tracker.screen.schema.add_screen_feeds",
    ],
    "ENUM_NAME_OVERRIDES": {
        "DemandStatusEnum": "requests_tracker.workflow.Status",
        "OutcomeEnum": "requests_tracker.workflow.Outcome",
        "WorkflowActionEnum": "requests_tracker.workflow.Action",
        # Each feature's choice sets by their own name (several models have a "status" or a "kind").
        "SurveyStatusEnum": "requests_tracker.surveys.models.Survey.Status",
        "SurveyQuestionKindEnum": "requests_tracker.surveys.models.Question.Kind",
        "ProjectStatusEnum": "requests_tracker.projects.models.Project.Status",
        "ProjectUpdateKindEnum": "requests_tracker.projects.models.ProjectUpdate.Kind",
        "ResourceKindEnum": "services.resources.models.Resource.Kind",
        "ResourceStatusEnum": "services.resources.models.Resource.Status",
        "ElectionStatusEnum": "buildings.elections.models.Election.Status",
        "SearchResultKindEnum": "requests_tracker.search.models.SearchDocument.Kind",
    },
}

# --- Security (production) -------------------------------------------------
if not DEBUG:
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
SECURE_CONTENT_TYPE_NOSNIFF = True
# X-Forwarded-Proto is trusted only behind a proxy that sets it: SECURE_PROXY_SSL_HEADER=HTTP_X_FORWARDED_PROTO,https.
# The compose file exposes gunicorn directly, where any client could send the header.
if env.str("SECURE_PROXY_SSL_HEADER", default=""):
    SECURE_PROXY_SSL_HEADER = tuple(env.list("SECURE_PROXY_SSL_HEADER"))
X_FRAME_OPTIONS = "DENY"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
}

# --- Domain settings -------------------------------------------------------
# Used in links sent out of the site (e-mails, QR codes).
# Unset, it is the development address; with DEBUG off posters refuse to print it (links.site_url_missing).
SITE_URL_CONFIGURED = bool(env.str("SITE_URL", default=""))
SITE_URL = env.str("SITE_URL", default="") or "http://127.0.0.1:8000"
SITE_NAME = _("Lousihui")
# Case look-up answers are cached until the search index changes (requests_tracker/search/cache.py); 0: off.
SEARCH_CACHE_SECONDS = env.int("SEARCH_CACHE_SECONDS", default=300)
