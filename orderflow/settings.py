"""Orderflow settings.

The embedded default needs no services: SQLite (WAL, busy timeout, immediate transactions),
django-q2 on the ORM broker and Channels' in-memory layer. ``DATABASE_URL`` switches the database
to PostgreSQL; ``REDIS_URL`` switches the django-q2 broker and the channel layer to Redis.
"""

import os
import secrets
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("ORDERFLOW_VAR_DIR", BASE_DIR / "var"))

DEBUG = os.environ.get("DEBUG", "0") == "1"
ALLOWED_HOSTS = os.environ.get("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",")

# --- the secret key -------------------------------------------------------------------------
# Production sets SECRET_KEY; without it (and DEBUG off) the settings refuse to load, so no server,
# worker or command starts on a key anyone could know. A development install (ORDERFLOW_DEV=1:
# the Makefile, the browser tests' runner and the test settings set it; or DEBUG=1) generates a
# key once into the var dir instead. Installs before that ran on the built-in key below: it stays
# a fallback there (sessions and stored secrets made under it stay readable), never in production.
DEVELOPMENT = DEBUG or os.environ.get("ORDERFLOW_DEV", "0") == "1"
BUILT_IN_DEVELOPMENT_KEY = "dev-only-insecure-key-change-me-in-production-0123456789"


def _development_key(var_dir: Path) -> str:
    """The development key kept in ``var_dir/secret_key``, generated there (mode 0600) on first use."""
    path = var_dir / "secret_key"
    var_dir.mkdir(parents=True, exist_ok=True)
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        key = path.read_text().strip()
        if key:
            return key
        raise ImproperlyConfigured(f"{path} is empty: delete it to have a new development key generated") from None
    key = secrets.token_urlsafe(50)
    with os.fdopen(descriptor, "w") as file:
        file.write(key + "\n")
    return key


SECRET_KEY = os.environ.get("SECRET_KEY", "")
SECRET_KEY_FALLBACKS = [key for key in os.environ.get("SECRET_KEY_FALLBACKS", "").split(",") if key]
if SECRET_KEY == BUILT_IN_DEVELOPMENT_KEY and not DEVELOPMENT:
    raise ImproperlyConfigured("SECRET_KEY is the built-in development key, which anyone can read: set your own.")
if not SECRET_KEY:
    if not DEVELOPMENT:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. Orderflow does not run with DEBUG off on a built-in key: set SECRET_KEY "
            "to a long random value (python -c 'import secrets; print(secrets.token_urlsafe(50))'), or set "
            "ORDERFLOW_DEV=1 on a development machine to use a key generated once into the var dir."
        )
    SECRET_KEY = _development_key(VAR_DIR)
    SECRET_KEY_FALLBACKS.append(BUILT_IN_DEVELOPMENT_KEY)

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
    "axes",
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
    "commerce.reconciliation",
    "commerce.risk",
    "commerce.screening",
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
    "templates",
]

MIDDLEWARE = [
    "core.api.middleware.TraceIdMiddleware",
    # HTTPS redirect, HSTS, nosniff, Referrer-Policy; then CSP and Permissions-Policy on every answer.
    "django.middleware.security.SecurityMiddleware",
    "core.api.middleware.SecurityHeadersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # The language before any answer is written, so the refusals just below speak it too.
    "django.middleware.locale.LocaleMiddleware",
    "core.api.middleware.UrlLengthLimitMiddleware",
    "core.api.middleware.BodySizeLimitMiddleware",
    "core.api.middleware.StorableRequestTextMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last: turns a login refused for too many failures into the 429 answer (core.accounts.lockout).
    "axes.middleware.AxesMiddleware",
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
        # statements are then parsed once, not on every order, and PostgreSQL keeps a plan for
        # those whose plan does not depend on the values (its plan_cache_mode = auto). A bulk
        # transaction that fills a table and reads it back plans each run itself (core.db).
        options = DATABASES["default"].setdefault("OPTIONS", {})
        options.update({"prepare_threshold": 5, "server_side_binding": True})
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
    # Tasks the cluster takes from the queue ahead of its workers (django-q2's default: workers²).
    # A task queued at the head (the outbox's drain, runtime.queue) still waits behind these.
    "queue_limit": int(os.environ.get("Q_WORKERS", "2")),
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
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "/admin/login/"
# Every login (the token endpoint, the session login, the admin's) goes through authenticate() with
# its request; django-axes counts the failures per username and client address and, at the limit,
# refuses that pair for the cool-off — unknown usernames exactly like real ones, so the answer never
# tells which exist. The refusal is 429 with the error body (core.accounts.lockout).
AUTHENTICATION_BACKENDS = [
    "core.accounts.lockout.LoginLockoutBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = int(os.environ.get("ORDERFLOW_LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("ORDERFLOW_LOGIN_COOLOFF_MINUTES", "15")))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_DISABLE_ACCESS_LOG = True  # failures are what is counted; successful logins are not kept
