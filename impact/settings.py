"""Django settings for Impact Groups, read from the environment (see .env.example)."""

import ipaddress
from pathlib import Path

import environ
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()
# A local .env (made from .env.example by `make run`) fills in what the environment leaves unset.
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DEBUG", default=False)
SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    SECRET_KEY = "insecure-development-key-only-for-debug-mode-" + "x" * 20

ALLOWED_HOSTS = env.list(
    "ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"] if DEBUG else []
)
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
SITE_URL = env.str("SITE_URL", default="http://localhost:8000").rstrip("/")
# What emails and pages call the site (allauth's account emails greet by it).
SITE_NAME = env.str("SITE_NAME", default="Impact Groups")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.forms",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_filters",
    "django_htmx",
    "channels",
    "allauth",
    "allauth.account",
    "impact",
    "groups",
    "narratives",
    "metrics",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "impact.middleware.UserTimezoneMiddleware",
    "impact.middleware.UserLanguageMiddleware",
    "impact.middleware.WriteRateLimitMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "impact.urls"
WSGI_APPLICATION = "impact.wsgi.application"
# Pages and the live meeting room's sockets (impact/asgi.py), served by uvicorn.
ASGI_APPLICATION = "impact.asgi.application"

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
                "impact.context_processors.navigation",
                "impact.context_processors.site",
            ],
        },
    },
]
FORM_RENDERER = "django.forms.renderers.TemplatesSetting"

