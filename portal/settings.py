"""Settings, read strictly from the environment.

With nothing set the portal runs as the quick start: SQLite in ``var/``, Celery tasks run eagerly,
e-mail to the console. ``DJANGO_ENV=production`` turns on the deployment settings and refuses to
start without a real ``SECRET_KEY``.
"""

from datetime import timedelta
from pathlib import Path

import environ
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()

DJANGO_ENV = env.str("DJANGO_ENV", default="development")
if DJANGO_ENV not in {"development", "production"}:
    raise ImproperlyConfigured("DJANGO_ENV must be 'development' or 'production'.")
PRODUCTION = DJANGO_ENV == "production"

DEBUG = env.bool("DEBUG", default=not PRODUCTION)
if PRODUCTION and DEBUG:
    raise ImproperlyConfigured("DEBUG must be off when DJANGO_ENV=production.")

_DEV_SECRET_KEY = "dev-only-insecure-key-do-not-use-in-production"
if env.str("SECRET_KEY_FILE", default=""):
    SECRET_KEY = Path(env.str("SECRET_KEY_FILE")).read_text().strip()
else:
    SECRET_KEY = env.str("SECRET_KEY", default="" if PRODUCTION else _DEV_SECRET_KEY)
if PRODUCTION and (len(SECRET_KEY) < 50 or SECRET_KEY == _DEV_SECRET_KEY):
    raise ImproperlyConfigured("Set SECRET_KEY (50+ random characters) in production.")

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=[] if PRODUCTION else ["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "portal.apps.PortalAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "import_export",
    "django_filters",
    "simple_history",
    "django_celery_beat",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "csp",
    "portal.security.apps.SecurityConfig",
    "portal.apps.PortalConfig",
    "gi_catalog.apps.GiCatalogConfig",
    "takedowns.apps.TakedownsConfig",
    "training.apps.TrainingConfig",
    "portal.jobs.apps.JobsConfig",
    "portal.dashboard.apps.DashboardConfig",
    "rest_framework",
    "knox",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "portal.api.apps.ApiConfig",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "portal.security.middleware.UploadSizeLimitMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "portal.security.middleware.RoleLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "portal.urls"
WSGI_APPLICATION = "portal.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "portal" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            # Dates in every template through portal.dates (Buddhist era in Thai).
            "builtins": ["portal.templatetags.local_dates"],
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

VAR_DIR.mkdir(exist_ok=True)
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'portal.sqlite3'}")}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=0)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "th"
LANGUAGES = [("th", _("Thai")), ("en", _("English"))]
# The project's own catalogue, then its Thai for Django's and the libraries' strings
# (library_locale: makemessages leaves it alone). Both win over every app's catalogue.
LOCALE_PATHS = [BASE_DIR / "portal" / "locale", BASE_DIR / "portal" / "library_locale"]
TIME_ZONE = "Asia/Bangkok"
# How dates read (portal/formats; written and read by portal.dates: BE years in Thai).
FORMAT_MODULE_PATH = ["portal.formats"]
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = env.path("STATIC_ROOT", default=BASE_DIR / "staticfiles")
MEDIA_URL = "media/"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=VAR_DIR / "media")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if PRODUCTION
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

# Uploads: refuse oversized requests before any file is parsed.
DATA_UPLOAD_MAX_MEMORY_SIZE = env.int("DATA_UPLOAD_MAX_MEMORY_SIZE", default=10 * 1024 * 1024)
FILE_UPLOAD_MAX_MEMORY_SIZE = env.int("FILE_UPLOAD_MAX_MEMORY_SIZE", default=5 * 1024 * 1024)

