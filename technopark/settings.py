"""Settings for the Technopark network portal.

Everything that differs between a laptop and production comes from the environment
(see README). The embedded default — no variable set — is SQLite, Celery eager and console
email, so that `make run` needs no other service. DEBUG is off unless set: `make run` and
the tests (technopark/settings_test.py) turn it on explicitly. With DEBUG off the settings
refuse to start without a SECRET_KEY and switch on every production safeguard.
"""

from pathlib import Path

import environ
from celery.schedules import crontab
from csp.constants import NONCE, NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _
from kombu import Queue

from technopark.logging_config import logging_config

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DEBUG", default=False)

if DEBUG:
    SECRET_KEY = env.str("SECRET_KEY", default="insecure-dev-key-only-for-debug-" + "x" * 32)
else:
    # No default: a production process without a key must fail loudly at start-up.
    SECRET_KEY = env.str("SECRET_KEY")

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "modeltranslation",  # before the admin (issue 19: content in French, Arabic and English)
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "django_countries",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "core",
    "technopark",
    "accounts",
    "sites.apps.SitesConfig",
    "startups",
    "services",
    "mentors",
    "spaces",
    "billing",
    "passport",
    "surveys",
    "reports",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "core.middleware.BackendUnavailableMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # CSP, locale and messages: Django's and django-csp's, without their per-request waste.
    "core.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "core.middleware.LocaleMiddleware",
    # An API query string with a NUL character: a (translated) 400 before anything reads it.
    "core.api.RejectNulCharacters",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "accounts.middleware.AuthenticationMiddleware",
    # Its response phase runs after every view and inner middleware, once the API token
    # middleware and DRF have settled who the user is: signed in means private, no-store.
    "core.middleware.PrivateCacheMiddleware",
    "core.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "accounts.middleware.APITokenMiddleware",
    "accounts.middleware.UserLanguageMiddleware",
    # Before anything reads the body (the CSRF check, the views): 413 over the route's cap.
    "core.middleware.RequestSizeLimitMiddleware",
    "accounts.middleware.RequireStaffMFAMiddleware",
    # Last, so that views and template rendering run inside the tenant scope.
    "sites.middleware.SiteScopeMiddleware",
]

ROOT_URLCONF = "technopark.urls"
WSGI_APPLICATION = "technopark.wsgi.application"

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
                "sites.context_processors.navigation",
            ],
        },
    },
]

# --- Database -----------------------------------------------------------------------
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
# Persistent connections: about 3x faster under load than reconnecting per request.
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    # WAL + a busy timeout let the dev server and the eager tasks write side by side.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"timeout": 20, "init_command": "PRAGMA journal_mode=WAL;", "transaction_mode": "IMMEDIATE"}
    )
    # Covering indexes (INCLUDE, e.g. startups' declaration_latest_idx) are PostgreSQL's:
    # SQLite builds the same index without the extra columns, which is all it needs.
    SILENCED_SYSTEM_CHECKS = ["models.W040"]
# Optional read replica: the dashboards and the KPI API read from it inside
# `core.db_router.use_replica()`; every write, and every other read, goes to default.
DATABASE_REPLICA_URL = env.str("DATABASE_REPLICA_URL", default="")
DATABASE_ROUTERS = []
if DATABASE_REPLICA_URL:
    DATABASES["replica"] = env.db("DATABASE_REPLICA_URL")
    DATABASES["replica"]["CONN_MAX_AGE"] = DATABASES["default"]["CONN_MAX_AGE"]
    DATABASES["replica"]["CONN_HEALTH_CHECKS"] = True
    # Tests read the replica through the default test database (no second one is created).
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
    DATABASE_ROUTERS = ["core.db_router.ReplicaRouter"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Django's cache, for what may be cached (docs/scaling.md): the KPI figures, keyed by all
# their inputs, are kept this long (the dashboards say when they were computed); the public
# catalogue's body for anonymous visitors this long (seats left may lag; booking itself
# always counts seats under a lock). 0 turns the cache off.
KPI_CACHE_SECONDS = env.int("KPI_CACHE_SECONDS", default=600)
CATALOGUE_CACHE_SECONDS = env.int("CATALOGUE_CACHE_SECONDS", default=60)

# --- Cache, Celery ------------------------------------------------------------------
REDIS_URL = env.str("REDIS_URL", default="")
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="") or REDIS_URL
if REDIS_URL:
    from core.cache import redis_caches

    # Redis down: the default cache (rate limits, throttles) answers with misses and lets
    # requests through; the sessions' cache raises, for core.session_store to decide.
    # Both fail fast (2 s timeouts, then skipped for a few seconds): core/cache.py.
    CACHES = redis_caches(REDIS_URL)
    SESSION_CACHE_ALIAS = "sessions"
    # Sessions: the database stays the record (a Redis restart logs nobody out, revocation
    # and clearsessions work on the table); Redis serves the reads. Without Redis (down or
    # unreachable) they fall back to the database (core.session_store).
    SESSION_ENGINE = "core.session_store"
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    # The embedded default keeps Django's database sessions.
# Nothing about a user (who they are, their sites, roles, MFA state) is ever cached: it is
# read from the database on every request. The cache holds only rate-limit counters,
# throttles, copies of sessions, anonymous public pages and figures keyed by all their inputs.

