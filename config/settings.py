"""Settings, read from environment variables with safe development defaults.

Production sets DJANGO_DEBUG=0, DJANGO_SECRET_KEY, DJANGO_ALLOWED_HOSTS and the
database/broker URLs; `manage.py check --deploy` is then clean.
"""

import os
from datetime import timedelta
from pathlib import Path

from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _
from whitenoise.compress import Compressor

from config.env import env_bool, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent

DEBUG = env_bool("DJANGO_DEBUG", True)
SECRET_KEY = env_str("DJANGO_SECRET_KEY", "dev-only-insecure-key-change-me" if DEBUG else None)
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.postgres",
    "rest_framework",
    "rest_framework.authtoken",
    "axes",
    "csp",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "pgtrigger",
    "pghistory",
    "pghistory.admin",
    "core",
    "accounts",
    "notifications",
    "buyers",
    "policies",
    "deadlines",
    "limits",
    "premiums",
    "claims",
    "banks",
    "documents",
    "demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Every 403 into the security log (tci.security), the CSRF middleware's too.
    "accounts.security.PermissionRefusalLogMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "accounts.middleware.UserLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Ends sessions idle too long or too old (needs the user's session and messages).
    "accounts.sessions.SessionTimeoutMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "pghistory.middleware.HistoryMiddleware",
    # Last, as django-axes asks: turns a locked-out login into its 429 answer.
    "axes.middleware.AxesMiddleware",
]
if env_bool("DJANGO_SERVER_TIMING", False):
    # benchmarks/pages.py: each answer says its server time, SQL time and query count.
    MIDDLEWARE.insert(0, "core.middleware.ServerTimingMiddleware")

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

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
                "django.template.context_processors.i18n",
                "accounts.context_processors.navigation",
            ],
        },
    },
]

# Database roles (issue 11, SPEC 11): the application connects as its own role, which
# cannot change the schema, rewrite history or status-change rows, or switch triggers off;
# the owner role owns the schema and runs migrations and bulk loads; the admin role (a
# superuser, or one with CREATEROLE) only creates the other two (`manage.py db_roles`).
# A process picks its role with POSTGRES_CONNECT_AS (scripts/services.sh `as_owner`,
# `as_admin`). Under pytest the default is the owner: the test runner creates databases
# and migrates them; tests/core/test_db_roles.py connects as the application role.
DB_ROLES = {
    "app": (env_str("POSTGRES_USER", "tci_app"), env_str("POSTGRES_PASSWORD", "")),
    "owner": (env_str("POSTGRES_OWNER_USER", "tci_owner"), env_str("POSTGRES_OWNER_PASSWORD", "")),
    "admin": (env_str("POSTGRES_ADMIN_USER", "postgres"), env_str("POSTGRES_ADMIN_PASSWORD", "")),
}
DB_CONNECT_AS = env_str("POSTGRES_CONNECT_AS", "owner" if "PYTEST_VERSION" in os.environ else "app")
if DB_CONNECT_AS not in DB_ROLES:
    raise ImproperlyConfigured(f"POSTGRES_CONNECT_AS={DB_CONNECT_AS!r}: use app, owner or admin.")
DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": env_str("POSTGRES_DB", "tci"),
        "USER": DB_ROLES[DB_CONNECT_AS][0],
        "PASSWORD": DB_ROLES[DB_CONNECT_AS][1],
        "HOST": env_str("POSTGRES_HOST", "127.0.0.1"),
        "PORT": env_int("POSTGRES_PORT", 5432),
        # Persistent connections: a new one costs a PostgreSQL backend fork and the
        # authentication round trips on every request (issue 10); checked before reuse.
        "CONN_MAX_AGE": env_int("POSTGRES_CONN_MAX_AGE", 60),
        "CONN_HEALTH_CHECKS": True,
        "ATOMIC_REQUESTS": False,
        "OPTIONS": {
            "connect_timeout": 5,
            # No JIT compilation: the planner's cost of an EXISTS-or-EXISTS scope over
            # 20,000 buyers passes jit_above_cost, and compiling it took 627 ms of a 631 ms
            # query that runs in 4 ms without (EXPLAIN ANALYZE, issue 10, B7). A short
            # query of a web request never earns its compilation back.
            "options": "-c jit=off",
        },
    }
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    # First: refuses a locked-out username and address before any password is checked.
    "axes.backends.AxesStandaloneBackend",
    "accounts.backends.OrganisationModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    # ASVS 5.0 V6.2: at least 12 characters, and not one of the 20,000 most common.
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Login throttling (issue 11 item 7, ASVS 5.0 V6.3): every login path (/login/,
# /admin/login/, API tokens: accounts.authentication) counts failures per username *and*
# address, so a guesser locks out only that pair, for the cool-off, not the real user
# typing from elsewhere, and not for good. Counts are in PostgreSQL, shared by every
# gunicorn worker. A success resets the pair.
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("AXES_COOLOFF_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_CLIENT_IP_CALLABLE = "accounts.security.client_ip"
AXES_LOCKOUT_CALLABLE = "accounts.security.lockout_response"
# Its start-up banner would open the output of every manage.py command.
AXES_VERBOSE = False
# gunicorn is reached directly (scripts/run.sh, Dockerfile), so REMOTE_ADDR is the client;
# set to the number of reverse proxies in front to read X-Forwarded-For instead.
TRUSTED_PROXY_COUNT = env_int("DJANGO_TRUSTED_PROXY_COUNT", 0)

# Sessions (ASVS 5.0 V7.3, accounts.sessions): staff end after 30 minutes idle, portal
# users after 60, everybody 12 hours after logging in; the cookie lives no longer.
SESSION_IDLE_TIMEOUT_STAFF = timedelta(minutes=env_int("SESSION_IDLE_MINUTES_STAFF", 30))
SESSION_IDLE_TIMEOUT_PORTAL = timedelta(minutes=env_int("SESSION_IDLE_MINUTES_PORTAL", 60))
SESSION_ABSOLUTE_TIMEOUT = timedelta(hours=env_int("SESSION_ABSOLUTE_HOURS", 12))
SESSION_COOKIE_AGE = int(SESSION_ABSOLUTE_TIMEOUT.total_seconds())

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(env_str("DJANGO_STATIC_ROOT", str(BASE_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
# Development and tests serve from the app directories; production from collectstatic.
WHITENOISE_USE_FINDERS = DEBUG
# Source maps are fetched only by browser developer tools: brotli-compressing the 6 MB of
# them the API docs ship (each twice, original and hashed copy) was half of collectstatic.
WHITENOISE_SKIP_COMPRESS_EXTENSIONS = (*Compressor.SKIP_COMPRESS_EXTENSIONS, "map")
MEDIA_ROOT = Path(env_str("DJANGO_MEDIA_ROOT", str(BASE_DIR / "media")))
# The GB 2312 cut of Noto Sans CJK SC the PDFs use (documents.fonts; manage.py document_fonts).
DOCUMENT_FONT_DIR = Path(env_str("DOCUMENT_FONT_DIR", str(BASE_DIR / "var" / "fonts")))

# Security: strict in production, relaxed only where DEBUG development needs it.
# `make run` serves production settings over plain http on 127.0.0.1 (no TLS on one box):
# there scripts/production_env.sh turns off the SSL redirect, secure cookies (a browser
# would not send them back over http, so nobody could log in) and HSTS; a real deployment
# behind TLS leaves all three at these defaults.
SESSION_COOKIE_SECURE = env_bool("DJANGO_SECURE_COOKIES", not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SESSION_COOKIE_HTTPONLY = True
SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", not DEBUG)
SECURE_HSTS_SECONDS = env_int("DJANGO_HSTS_SECONDS", 0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = not DEBUG
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
# Content-Security-Policy (issue 11, ASVS 5.0 V3.4): scripts only from our own static
# files, no inline script and no eval, so injected markup cannot run. Styles may be
# inline (Bootstrap's and Swagger UI's style attributes carry no script); the API docs'
# Redoc renders in a blob: worker.
_SELF = "'self'"
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [_SELF],
        "script-src": [_SELF],
        "style-src": [_SELF, "'unsafe-inline'"],
        "img-src": [_SELF, "data:"],
        "font-src": [_SELF, "data:"],
        "connect-src": [_SELF],
        "worker-src": [_SELF, "blob:"],
        "object-src": ["'none'"],
        "base-uri": [_SELF],
        "form-action": [_SELF],
        "frame-ancestors": ["'none'"],
    }
}

EMAIL_BACKEND = env_str("DJANGO_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_FILE_PATH = env_str("DJANGO_EMAIL_FILE_PATH", str(BASE_DIR / "var" / "mail"))
DEFAULT_FROM_EMAIL = env_str("DJANGO_DEFAULT_FROM_EMAIL", "tci-pas@insurer.example.cn")

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # TokenAuthentication that counts wrong tokens as failed logins.
        "accounts.authentication.LockoutTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    # JSON too deep for Python's parser answers 400, not 500 (core.parsers.JSONParser).
    "DEFAULT_PARSER_CLASSES": [
        "core.parsers.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    # Unknown query parameters answer 400; id filters compare numbers (core.filters).
    "DEFAULT_FILTER_BACKENDS": [
        "core.filters.KnownQueryParameters",
        "core.filters.DjangoFilterBackend",
        "rest_framework.filters.OrderingFilter",
    ],
    # Lists page without counting every match (core.pagination, issue 10 B7).
    "DEFAULT_PAGINATION_CLASS": "core.pagination.NextPagePagination",
    "PAGE_SIZE": 50,
    # Documents the Idempotency-Key and If-Match headers (core.schema).
    "DEFAULT_SCHEMA_CLASS": "core.schema.AutoSchema",
    # Money travels as strings and is parsed as Decimal (ENVIRONMENT.md: floats lose cents).
    "COERCE_DECIMAL_TO_STRING": True,
    "EXCEPTION_HANDLER": "core.api.exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Trade credit insurance PAS API",
    "DESCRIPTION": "Policies, buyers and credit limits for domestic trade credit insurance.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "PolicyStatusEnum": "policies.choices.PolicyStatus",
        "BuyerStatusEnum": "buyers.choices.BuyerStatus",
        "LimitStatusEnum": "limits.choices.LimitStatus",
        "LimitActionEnum": "limits.choices.LimitAction",
        "PolicyActionEnum": "policies.choices.PolicyAction",
        "ApplicationStatusEnum": "limits.choices.ApplicationStatus",
        "ReviewStatusEnum": "limits.choices.ReviewStatus",
        "PendingOrdersStatusEnum": "limits.choices.PendingOrdersStatus",
        "OutcomeEnum": "limits.choices.Outcome",
        "ReviewOutcomeEnum": "limits.choices.ReviewOutcome",
        "ReasonCodeEnum": "limits.choices.ReasonCode",
        "IndustryEnum": "core.choices.Industry",
        "DeclarationStatusEnum": "premiums.choices.DeclarationStatus",
        "DeclarationActionEnum": "premiums.choices.DeclarationAction",
        "QuarterStateEnum": "premiums.choices.QuarterState",
        "DebitNoteKindEnum": "premiums.choices.DebitNoteKind",
        "DebitNoteStatusEnum": "premiums.choices.DebitNoteStatus",
        "DeadlineKindEnum": "deadlines.choices.DeadlineKind",
        "DeadlinePartyEnum": "deadlines.choices.DeadlineParty",
        "DeadlineStatusEnum": "deadlines.choices.DeadlineStatus",
        "NoticeStatusEnum": "claims.choices.NoticeStatus",
        "NoticeActionEnum": "claims.choices.NoticeAction",
        "ClaimStatusEnum": "claims.choices.ClaimStatus",
        "ClaimActionEnum": "claims.choices.ClaimAction",
        "ClaimCauseEnum": "claims.choices.ClaimCause",
        "WorksheetStatusEnum": "claims.choices.WorksheetStatus",
        "DocumentKindEnum": "claims.choices.DocumentKind",
        "ExclusionEnum": "claims.choices.Exclusion",
        "DeclineReasonEnum": "claims.choices.DeclineReason",
        "PayeeEnum": "claims.choices.Payee",
        # The claim file's kinds are "DocumentKindEnum"; these are the generated PDFs'.
        "GeneratedDocumentKindEnum": "documents.choices.DocumentKind",
        "DocumentStatusEnum": "documents.choices.DocumentStatus",
    },
}

# Celery: never lose work (ENVIRONMENT.md: acks_late + reject_on_worker_lost lost none).
# Insurance Law art. 22 asks for the missing claim documents "promptly, once": the
# insurer's own target for that request, in days after the claim is opened.
CLAIM_DOCUMENT_REQUEST_DAYS = env_int("CLAIM_DOCUMENT_REQUEST_DAYS", 10)

CELERY_BROKER_URL = env_str("CELERY_BROKER_URL", "redis://127.0.0.1:6379/0")
CELERY_RESULT_BACKEND = None
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# A pool process loads WeasyPrint and the fonts before its first task (documents.tasks);
# on a busy machine that takes longer than Celery's default 4 s to start a process.
CELERY_WORKER_PROC_ALIVE_TIMEOUT = 60
CELERY_TASK_SOFT_TIME_LIMIT = env_int("CELERY_TASK_SOFT_TIME_LIMIT", 240)
CELERY_TASK_TIME_LIMIT = env_int("CELERY_TASK_TIME_LIMIT", 300)
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", False)
# A message a killed worker took but never acknowledged goes back to the queue after the
# visibility timeout (Redis transport). Kombu's default is an hour; 15 minutes is above
# what one task may hold a message (prefetched behind a task of at most
# CELERY_TASK_TIME_LIMIT, then its own run, or a retry's countdown of at most 120 s), so
# a live task is not delivered twice while recovery takes minutes. Workers look for such
# messages every `unacked_restore_interval` seconds.
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": env_int("CELERY_VISIBILITY_TIMEOUT", 900),
    "unacked_restore_interval": env_int("CELERY_UNACKED_RESTORE_INTERVAL", 10),
    "unacked_restore_throttle": 1,
}
CELERY_TIMEZONE = TIME_ZONE
# Idempotency keys answer replays for at least this long (issue 11; Stripe keeps 24 hours).
IDEMPOTENCY_KEY_TTL = timedelta(hours=24)

CELERY_BEAT_SCHEDULE = {
    "purge-idempotency-keys": {
        "task": "core.tasks.purge_idempotency_keys",
        "schedule": crontab(minute=35),
    },
    "deliver-outbox": {
        "task": "notifications.tasks.deliver_outbox",
        "schedule": timedelta(seconds=30),
    },
    "renew-policies": {
        "task": "policies.tasks.renew_policies",
        "schedule": crontab(hour=1, minute=0),
    },
    "expire-policies": {
        "task": "policies.tasks.expire_policies",
        "schedule": crontab(hour=0, minute=5),
    },
    "apply-scheduled-limit-changes": {
        "task": "limits.tasks.apply_scheduled_limit_changes",
        "schedule": crontab(hour=0, minute=10),
    },
    "expire-limits": {
        "task": "limits.tasks.expire_limits",
        "schedule": crontab(hour=0, minute=15),
    },
    "warn-expiring-limits": {
        "task": "limits.tasks.warn_expiring_limits",
        "schedule": crontab(hour=7, minute=0),
    },
    "sweep-premiums": {
        "task": "premiums.tasks.sweep_premiums",
        "schedule": crontab(hour=0, minute=30),
    },
    "resume-declaration-uploads": {
        "task": "premiums.tasks.resume_declaration_uploads",
        "schedule": timedelta(minutes=15),
    },
    "sweep-claims": {
        # Before the deadline sweep, so that a moved notice deadline is reminded at once.
        "task": "claims.tasks.sweep_claims",
        "schedule": crontab(hour=0, minute=45),
    },
    "sweep-agreements": {
        # Agreements past their end date end, and banks are warned of those ending soon.
        "task": "banks.tasks.sweep_agreements",
        "schedule": crontab(hour=0, minute=50),
    },
    "sweep-deadlines": {
        # After the premium sweep, so that notes it issued are reminded the same day.
        "task": "deadlines.tasks.sweep_deadlines",
        "schedule": crontab(hour=6, minute=0),
    },
    "resume-documents": {
        # Documents a killed worker or a lost message left queued or rendering (SPEC 9, 10).
        "task": "documents.tasks.resume_documents",
        "schedule": timedelta(minutes=10),
    },
    "open-limit-reviews": {
        "task": "limits.tasks.open_limit_reviews",
        # Hourly, so a negative event recorded today gets its reviews the same day.
        "schedule": crontab(minute=20),
    },
}

# Reminders go out this many days before each deadline (SPEC 7 "Deadline reminders").
DEADLINE_REMINDER_DAYS = [int(d) for d in env_str("DEADLINE_REMINDER_DAYS", "7,1").split(",") if d]

# The security log (accounts.security, ASVS 5.0 V16): failed logins, refused API tokens,
# lockouts, 403s, logins and logouts, each a line with the user, address, method and path.
# To its own file when DJANGO_SECURITY_LOG_FILE names one (reopened when rotated), else to
# the console with the rest.
SECURITY_LOG_FILE = env_str("DJANGO_SECURITY_LOG_FILE", "")
SECURITY_LOG_HANDLER = (
    {"class": "logging.handlers.WatchedFileHandler", "filename": SECURITY_LOG_FILE}
    if SECURITY_LOG_FILE
    else {"class": "logging.StreamHandler"}
)
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "security": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler"},
        "security": {**SECURITY_LOG_HANDLER, "formatter": "security"},
    },
    "root": {"handlers": ["console"], "level": env_str("DJANGO_LOG_LEVEL", "INFO")},
    "loggers": {
        # WeasyPrint reports every step of every PDF at INFO (documents.pdf); warnings stay.
        "weasyprint.progress": {"level": "WARNING"},
        "tci.security": {"handlers": ["security"], "level": "INFO", "propagate": False},
        # django-axes' own lines mask the username and address: tci.security says it.
        "axes": {"level": "ERROR"},
    },
}