# Celery: eager when no broker is configured (quick start), Redis in production and CI.
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="")
CELERY_RESULT_BACKEND = env.str("CELERY_RESULT_BACKEND", default=CELERY_BROKER_URL)
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# A request that queues a job must not hang when the broker is down: one quick connection attempt
# and one retry, then the job is marked failed and the user is told (portal.queueing).
CELERY_BROKER_CONNECTION_TIMEOUT = env.float("CELERY_BROKER_CONNECTION_TIMEOUT", default=0.5)
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 1,
    "interval_start": 0,
    "interval_step": 0.1,
    "interval_max": 0.1,
}
# A task taken by a worker that then dies (acks_late) goes back to the queue after the visibility
# timeout: longer than the longest job, so a job still running is never handed out twice.
CELERY_BROKER_VISIBILITY_TIMEOUT = env.int("CELERY_BROKER_VISIBILITY_TIMEOUT", default=600)
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": CELERY_BROKER_VISIBILITY_TIMEOUT,
    "socket_connect_timeout": CELERY_BROKER_CONNECTION_TIMEOUT,
}
# A running job writes a heartbeat as it goes; one silent this long has lost its worker and may be
# claimed again by the redelivered task (portal.jobs.services).
JOB_HEARTBEAT_STALE_SECONDS = env.int("JOB_HEARTBEAT_STALE_SECONDS", default=120)
# A job whose worker died this many times (a file that kills it each time) is failed with the reason.
JOB_MAX_ATTEMPTS = env.int("JOB_MAX_ATTEMPTS", default=3)
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_BEAT_SCHEDULE: dict = {}
# The MOU dashboard's figures (portal.dashboard): today's snapshot, every 10 minutes.
CELERY_BEAT_SCHEDULE["dashboard-snapshots"] = {
    "task": "portal.dashboard.tasks.take_snapshots",
    "schedule": 600.0,
}
# Background jobs (portal.jobs): a job whose worker or broker message was lost is queued again.
CELERY_BEAT_SCHEDULE["jobs-recover-stalled"] = {
    "task": "portal.jobs.tasks.recover_stalled_jobs",
    "schedule": env.float("JOB_RECOVERY_SECONDS", default=60.0),
}
# Takedown cases past their SLA: flag them and e-mail the liaison, every 15 minutes.
CELERY_BEAT_SCHEDULE["takedowns-flag-overdue"] = {
    "task": "takedowns.tasks.flag_overdue_cases",
    "schedule": 900.0,
}
# Next year's Thai public holidays (for the SLA's working days), once a year on 1 October.
CELERY_BEAT_SCHEDULE["portal-load-next-year-holidays"] = {
    "task": "portal.tasks.load_next_year_holidays",
    "schedule": crontab(minute=0, hour=3, day_of_month=1, month_of_year=10),
}
# Platform API (portal.api): forget Idempotency-Key answers older than 24 hours, hourly.
CELERY_BEAT_SCHEDULE["api-purge-idempotency-keys"] = {
    "task": "portal.api.tasks.purge_idempotency_keys",
    "schedule": 3600.0,
}

# Cache (API rate limits): Redis when CACHE_URL or a Redis broker is set, local memory otherwise.
CACHE_URL = env.str("CACHE_URL", default=CELERY_BROKER_URL)
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": CACHE_URL}
    if CACHE_URL.startswith(("redis://", "rediss://", "unix://"))
    else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
}
CACHES["default"]["KEY_PREFIX"] = "mou"

EMAIL_BACKEND = env.str(
    "EMAIL_BACKEND",
    default="django.core.mail.backends.smtp.EmailBackend"
    if PRODUCTION
    else "django.core.mail.backends.console.EmailBackend",
)
EMAIL_HOST = env.str("EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("EMAIL_PORT", default=25)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="mou-portal@localhost")

# django-import-export: permissions are checked, imports are one transaction.
IMPORT_EXPORT_IMPORT_PERMISSION_CODE = "add"
IMPORT_EXPORT_EXPORT_PERMISSION_CODE = "view"
IMPORT_EXPORT_USE_TRANSACTIONS = True
IMPORT_EXPORT_SKIP_ADMIN_LOG = False

LOGIN_URL = "admin:login"

# Background import jobs (portal.jobs): an admin import above either threshold runs in a Celery job
# with a progress bar instead of in the request.
IMPORT_JOB_THRESHOLD_ROWS = env.int("IMPORT_JOB_THRESHOLD_ROWS", default=2000)
IMPORT_JOB_THRESHOLD_BYTES = env.int("IMPORT_JOB_THRESHOLD_BYTES", default=1024 * 1024)
# Every uploaded table (CSV or XLSX, at every door) is read by portal.reading, which applies these
# bounds while it reads: rows after the header, columns, characters in a cell and in a row; for an
# XLSX also what its parts unpack to and the memory of its shared texts. A file beyond them is
# refused with a message naming the row, cell or limit, in the request and in the worker alike.
IMPORT_MAX_ROWS = env.int("IMPORT_MAX_ROWS", default=100_000)
IMPORT_MAX_COLUMNS = env.int("IMPORT_MAX_COLUMNS", default=100)
IMPORT_MAX_CELL_CHARS = env.int("IMPORT_MAX_CELL_CHARS", default=32_767)  # Excel's own
IMPORT_MAX_ROW_CHARS = env.int("IMPORT_MAX_ROW_CHARS", default=131_072)
IMPORT_XLSX_MAX_UNPACKED_BYTES = env.int(
    "IMPORT_XLSX_MAX_UNPACKED_BYTES", default=200 * 1024 * 1024
)
IMPORT_XLSX_MAX_SHARED_STRINGS_BYTES = env.int(
    "IMPORT_XLSX_MAX_SHARED_STRINGS_BYTES", default=48 * 1024 * 1024
)

# Login protection: lockout after repeated failures with a cool-off (a superuser unlocks early by
# deleting the access attempt in the admin), TOTP two-factor required in production.
AUTHENTICATION_BACKENDS = [
    "portal.security.auth.LockoutBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_ENABLED = env.bool("AXES_ENABLED", default=True)
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=30))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
# The same account from every address: past this many failures within the cool-off, the account
# signs in only with its authenticator code (portal.security.auth.SecondFactorLockoutHandler).
PORTAL_ACCOUNT_FAILURE_LIMIT = env.int("ACCOUNT_FAILURE_LIMIT", default=20)
AXES_HANDLER = "portal.security.auth.SecondFactorLockoutHandler"
# The client's address: the connection's, or behind TRUSTED_PROXY_COUNT reverse proxies (the TLS
# proxy in production) the one they put in X-Forwarded-For. No proxy is trusted unless set.
PORTAL_TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
AXES_CLIENT_IP_CALLABLE = "portal.security.auth.client_address"
# Never kept in an access attempt's form data or written to the log.
AXES_SENSITIVE_PARAMETERS = ["username", "ip_address", "otp_token", "csrfmiddlewaretoken"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "security/lockout.html"
AXES_VERBOSE = False
PORTAL_TWO_FACTOR_REQUIRED = PRODUCTION or env.bool("TWO_FACTOR_REQUIRED", default=False)
OTP_TOTP_ISSUER = "MOU Portal"
# A person's authenticator secret is theirs alone: the admin never shows a device's key or QR
# code (its config and QR pages answer 403; they were a 500 for an unknown device number).
OTP_ADMIN_HIDE_SENSITIVE_DATA = True

# Content-Security-Policy: no inline or third-party script anywhere (inline style attributes,
# which the admin's own templates use, stay allowed).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'self'"],
    }
}
# Audit history is read-only: a change goes through the admin form and the services, never a revert.
SIMPLE_HISTORY_REVERT_DISABLED = True
# Whole request bodies (files included) above this are refused with 413 before parsing.
MAX_UPLOAD_SIZE = env.int("MAX_UPLOAD_SIZE", default=25 * 1024 * 1024)
# Uploaded files (portal.security.uploads): a document (certificate, letter, screenshot) and a video.
MAX_DOCUMENT_UPLOAD_SIZE = env.int("MAX_DOCUMENT_UPLOAD_SIZE", default=20 * 1024 * 1024)
MAX_VIDEO_UPLOAD_SIZE = env.int("MAX_VIDEO_UPLOAD_SIZE", default=100 * 1024 * 1024)