# No broker configured: run tasks in-process so the embedded default needs no service.
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=not CELERY_BROKER_URL)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_RESULT_BACKEND = env.str("CELERY_RESULT_BACKEND", default=None)
# A worker that dies mid-task (issue 15): tasks are acknowledged when they end, a task
# whose pool process dies is put back at once (reject on worker lost), and a worker
# reserves one message per process, no more (prefetch 1). A worker killed outright
# (`kill -9`, out of memory, a lost machine) acknowledges nothing: Redis hands its
# messages to another worker only after the visibility timeout. That timeout must exceed
# the longest task (a history import may run 30 minutes: ImportJob.stale_after) and the
# longest countdown (a board report's retry: BoardReport.stale_after + 60 s), or Redis
# hands a message still running, or still waiting for its time, to a second worker. So
# the jobs (core.jobs) do not wait for it: a sweeper (Celery beat, every
# JOB_SWEEP_SECONDS) sends a job silent for its model's stale_after to the next worker,
# whose claim takes it over (one run owns a job).
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 45 * 60}
JOB_SWEEP_SECONDS = 60
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = "Africa/Casablanca"
# Two queues: "default" (emails, reminders, everything short) and "reports" (KPI snapshots
# and board reports: minutes of database work). A worker without -Q consumes both; in
# production run `-Q default` and `-Q reports` workers and scale each (docs/scaling.md).
CELERY_TASK_DEFAULT_QUEUE = "default"
CELERY_TASK_QUEUES = [Queue("default", routing_key="default"), Queue("reports", routing_key="reports")]
CELERY_TASK_ROUTES = {
    # The sweeper is a quick query: on the default queue, not behind a long report.
    "reports.board.jobs.reclaim_stalled_board_reports": {"queue": "default"},
    "reports.board.jobs.*": {"queue": "reports"},
    "reports.tasks.*": {"queue": "reports"},
}
CELERY_BEAT_SCHEDULE = {
    "purge-expired-sessions": {
        "task": "core.tasks.clear_expired_sessions",
        "schedule": 24 * 60 * 60,
    },
    # Reminders 24 hours before each session (the claim on the row makes reruns harmless).
    "session-reminders": {"task": "services.tasks.send_session_reminders", "schedule": 15 * 60},
    "mentor-booking-reminders": {"task": "mentors.tasks.send_booking_reminders", "schedule": 15 * 60},
    # Outbox: the emails written while the broker was down, and the retries (core.emails).
    "flush-outbox": {"task": "core.emails.flush_outbox", "schedule": 60},
    # Jobs whose worker died (see CELERY_BROKER_TRANSPORT_OPTIONS above), sent to the next
    # worker; a sweep nobody ran in time is dropped (the next one does the same work).
    "reclaim-board-reports": {
        "task": "reports.board.jobs.reclaim_stalled_board_reports",
        "schedule": JOB_SWEEP_SECONDS,
        "options": {"expires": JOB_SWEEP_SECONDS},
    },
    "reclaim-history-imports": {
        "task": "startups.tasks.reclaim_stalled_history_imports",
        "schedule": JOB_SWEEP_SECONDS,
        "options": {"expires": JOB_SWEEP_SECONDS},
    },
    # The day's KPI snapshots, for every site, region and the network, once the day is done.
    "kpi-snapshots": {"task": "reports.tasks.compute_kpi_snapshots", "schedule": crontab(minute=30, hour=23)},
    # Last month's board reports (network and every operational site) on the 1st, 06:00,
    # once the last day's snapshots are done; reruns return the same reports.
    "monthly-board-reports": {
        "task": "reports.board.jobs.request_monthly_board_reports",
        "schedule": crontab(minute=0, hour=6, day_of_month=1),
    },
    # Last year's figures are due in spring: remind on the 1st, February to June, 09:00.
    "declaration-reminders": {
        "task": "startups.tasks.send_declaration_reminders",
        "schedule": crontab(minute=0, hour=9, day_of_month=1, month_of_year="2-6"),
    },
    # Last month's draft invoices (rents, rooms, charges) on the 1st, 06:00; reruns skip the
    # startups already invoiced for the month.
    "monthly-invoice-drafts": {
        "task": "billing.tasks.monthly_invoices_draft",
        "schedule": crontab(minute=0, hour=6, day_of_month=1),
    },
    # Certificates of attendance and completion, issued within the hour a session ends.
    "certificates": {"task": "passport.tasks.issue_certificates", "schedule": crontab(minute=5)},
    # The yearly satisfaction survey: every day of its campaign (October to December), 10:00,
    # the startups admitted and not asked yet for their site and the year (one invitation each).
    "satisfaction-survey-invitations": {
        "task": "surveys.tasks.send_survey_invitations",
        "schedule": crontab(minute=0, hour=10, month_of_year="10-12"),
    },
    # Unpaid invoices: a reminder on the due date, 15 and 30 days after, each once (08:00).
    "invoice-reminders": {
        "task": "billing.tasks_reminders.send_invoice_reminders",
        "schedule": crontab(minute=0, hour=8),
    },
}