AXES_HTTP_RESPONSE_CODE = 429
AXES_LOCKOUT_CALLABLE = "core.accounts.lockout.lockout_response"
AXES_VERBOSE = False
AXES_CLIENT_IP_CALLABLE = "core.accounts.lockout.client_address"
# How many reverse proxies in front of Orderflow append to X-Forwarded-For (0: none, REMOTE_ADDR is the client).
ORDERFLOW_PROXY_COUNT = int(os.environ.get("ORDERFLOW_PROXY_COUNT", "0"))
# An API token answers 401 this many hours after it was issued; the next login issues a new one.
ORDERFLOW_TOKEN_TTL_HOURS = float(os.environ.get("ORDERFLOW_TOKEN_TTL_HOURS", "24"))

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
# from SECRET_KEY, and revealing also with keys derived from SECRET_KEY_FALLBACKS (see core.crypto).
ORDERFLOW_SECRETS_KEY = os.environ.get("ORDERFLOW_SECRETS_KEY", "")

# --- API ------------------------------------------------------------------------------------
# A URL (path and query string) longer than this is refused with 414 and the error body. It stays
# below the web server's own cap on the request line (orderflow.gunicorn_conf), past which the
# server answers 414 itself, before Django.
ORDERFLOW_MAX_URL_BYTES = int(os.environ.get("ORDERFLOW_MAX_URL_BYTES", "4096"))
# Requests above this many bytes are refused with 413 before any view reads them.
ORDERFLOW_MAX_BODY_BYTES = int(os.environ.get("ORDERFLOW_MAX_BODY_BYTES", str(2 * 1024 * 1024)))
# File uploads (the stock CSV import) may be larger: views that take them set ``max_body_bytes``.
ORDERFLOW_MAX_UPLOAD_BYTES = int(os.environ.get("ORDERFLOW_MAX_UPLOAD_BYTES", str(32 * 1024 * 1024)))
# Connectors: an inbound webhook's body limit; stock sync kicked by every committed domain event.
ORDERFLOW_CONNECTOR_WEBHOOK_MAX_BYTES = int(os.environ.get("ORDERFLOW_CONNECTOR_WEBHOOK_MAX_BYTES", str(1024 * 1024)))
ORDERFLOW_STOCK_SYNC_ON_EVENTS = os.environ.get("ORDERFLOW_STOCK_SYNC_ON_EVENTS", "1") == "1"
# Committed domain events queue a refresh of the KPI rollups, at most once per this many seconds
# per process (insights.kpis.kick); the minute schedule is the safety net.
ORDERFLOW_KPI_REFRESH_ON_EVENTS = os.environ.get("ORDERFLOW_KPI_REFRESH_ON_EVENTS", "1") == "1"
ORDERFLOW_KPI_KICK_SECONDS = float(os.environ.get("ORDERFLOW_KPI_KICK_SECONDS", "5"))
# Where customers reach the site, for links flows put in messages (the refund filing link).
ORDERFLOW_PUBLIC_URL = os.environ.get("ORDERFLOW_PUBLIC_URL", "")
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
    # OPTIONS answers 405 with the error body: the OpenAPI schema describes the API. DRF's metadata
    # answer built a form description per view, and failed (500) on views without a queryset.
    "DEFAULT_METADATA_CLASS": None,
}
if DEBUG:
    REST_FRAMEWORK["DEFAULT_RENDERER_CLASSES"] = [
        "rest_framework.renderers.JSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ]

# The API's documentation and schema are for the signed-in, unless DEBUG is on.
_DOCS_PERMISSION = "rest_framework.permissions.AllowAny" if DEBUG else "rest_framework.permissions.IsAuthenticated"

SPECTACULAR_SETTINGS = {
    "TITLE": "Orderflow API",
    "DESCRIPTION": "Order centre, inventory and flow automation for e-commerce teams.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": [_DOCS_PERMISSION],
    "COMPONENT_SPLIT_REQUEST": True,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # The refusals every operation can give (401, 414, 429, 503, …), with the error body (core.api.schema);
    # links from what a write answers with to the operations that take its id (core.api.schema_links).
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "core.api.schema.document_error_answers",
        "core.api.schema_links.document_links",
    ],
}

