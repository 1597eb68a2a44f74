"""Orderflow settings.

The embedded default needs no services: SQLite (WAL, busy timeout, immediate transactions),
django-q2 on the ORM broker and Channels' in-memory layer. ``DATABASE_URL`` switches the database
to PostgreSQL; ``REDIS_URL`` switches the django-q2 broker and the channel layer to Redis.
"""

import os
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("ORDERFLOW_VAR_DIR", BASE_DIR / "var"))

SECRET_KEY = os.environ.get("SECRET_KEY", "dev-only-insecure-key-change-me-in-production-0123456789")
DEBUG = os.environ.get("DEBUG", "0") == "1"
ALLOWED_HOSTS = os.environ.get("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",")

INSTALLED_APPS = [
    "daphne",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_q",
    "channels",
    "core.accounts",
    "orderflow.web",
    "commerce.audit",
    "commerce.outbox",
    "commerce.catalog",
    "commerce.channels",
    "commerce.customers",
    "commerce.inventory",
    "commerce.orders",
    "commerce.payments",
    "commerce.shipments",
    "commerce.refunds",
    "commerce.timeouts",
    "commerce.tickets",
    "commerce.inbox",
    "orderflow.demo",
    "orderflow.schedules",
    "builder",
    "runtime",
    "connectors",
    "insights.kpis",
    "insights.alerts",
    "insights.monitor",
    "insights.live",
    "insights.boards",
]

MIDDLEWARE = [
    "core.api.middleware.TraceIdMiddleware",
    "core.api.middleware.BodySizeLimitMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "orderflow.urls"
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]
WSGI_APPLICATION = "orderflow.wsgi.application"
ASGI_APPLICATION = "orderflow.asgi.application"

# --- database -------------------------------------------------------------------------------
VAR_DIR.mkdir(parents=True, exist_ok=True)
DATABASE_URL = os.environ.get("DATABASE_URL", "")
if DATABASE_URL:
    # Connections close when their request finishes (CONN_MAX_AGE 0): under the ASGI handler a
    # request runs in a thread started for it, and a kept-alive per-thread connection would be
    # orphaned with that thread (32 clients exhausted max_connections in the benchmark).
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=int(os.environ.get("CONN_MAX_AGE", "0")))}
    # The web servers (orderflow.wsgi and orderflow.asgi set ORDERFLOW_DB_POOL) take their PostgreSQL
    # connections from Django's psycopg pool instead: ``request_finished`` runs in the request's
    # thread and hands its connection back, so a request does not pay for a new server
    # backend. At most the pool's ``max_size`` requests of a process hold a connection at a time;
    # the others wait for one (``timeout``). django-q2's cluster keeps one connection per process
    # (runtime.receivers). Every commit waits for the disk (PostgreSQL's synchronous_commit = on).
    if DATABASES["default"]["ENGINE"].endswith("postgresql"):
        # Parameters bound by the server, and a statement prepared once it ran 5 times on its
        # connection (psycopg's default; Django's None turns preparing off): the order's
        # statements are then parsed once, not on every order. Every run is still planned for
        # its own values (plan_cache_mode): a generic plan kept from when a table was small
        # would go on scanning it once it is large — a 100,000-row stock import's IN-list reads
        # took ten times as long with one.
        options = DATABASES["default"].setdefault("OPTIONS", {})
        options.update({"prepare_threshold": 5, "server_side_binding": True})
        options["options"] = f"{options.get('options', '')} -c plan_cache_mode=force_custom_plan".strip()
    if os.environ.get("ORDERFLOW_DB_POOL") == "1" and DATABASES["default"]["ENGINE"].endswith("postgresql"):
        DATABASES["default"]["CONN_MAX_AGE"] = 0
        DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
            "min_size": 2,
            "max_size": int(os.environ.get("ORDERFLOW_DB_POOL_SIZE", "12")),
            "timeout": 30,
        }
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": os.environ.get("SQLITE_PATH", str(VAR_DIR / "orderflow.sqlite3")),
            "OPTIONS": {
                # WAL lets readers run beside the one writer; IMMEDIATE takes the write lock at
                # BEGIN so two writers queue on the busy timeout instead of failing mid-transaction.
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
            },
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- queue and channel layer ----------------------------------------------------------------
REDIS_URL = os.environ.get("REDIS_URL", "")
Q_CLUSTER = {
    "name": os.environ.get("ORDERFLOW_Q_NAME", "orderflow"),  # a separate queue per test run / site
    "workers": int(os.environ.get("Q_WORKERS", "2")),
    "timeout": 120,
    "retry": 180,
    "catch_up": False,
    "label": "Tasks",
}
# The runtime's dispatch wake-up lives where the queue lives (runtime.wakeup).
ORDERFLOW_WAKEUP_REDIS_URL = REDIS_URL
if REDIS_URL:
    Q_CLUSTER["redis"] = REDIS_URL
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels_redis.core.RedisChannelLayer", "CONFIG": {"hosts": [REDIS_URL]}}}
else:
    Q_CLUSTER["orm"] = "default"
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}