# --- Authentication -----------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "accounts:landing"
ACCOUNT_ADAPTER = "accounts.adapters.AccountAdapter"
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_SIGNUP_FORM_CLASS = "accounts.forms.SignupForm"
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = False
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_UNIQUE_EMAIL = True
# Every check of a password or a code goes through allauth's limits (core/throttling.py
# lists the paths): the login page, MFA codes, the admin's login (redirected to allauth's),
# the API token view and the account-deletion form. Spelled out, allauth's defaults included,
# so that the limits of every path are read here. "ip": the client's address, read as
# ALLAUTH_TRUSTED_PROXY_COUNT below says (our own limits share it: throttling.client_ip).
ACCOUNT_RATE_LIMITS = {
    # Failed password or MFA-code checks, shared by every path: per IP, and per account
    # ("key"). A success does not count. Passwords: the "ip" rate here, counted in the
    # database, and a progressive lock per account with an unlock link emailed to its owner
    # instead of "key" (core/throttling.py). MFA codes (after the password): both, as
    # allauth counts them, in the cache.
    "login_failed": "30/m/ip,100/h/key",
    "login": "30/m/ip",  # every login form submission
    "signup": "20/m/ip",
    "reset_password": "20/m/ip,5/m/key",  # reset emails asked for, per IP and per address
    "reset_password_from_key": "20/m/ip",  # the form the reset email links to
    "confirm_email": "1/3m/key",  # at most one verification email per address per 3 minutes
    "change_password": "5/m/user",
    "manage_email": "10/m/user",
    "reauthenticate": "10/m/user",
}
# The client's address for every limit: REMOTE_ADDR, unless the portal runs behind this many
# proxies of its own (the load balancer of docs/scaling.md: 1); then the address that the
# outermost of them saw, read from X-Forwarded-For. Never more than there really are: the
# rest of that header is whatever the client sent.
ALLAUTH_TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
if ALLAUTH_TRUSTED_PROXY_COUNT < 0:
    raise ImproperlyConfigured(f"TRUSTED_PROXY_COUNT must be 0 or more, not {ALLAUTH_TRUSTED_PROXY_COUNT}")
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "Technopark"
# Wrong codes also counted per account in the database: the limit holds while Redis is down.
MFA_FORMS = {
    "authenticate": "accounts.forms.MFAAuthenticateForm",
    "reauthenticate": "accounts.forms.MFAReauthenticateForm",
}
# Site managers and head-office staff must enrol TOTP before using the portal.
REQUIRE_STAFF_MFA = env.bool("REQUIRE_STAFF_MFA", default=not DEBUG)
# API tokens (accounts.ApiToken) stop working this many days after their last use, and after their creation.
API_TOKEN_IDLE_DAYS = env.int("API_TOKEN_IDLE_DAYS", default=30)
API_TOKEN_MAX_DAYS = env.int("API_TOKEN_MAX_DAYS", default=365)
if not 1 <= API_TOKEN_IDLE_DAYS <= API_TOKEN_MAX_DAYS:
    raise ImproperlyConfigured(
        f"API_TOKEN_IDLE_DAYS ({API_TOKEN_IDLE_DAYS}) must be between 1 and API_TOKEN_MAX_DAYS ({API_TOKEN_MAX_DAYS})"
    )