# --- web security ---------------------------------------------------------------------------
# ORDERFLOW_HTTPS=1 when Orderflow is reached over HTTPS (a TLS-terminating proxy in front of it):
# cookies are sent over HTTPS only, plain HTTP is redirected, browsers are told to keep to HTTPS
# (HSTS), and the proxy's X-Forwarded-Proto says whether a request came over HTTPS — the proxy must
# set that header itself, overwriting what the client sent (ORDERFLOW_PROXY_SSL_HEADER="" when it
# does not, e.g. TLS ends at the web server itself). Off, as `make run` on http://127.0.0.1 is.
ORDERFLOW_HTTPS = os.environ.get("ORDERFLOW_HTTPS", "0") == "1"
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = ORDERFLOW_HTTPS
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = CSRF_COOKIE_SAMESITE = "Lax"
# The browser app reads the csrftoken cookie to send it back as X-CSRFToken, so it is not HttpOnly
# (Django's own advice: HttpOnly on it protects nothing).
CSRF_COOKIE_HTTPONLY = False
CSRF_TRUSTED_ORIGINS = [origin for origin in os.environ.get("CSRF_TRUSTED_ORIGINS", "").split(",") if origin]
SECURE_SSL_REDIRECT = ORDERFLOW_HTTPS
SECURE_HSTS_SECONDS = int(os.environ.get("ORDERFLOW_HSTS_SECONDS", "31536000")) if ORDERFLOW_HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = os.environ.get("ORDERFLOW_HSTS_INCLUDE_SUBDOMAINS", "1") == "1"
SECURE_HSTS_PRELOAD = os.environ.get("ORDERFLOW_HSTS_PRELOAD", "1") == "1"
_PROXY_SSL_HEADER = os.environ.get("ORDERFLOW_PROXY_SSL_HEADER", "HTTP_X_FORWARDED_PROTO")
SECURE_PROXY_SSL_HEADER = (_PROXY_SSL_HEADER, "https") if ORDERFLOW_HTTPS and _PROXY_SSL_HEADER else None
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# The Content-Security-Policy every answer carries (core.api.middleware.SecurityHeadersMiddleware).
# Scripts only from this origin: the Vite build is external module scripts, with nothing inline.
# Styles also inline: React Flow and ECharts position their elements with style attributes.
# connect-src gets the page's own ws:// or wss:// origin added, for the live updates.
ORDERFLOW_CONTENT_SECURITY_POLICY = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'", "'unsafe-inline'"],
    "img-src": ["'self'", "data:", "blob:"],
    "font-src": ["'self'", "data:"],
    "connect-src": ["'self'"],
    "worker-src": ["'self'", "blob:"],
    "object-src": ["'none'"],
    "base-uri": ["'self'"],
    "form-action": ["'self'"],
    "frame-ancestors": ["'none'"],
}
ORDERFLOW_PERMISSIONS_POLICY: dict[str, list[str]] = {
    "accelerometer": [],
    "camera": [],
    "display-capture": [],
    "geolocation": [],
    "gyroscope": [],
    "magnetometer": [],
    "microphone": [],
    "payment": [],
    "usb": [],
}

# drf-spectacular's check builds the OpenAPI schema and reports its naming and typing warnings
# under `check --deploy`, where they say nothing about the deployment's safety; `manage.py
# spectacular --validate` (make lint's api-types check) prints the same warnings where the schema
# is made and checked.
SILENCED_SYSTEM_CHECKS = ["drf_spectacular.W001"]

# --- logging --------------------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"trace": {"()": "core.api.middleware.TraceIdLogFilter"}},
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s [%(trace_id)s] %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain", "filters": ["trace"]}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}, "axes": {"level": "WARNING"}},
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

# Daily reconciliation (commerce.reconciliation): bill amounts within this many yuan of the order's
# match; the day before is reconciled once the Asia/Shanghai clock passes this time.
ORDERFLOW_RECONCILIATION_TOLERANCE = os.environ.get("ORDERFLOW_RECONCILIATION_TOLERANCE", "0.50")
ORDERFLOW_RECONCILIATION_AT = os.environ.get("ORDERFLOW_RECONCILIATION_AT", "02:00")