# Live updates (insights.live): the port where daphne serves /ws/live/ when it is not the web
# server's own (python -m orderflow.run sets it for gunicorn); how often a web process looks for
# new events where PostgreSQL's NOTIFY does not wake it; the quiet time between two kpis.changed.
ORDERFLOW_LIVE_PORT = os.environ.get("ORDERFLOW_LIVE_PORT", "")
ORDERFLOW_LIVE_POLL_SECONDS = float(os.environ.get("ORDERFLOW_LIVE_POLL_SECONDS", "0.5"))
ORDERFLOW_LIVE_SAFETY_POLL_SECONDS = 1.0
ORDERFLOW_LIVE_KPIS_SECONDS = 5.0
ORDERFLOW_LIVE_GAP_SECONDS = 30.0

# --- auth -----------------------------------------------------------------------------------
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
]
LOGIN_URL = "/admin/login/"

# --- i18n and time --------------------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = "UTC"  # storage and between components
ORDERFLOW_DISPLAY_TIME_ZONE = "Asia/Shanghai"  # what the UI shows by default

# --- static ---------------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [("app", BASE_DIR / "frontend" / "dist")] if (BASE_DIR / "frontend" / "dist").is_dir() else []
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}

# Fernet key(s) sealing stored secrets (comma-separated to rotate; the first seals). Unset: derived
# from SECRET_KEY (see core.crypto).
ORDERFLOW_SECRETS_KEY = os.environ.get("ORDERFLOW_SECRETS_KEY", "")

# --- API ------------------------------------------------------------------------------------
# Requests above this many bytes are refused with 413 before any view reads them.
ORDERFLOW_MAX_BODY_BYTES = int(os.environ.get("ORDERFLOW_MAX_BODY_BYTES", str(2 * 1024 * 1024)))
# File uploads (the stock CSV import) may be larger: views that take them set ``max_body_bytes``.
ORDERFLOW_MAX_UPLOAD_BYTES = int(os.environ.get("ORDERFLOW_MAX_UPLOAD_BYTES", str(32 * 1024 * 1024)))
# Connectors: an inbound webhook's body limit; stock sync kicked by every committed domain event.
ORDERFLOW_CONNECTOR_WEBHOOK_MAX_BYTES = int(os.environ.get("ORDERFLOW_CONNECTOR_WEBHOOK_MAX_BYTES", str(1024 * 1024)))
ORDERFLOW_STOCK_SYNC_ON_EVENTS = os.environ.get("ORDERFLOW_STOCK_SYNC_ON_EVENTS", "1") == "1"
DATA_UPLOAD_MAX_MEMORY_SIZE = ORDERFLOW_MAX_BODY_BYTES
FILE_UPLOAD_MAX_MEMORY_SIZE = ORDERFLOW_MAX_BODY_BYTES

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "core.accounts.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["core.api.permissions.RolePermission"],
    "DEFAULT_PARSER_CLASSES": ["core.api.parsers.StrictJSONParser"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PAGINATION_CLASS": "core.api.pagination.CreatedCursorPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "EXCEPTION_HANDLER": "core.api.errors.exception_handler",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
if DEBUG:
    REST_FRAMEWORK["DEFAULT_RENDERER_CLASSES"] = [
        "rest_framework.renderers.JSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ]

SPECTACULAR_SETTINGS = {
    "TITLE": "Orderflow API",
    "DESCRIPTION": "Order centre, inventory and flow automation for e-commerce teams.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "COMPONENT_SPLIT_REQUEST": True,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

# --- logging --------------------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"trace": {"()": "core.api.middleware.TraceIdLogFilter"}},
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s [%(trace_id)s] %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain", "filters": ["trace"]}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}

# --- domain ---------------------------------------------------------------------------------
ORDERFLOW_PAYMENT_TIMEOUT_MINUTES = 15
# A paid order not shipped within this many hours of payment is overdue (commerce.orders.sla).
ORDERFLOW_SHIP_SLA_HOURS = 48
# The most rows one CSV export of the order board writes; a larger view asks for narrower filters.
ORDERFLOW_ORDER_EXPORT_MAX_ROWS = 100_000

# Dashboards: the shipping SLA on-time fulfilment measures from payment, and the anomaly rules'
# sample size and silence window (insights.kpis.definitions, insights.alerts.rules).
ORDERFLOW_KPI_SHIP_SLA_HOURS = int(os.environ.get("ORDERFLOW_KPI_SHIP_SLA_HOURS", "48"))
ORDERFLOW_ALERT_MIN_SAMPLE = int(os.environ.get("ORDERFLOW_ALERT_MIN_SAMPLE", "10"))
ORDERFLOW_ALERT_SILENCE_MINUTES = int(os.environ.get("ORDERFLOW_ALERT_SILENCE_MINUTES", "60"))