# --- Internationalisation -----------------------------------------------------------
LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", _("French")), ("ar", _("Arabic")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
FORMAT_MODULE_PATH = ["technopark.formats"]  # Moroccan Arabic and French usage (issue 19)
# Content the staff write for the public, in three languages (django-modeltranslation).
MODELTRANSLATION_DEFAULT_LANGUAGE = "fr"
MODELTRANSLATION_FALLBACK_LANGUAGES = ("fr",)
TIME_ZONE = "Africa/Casablanca"
USE_I18N = True
USE_TZ = True

# --- Static and media ---------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "media/"
# Request sizes (core/limits.py). A route accepts REQUEST_MAX_BYTES, plus the files it
# declares (logos 2 MB, pitch decks 10 MB, history import 2 × 5 MB): a larger Content-Length is
# a 413 before the body is read. Form fields and JSON bodies: DATA_UPLOAD_MAX_MEMORY_SIZE at
# most (413 as well); JSON nests JSON_MAX_DEPTH levels at most (400). Uploads over
# FILE_UPLOAD_MAX_MEMORY_SIZE are streamed to a temporary file rather than kept in memory.
REQUEST_MAX_BYTES = env.int("REQUEST_MAX_BYTES", default=1024 * 1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = env.int("DATA_UPLOAD_MAX_MEMORY_SIZE", default=1024 * 1024)
FILE_UPLOAD_MAX_MEMORY_SIZE = env.int("FILE_UPLOAD_MAX_MEMORY_SIZE", default=2621440)  # 2.5 MB: a logo stays in memory
JSON_MAX_DEPTH = env.int("JSON_MAX_DEPTH", default=32)
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "media")
# Media (logos, photos, pitch decks, board reports) on S3-compatible storage when a bucket
# is named, else on the local disk. Either way files are private and served only through
# permission-checked views that stream them (never a redirect to a storage URL).
AWS_STORAGE_BUCKET_NAME = env.str("AWS_STORAGE_BUCKET_NAME", default="")
if AWS_STORAGE_BUCKET_NAME:
    MEDIA_STORAGE = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": AWS_STORAGE_BUCKET_NAME,
            "endpoint_url": env.str("AWS_S3_ENDPOINT_URL", default="") or None,
            "region_name": env.str("AWS_S3_REGION_NAME", default="") or None,
            "access_key": env.str("AWS_ACCESS_KEY_ID", default="") or None,
            "secret_key": env.str("AWS_SECRET_ACCESS_KEY", default="") or None,
            "default_acl": "private",
            "querystring_auth": False,  # no URL is ever handed out
            "file_overwrite": False,  # a new upload never replaces another's file
        },
    }
else:
    MEDIA_STORAGE = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
STORAGES = {
    "default": MEDIA_STORAGE,
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "core.storage.StaticFilesStorage"
    },
}