# Database: SQLite under var/ by default, PostgreSQL through DATABASE_URL in tests and production.
DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'impact.sqlite3'}"),
}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
# Threads per web process that run pages (impact/asgi.py): each keeps its database connection.
WEB_THREADS = env.int("WEB_THREADS", default=4)
if WEB_THREADS < 1:
    raise ImproperlyConfigured("WEB_THREADS must be a whole number, at least 1.")
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the web process read while the Celery worker writes.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {
        "default": {
            # Django's Redis cache, carrying on without it while Redis is unreachable.
            "BACKEND": "impact.cache.ResilientRedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# Parts of the layout that show nothing but the language (templates/base.html): rendered once
# per process and language, kept in the process (they change only with a deploy).
CACHES["fragments"] = {
    "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
    "LOCATION": "fragments",
    "TIMEOUT": None,
}
# Parts of pages shared by everyone who looks, kept until a write they show (impact/shared.py).
# Only with a cache every process shares: a process-local cache would miss the other
# processes' writes. 0 turns it off.
SHARED_PARTS_SECONDS = env.int("SHARED_PARTS_SECONDS", default=600) if REDIS_URL else 0
# Sessions are read on every request: from the shared cache when there is one, written
# through to the database (a cache flush signs nobody out).
if REDIS_URL:
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"

# The live meeting room's messages between processes: Redis when there is one; otherwise in
# memory, which reaches every socket of the one process `make run` starts.
CHANNEL_LAYERS = {
    "default": (
        {
            # Redis pub/sub: one subscription per process carries every room's messages (the
            # list-based layer opened a connection per waiting operation and ran out of them
            # when 3,000 screens joined). A message missed while a socket is down is not kept;
            # a screen that reconnects reads the room's state afresh.
            "BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer",
            # No client-side read timeout on the subscription: redis-py 8's default of 5 s tore
            # idle rooms' sockets down (django/channels_redis#422).
            "CONFIG": {
                "hosts": [
                    {
                        "address": env.str("CHANNELS_REDIS_URL", default=REDIS_URL),
                        "socket_timeout": None,
                        "socket_connect_timeout": 2,
                    }
                ],
                # Pub/sub ignores Redis's database number: deployments (and test workers)
                # sharing one Redis keep apart by this prefix.
                "prefix": env.str("CHANNELS_PREFIX", default="impact"),
            },
        }
        if REDIS_URL
        else {"BACKEND": "channels.layers.InMemoryChannelLayer"}
    )
}

AUTH_USER_MODEL = "impact.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"

# django-allauth: sign-up with email confirmation, sign-in by username or email.
ACCOUNT_LOGIN_METHODS = {"username", "email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "username*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
# Sensitive account changes ask for the password again; no emailed codes (allauth 65.22 turned
# reauthentication by code on by default), so there is one way to confirm it is you.
ACCOUNT_REAUTHENTICATION_METHODS = ("password",)
ACCOUNT_SIGNUP_FORM_CLASS = "impact.forms.SignupExtraForm"
ACCOUNT_ADAPTER = "impact.adapters.AccountAdapter"
# Every email's subject starts with the site's name, account mail included: allauth's own
# prefix (or, unset, the request's host "[127.0.0.1:8000]") is not used; the outbox adds this
# one when it sends (impact.services.delivery.email_subject, which reads SITE_NAME then).
ACCOUNT_EMAIL_SUBJECT_PREFIX = f"[{SITE_NAME}] "
# Failed sign-ins are limited per IP and per account (allauth keeps the counts in the cache).
ACCOUNT_RATE_LIMITS = {
    "login_failed": env.str("LOGIN_FAILED_RATE_LIMIT", default="10/m/ip,5/5m/key"),
    "signup": "20/m/ip",
    "reset_password": "20/m/ip,5/m/key",
}

LANGUAGE_CODE = "en"
# Each named in itself: the footer's switch and the profile offer them to people who may not
# read the others.
LANGUAGES = [("en", "English"), ("de", "Deutsch"), ("es", "Español")]
LOCALE_PATHS = [BASE_DIR / "locale"]
# The footer's language switch is remembered for a year in the browser (and on the profile).
LANGUAGE_COOKIE_AGE = 60 * 60 * 24 * 365
TIME_ZONE = env.str("TIME_ZONE", default="UTC")
USE_I18N = True
USE_TZ = True
# One date and time style (day month year, 24-hour clock), per language: impact/formats/.
FORMAT_MODULE_PATH = ["impact.formats"]

STATIC_URL = "/static/"
STATIC_ROOT = env.str("STATIC_ROOT", default=str(VAR_DIR / "static"))
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

# Email: files under var/mail/ on a laptop, SMTP (EMAIL_URL=smtp+tls://...) in production.
EMAIL_CONFIG = env.email_url("EMAIL_URL", default="filemail://")
if EMAIL_CONFIG["EMAIL_BACKEND"].endswith("filebased.EmailBackend"):
    # django-environ drops the leading "/" of filemail:///abs/path; an empty path means var/mail.
    _mail_path = EMAIL_CONFIG.get("EMAIL_FILE_PATH") or ""
    EMAIL_CONFIG["EMAIL_FILE_PATH"] = "/" + _mail_path if _mail_path else str(VAR_DIR / "mail")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Impact Groups <noreply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# Where emails tell people to write to reach a person (account emails end with it). Unset, the
# mails leave that sentence out: the sender address is usually one nobody reads (noreply@...).
SUPPORT_EMAIL = env.str("SUPPORT_EMAIL", default="")

# HTTPS hardening: on by default whenever DEBUG is off; HTTPS=0 serves plain HTTP (local trials).
HTTPS = env.bool("HTTPS", default=not DEBUG)
SECURE_SSL_REDIRECT = HTTPS
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000 if HTTPS else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = HTTPS
BEHIND_PROXY = env.bool("BEHIND_PROXY", default=False)
if BEHIND_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# How many proxies append to X-Forwarded-For. The client's address used by the sign-in lockout
# and the write limits is the one the nearest trusted proxy saw; with none, the socket's
# address, so a client cannot dodge a limit by sending a made-up header.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=1 if BEHIND_PROXY else 0)
ALLAUTH_TRUSTED_PROXY_COUNT = TRUSTED_PROXY_COUNT
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_CONTENT_TYPE_NOSNIFF = True
# Content-Security-Policy: only our own scripts run. Inline style attributes (size bars,
# progress) are allowed; inline scripts are not.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "font-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "impact.api.schema.ImpactAutoSchema",
    # The API speaks JSON only: one body format to document, validate and test (a form body
    # cannot say null, and its "0" passes for a boolean). The pages post to their own views.
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
    "DEFAULT_FILTER_BACKENDS": ["impact.api.filters.FilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "EXCEPTION_HANDLER": "impact.api.exceptions.api_exception_handler",
    "DEFAULT_THROTTLE_CLASSES": ["impact.api.throttles.WriteRateThrottle"],
    "NUM_PROXIES": TRUSTED_PROXY_COUNT,
    "DEFAULT_THROTTLE_RATES": {
        "token": "10/min",
        # Writes per signed-in person, or per address signed out, through the API and the
        # pages' forms together (reads are not limited).
        "write": env.str("API_WRITE_RATE", default="600/min"),
    },
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Impact Groups API",
    "DESCRIPTION": "Groups act, measure their impact and reflect every week.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    # `<id:pk>` (impact.ids): a whole number from 1 to impact.ids.MAX_ID, not any string of digits.
    "PATH_CONVERTER_OVERRIDES": {"id": {"type": "integer", "minimum": 1, "maximum": 2**63 - 1}},
    # Swagger UI from the installed sidecar package, never from a CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

# Celery: Redis when configured, otherwise kombu's filesystem transport under var/ so that
# `make run` has a real worker and beat with no server installed.
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default=REDIS_URL or "filesystem://localhost/")
CELERY_BROKER_TRANSPORT_OPTIONS = {}
if CELERY_BROKER_URL.startswith("filesystem://"):
    _queue_dir = VAR_DIR / "celery" / "queue"
    for _folder in (_queue_dir, VAR_DIR / "celery" / "control"):
        _folder.mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_queue_dir),
        "data_folder_out": str(_queue_dir),
        "control_folder": str(VAR_DIR / "celery" / "control"),
        "store_processed": False,
    }
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = "UTC"
CELERY_BROKER_CONNECTION_TIMEOUT = 3
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Publishing must not hang a web request when the broker is down: the outbox sweep catches up.
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 1, "interval_start": 0, "interval_step": 0.2}
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
# Multiplies the beat's intervals below (not the weekly digest): 1 in production; a test that
# runs beat as a separate process sets it small so that jobs fire within seconds.
BEAT_SCHEDULE_SCALE = env.float("BEAT_SCHEDULE_SCALE", default=1.0)
if BEAT_SCHEDULE_SCALE <= 0:
    raise ImproperlyConfigured("BEAT_SCHEDULE_SCALE must be a positive number.")