# Platform API (portal.api): knox tokens issued by supervisors, per-token rate limit, OpenAPI schema.
KNOX_TOKEN_MODEL = "api.ApiToken"
# knox's migrations create its default token table even when the model is swapped (and that table
# then blocks flushing auth_user); our token table is api.ApiToken's, so knox needs none.
MIGRATION_MODULES = {"knox": None}
REST_KNOX = {"TOKEN_PREFIX": "mou_", "AUTH_HEADER_PREFIX": "Token"}
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["portal.api.authentication.PlatformTokenAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["portal.api.permissions.IsPlatformLiaison"],
    "DEFAULT_THROTTLE_CLASSES": ["portal.api.throttling.TokenRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {"token": env.str("API_RATE_LIMIT", default="600/minute")},
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "portal.api.exceptions.exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "MOU Portal platform API",
    "DESCRIPTION": "Cases DIP forwarded to TikTok Shop's IPPC, their status events, and decisions.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "CaseStateEnum": "takedowns.choices.CaseState",
        "ItemOutcomeEnum": "takedowns.choices.ItemOutcome",
    },
}

if PRODUCTION:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_REDIRECT_EXEMPT = [r"^health/$"]  # the container's health check speaks plain HTTP
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_CONTENT_TYPE_NOSNIFF = True
    SECURE_REFERRER_POLICY = "same-origin"
    X_FRAME_OPTIONS = "DENY"

LOG_LEVEL = env.str("LOG_LEVEL", default="INFO").upper()
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
}
# django-axes logs every login and logout at INFO; keep its lockouts (WARNING) only. Django's
# template engine logs a page's whole context at DEBUG (an API token being shown, an authenticator
# key): never, whatever LOG_LEVEL says.
LOGGING["loggers"] = {
    "axes": {"level": env.str("AXES_LOG_LEVEL", default="WARNING")},
    "django.template": {"level": "INFO"},
}
# The PDF certificates (WeasyPrint, and fontTools under it) log each rendering step and each font
# table they read: only their warnings (a missing glyph, a font that cannot be subset) unless
# LOG_LEVEL is DEBUG. WeasyPrint turns the fontTools logger to DEBUG while it subsets a font, so
# that logger keeps its records from the root's console (no propagation) and has its own.
if LOG_LEVEL != "DEBUG":
    _pdf_log_level = LOG_LEVEL if LOG_LEVEL in ("ERROR", "CRITICAL") else "WARNING"
    LOGGING["loggers"]["weasyprint"] = {"level": _pdf_log_level}
    LOGGING["loggers"]["fontTools"] = {
        "level": _pdf_log_level,
        "handlers": ["console"],
        "propagate": False,
    }