# --- Email --------------------------------------------------------------------------
EMAIL_BACKEND = env.str("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env.str("EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("EMAIL_PORT", default=25)
EMAIL_HOST_USER = env.str("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env.str("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=False)
EMAIL_FILE_PATH = env.str("EMAIL_FILE_PATH", default=str(BASE_DIR / "sent-emails"))  # for the file backend
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Technopark <no-reply@technopark.ma>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- API ----------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # Token first: an unauthenticated API call gets 401 with `WWW-Authenticate: Token`.
        # Both apply the staff MFA rule (accounts.permissions.mfa_enrolment_missing): a
        # session or token of an account that must use TOTP and has none gets 403.
        "accounts.authentication.ApiTokenAuthentication",
        "accounts.authentication.MFASessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "core.api.Pagination",
    "DEFAULT_FILTER_BACKENDS": ["core.filters.FilterBackend"],
    "PAGE_SIZE": 50,
    # Documents the kernel's error responses (400, 401, 403, 404, 413, 429) on every operation.
    "DEFAULT_SCHEMA_CLASS": "core.schema.AutoSchema",
    "EXCEPTION_HANDLER": "core.api.exception_handler",
    # JSON with depth, size and "an object" limits (core/parsers.py).
    "DEFAULT_PARSER_CLASSES": [
        "core.parsers.JSONParser",
        # Forms and multipart bodies must be key/value objects too (core/form_parsers.py).
        "core.form_parsers.FormParser",
        "core.form_parsers.MultiPartParser",
    ],
    "DEFAULT_THROTTLE_RATES": {"anon": "120/min", "user": "600/min"},
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Technopark network API",
    "DESCRIPTION": (
        "The Technopark network: sites, startups, services, mentors and impact figures.\n\n"
        "**Authentication.** The portal's session (with `X-CSRFToken` on writes) or "
        "`Authorization: Token <key>`. `POST /api/v1/auth/token/` (email and password) creates a "
        "token; accounts that must use two-factor authentication create theirs on the profile's "
        "*API tokens* page after signing in with their second factor. The key is shown once (only "
        "its SHA-256 is stored). A token stops working (401) when it is revoked, after "
        f"{API_TOKEN_IDLE_DAYS} days without use (`API_TOKEN_IDLE_DAYS`) and {API_TOKEN_MAX_DAYS} "
        "days after its creation (`API_TOKEN_MAX_DAYS`). It is revoked by its owner "
        "(`DELETE /api/v1/auth/tokens/{id}/`, or the page), by a password change or reset, by "
        "*sign out every other session*, and by any change of the account's role or site "
        "memberships (a token is bound to the role it was issued for). List yours with "
        "`GET /api/v1/auth/tokens/`.\n\n"
        "**Two-factor authentication.** Site staff and head office must have TOTP set up when "
        "the portal requires it: until then every API request they make, with a session or a "
        "token, is refused with 403."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "UserRoleEnum": "accounts.models.Role",
        "MembershipRoleEnum": "sites.models.MembershipRole",
        "DimensionEnum": "services.models.Dimension",
        "KindEnum": "startups.models.AdmissionKind",
        "MentorKindEnum": "mentors.models.MentorKind",
    },
}

# --- Security -----------------------------------------------------------------------
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}
SESSION_COOKIE_HTTPONLY = True
# The language cookie: Secure like the session cookie (below), never read by scripts (the switcher posts), Lax.
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = False
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if not DEBUG:
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_REDIRECT_EXEMPT = [r"^health/(live/)?$"]  # load balancers probe over plain HTTP
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    LANGUAGE_COOKIE_SECURE = True  # and accounts.middleware.UserLanguageMiddleware's own cookie
    SECURE_SSL_HOST = env.str("SECURE_SSL_HOST", default=None)

# --- Logging, error reporting (technopark/logging_config.py) --------------------------
LOG_FORMAT = env.str("LOG_FORMAT", default="text" if DEBUG else "json")
if LOG_FORMAT not in ("json", "text"):
    raise ImproperlyConfigured(f"LOG_FORMAT must be 'json' or 'text', not {LOG_FORMAT!r}")
LOGGING = logging_config(json=LOG_FORMAT == "json", level=env.str("LOG_LEVEL", default="INFO"))
# Error reports (DEBUG page, mail to ADMINS) hide secret POST fields and settings the same way.
DEFAULT_EXCEPTION_REPORTER_FILTER = "core.logging.SecretsExceptionReporterFilter"

# Optional: errors of the web processes and the Celery workers go to Sentry (core/sentry.py).
SENTRY_DSN = env.str("SENTRY_DSN", default="")
if SENTRY_DSN:
    from core.sentry import sentry_init

    sentry_init(dsn=SENTRY_DSN, environment=env.str("SENTRY_ENVIRONMENT", default=None))

# --- Portal. PORTAL_URL: the base of links in emails sent without a request (no ;params?query#fragment)
DEMO_PASSWORD = "demo-Technopark-2027"
_portal = env.url("PORTAL_URL", default="http://127.0.0.1:8000")
PORTAL_URL = _portal.geturl()
if _portal.scheme not in ("http", "https") or not _portal.hostname or _portal.path.endswith("/") or any(_portal[3:]):
    raise ImproperlyConfigured(f"PORTAL_URL: {PORTAL_URL!r} is not an absolute http(s) URL without a trailing slash")