CELERY_BEAT_SCHEDULE = {
    "outbox-sweep": {"task": "impact.tasks.sweep_outbox", "schedule": 60.0 * BEAT_SCHEDULE_SCALE},
    "webhook-sweep": {
        "task": "groups.webhooks.tasks.sweep_webhooks",
        "schedule": 60.0 * BEAT_SCHEDULE_SCALE,
    },
    # Deletes the delivery log past WEBHOOK_LOG_DAYS, a batch at a time.
    "webhook-log-prune": {
        "task": "groups.webhooks.tasks.prune_webhook_log",
        "schedule": 3600.0 * BEAT_SCHEDULE_SCALE,
    },
    "meeting-schedule": {
        "task": "groups.meetings.tasks.fill_meeting_schedule",
        "schedule": 3600.0 * BEAT_SCHEDULE_SCALE,
    },
    "meeting-reminders": {
        "task": "groups.meetings.tasks.send_meeting_reminders",
        "schedule": 300.0 * BEAT_SCHEDULE_SCALE,
    },
    "reflection-prompts": {
        "task": "groups.meetings.tasks.send_reflection_prompts",
        "schedule": 900.0 * BEAT_SCHEDULE_SCALE,
    },
    # Mondays 07:00 UTC; the dedupe key (group, ISO week) keeps it to one digest a week.
    "moderator-digest": {
        "task": "groups.meetings.tasks.send_moderator_digest",
        "schedule": crontab(hour=7, minute=0, day_of_week=1),
    },
}

# Outbox delivery: attempts before a notification is marked failed, and the first backoff.
OUTBOX_MAX_ATTEMPTS = env.int("OUTBOX_MAX_ATTEMPTS", default=5)
OUTBOX_RETRY_BASE_SECONDS = env.int("OUTBOX_RETRY_BASE_SECONDS", default=30)
# How long a worker holds a row it is sending (far longer than a send takes): a row held by a
# worker that died is picked up by the sweep once this has passed.
OUTBOX_CLAIM_SECONDS = env.int("OUTBOX_CLAIM_SECONDS", default=300)

# Outgoing webhooks (groups/webhooks): attempts per event and hook, the first backoff (doubled
# after each failure), and the failures in a row after which a hook is turned off.
WEBHOOK_MAX_ATTEMPTS = env.int("WEBHOOK_MAX_ATTEMPTS", default=6)
WEBHOOK_RETRY_BASE_SECONDS = env.int("WEBHOOK_RETRY_BASE_SECONDS", default=30)
WEBHOOK_DISABLE_AFTER = env.int("WEBHOOK_DISABLE_AFTER", default=10)
# Days a finished delivery (and its attempts) stays in a hook's log before the beat deletes it.
WEBHOOK_LOG_DAYS = env.int("WEBHOOK_LOG_DAYS", default=30)
if WEBHOOK_LOG_DAYS < 1:
    raise ImproperlyConfigured("WEBHOOK_LOG_DAYS must be a whole number of days, at least 1.")
# DANGEROUS: address ranges (CIDRs, comma-separated) webhooks may call although they are
# private or loopback. Empty in production; tests allow 127.0.0.1/32 for a local receiver.
WEBHOOK_ALLOW_ADDRESSES = env.list("WEBHOOK_ALLOW_ADDRESSES", default=[])
for _cidr in WEBHOOK_ALLOW_ADDRESSES:
    try:
        ipaddress.ip_network(_cidr, strict=False)
    except ValueError as _error:
        raise ImproperlyConfigured(f"WEBHOOK_ALLOW_ADDRESSES: {_cidr!r} is no CIDR.") from _error

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {"django.db.backends": {"level": "INFO"}},
}
