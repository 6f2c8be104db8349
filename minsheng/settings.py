"""Minsheng's one settings module. Deployment differences come from environment variables only;
each is documented in docs/configuration.md and read through minsheng.env's typed helpers."""

from __future__ import annotations

import os
from pathlib import Path

import django_stubs_ext
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from minsheng.env import (
    env_bool,
    env_choice,
    env_database,
    env_float,
    env_int,
    env_list,
    env_str,
    env_timezone,
    secret_key,
)

# Django's generic classes subscriptable (ModelAdmin[Ticket]), for the type arguments of
# mypy --strict; must run before any app module is imported.
django_stubs_ext.monkeypatch()

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("MINSHENG_VAR_DIR", str(BASE_DIR / "var")))

DEBUG = env_bool("DEBUG", False)
SECRET_KEY = secret_key(VAR_DIR)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "minsheng.core",
    "minsheng.org",
    "minsheng.tickets",
    "minsheng.deadlines",
    "minsheng.notify",
    "minsheng.insight",
    "minsheng.open311",
    "minsheng.api",
    "minsheng.portal",
    "minsheng.stats",
    "minsheng.villages",
    "minsheng.governance",
    "minsheng.assistance",
    "minsheng.incidents",
    "minsheng.facilities",
    "minsheng.worker",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",  # Swagger UI and Redoc as local static files: no CDN
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "minsheng.core.middleware.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # A cookie holding a NUL byte is dropped before the session reads its key.
    "minsheng.core.middleware.DropNulCookiesMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # Language: the user's explicit choice (cookie) or LANGUAGE_CODE, never Accept-Language.
    "minsheng.core.middleware.LanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    # A NUL byte in a URL or form: a 400 at the door (PostgreSQL cannot hold or compare it).
    "minsheng.core.middleware.RejectNulMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # The idle timeout and the forced password change (minsheng/org/access.py).
    "minsheng.org.access.SessionGuardMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "minsheng.urls"
WSGI_APPLICATION = "minsheng.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "minsheng" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "minsheng.core.context_processors.navigation",
                "minsheng.notify.context_processors.unread",
            ],
        },
    },
]

_default_sqlite = f"sqlite:///{VAR_DIR / 'minsheng.sqlite3'}"
DATABASES = {"default": env_database("DATABASE_URL", _default_sqlite)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    # WAL lets the embedded worker write while pages read; IMMEDIATE avoids the upgrade deadlock
    # two writers hit with SQLite's default deferred transactions.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=5000;",
        "transaction_mode": "IMMEDIATE",
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    # Tests use a file, not SQLite's shared-cache memory database: shared cache locks whole
    # tables and ignores busy_timeout, which would make concurrency tests meaningless. The
    # process id keeps two test runs in one checkout from sharing a file.
    DATABASES["default"]["TEST"] = {
        "NAME": env_str("TEST_DATABASE_NAME", str(VAR_DIR / f"test_minsheng_{os.getpid()}.sqlite3"))
    }
else:
    DATABASES["default"]["TEST"] = {"NAME": env_str("TEST_DATABASE_NAME", "") or None}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "org.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Passwords a user or an administrator sets (not the demo's, which seed_demo sets directly):
# length and character classes as 等保 2.0 practice asks, configurable.
MINSHENG_PASSWORD_MIN_LENGTH = env_int("MINSHENG_PASSWORD_MIN_LENGTH", 10, minimum=8, maximum=64)
MINSHENG_PASSWORD_MIN_CLASSES = env_int("MINSHENG_PASSWORD_MIN_CLASSES", 3, minimum=1, maximum=4)
AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": MINSHENG_PASSWORD_MIN_LENGTH},
    },
    {
        "NAME": "minsheng.org.access.CharacterClassValidator",
        "OPTIONS": {"classes": MINSHENG_PASSWORD_MIN_CLASSES},
    },
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Logins (minsheng/org/access.py): an account is locked for MINSHENG_LOGIN_LOCK_MINUTES after
# MINSHENG_LOGIN_MAX_FAILURES failures, an address after MINSHENG_LOGIN_MAX_PER_ADDRESS; a page
# session ends after MINSHENG_SESSION_IDLE_MINUTES without a request.
MINSHENG_LOGIN_MAX_FAILURES = env_int("MINSHENG_LOGIN_MAX_FAILURES", 5, minimum=1, maximum=100)
MINSHENG_LOGIN_MAX_PER_ADDRESS = env_int(
    "MINSHENG_LOGIN_MAX_PER_ADDRESS", 30, minimum=1, maximum=10_000
)
MINSHENG_LOGIN_LOCK_MINUTES = env_int("MINSHENG_LOGIN_LOCK_MINUTES", 15, minimum=1, maximum=1440)
MINSHENG_SESSION_IDLE_MINUTES = env_int(
    "MINSHENG_SESSION_IDLE_MINUTES", 30, minimum=0, maximum=24 * 60
)  # 0: no idle timeout

LANGUAGE_CODE = env_choice("LANGUAGE_CODE", "zh-hans", ["zh-hans", "en"])
LANGUAGES = [("zh-hans", _("简体中文")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "minsheng" / "locale"]
# The language a user picks in the header (set_language) is remembered for a year.
LANGUAGE_COOKIE_AGE = 365 * 24 * 3600
LANGUAGE_COOKIE_SECURE = env_bool("SECURE_COOKIES", False)
TIME_ZONE = env_timezone("TIME_ZONE", "Asia/Shanghai")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # WhiteNoise warns about a missing root
STATICFILES_DIRS = [BASE_DIR / "minsheng" / "static"]
# Apache ECharts from the npm registry (`npm ci`; package.json): only its dist directory is
# served, as /static/vendor/echarts/. Without it the statistics pages show tables only.
if (BASE_DIR / "node_modules" / "echarts" / "dist").is_dir():
    STATICFILES_DIRS.append(("vendor/echarts", BASE_DIR / "node_modules" / "echarts" / "dist"))  # type: ignore[arg-type]
# Leaflet, the same way (/static/vendor/leaflet/): the maps of the citizens' side, shown only
# where a tile source is configured (MINSHENG_MAP_TILES below).
if (BASE_DIR / "node_modules" / "leaflet" / "dist").is_dir():
    STATICFILES_DIRS.append(("vendor/leaflet", BASE_DIR / "node_modules" / "leaflet" / "dist"))  # type: ignore[arg-type]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(VAR_DIR / "media")))
MEDIA_URL = "media/"
# How attachments leave (minsheng/office/attachments.py): streamed by Django (unset), or handed
# to the web server after the permission check: `x-accel-redirect` (nginx, an `internal`
# location at MINSHENG_SENDFILE_PREFIX aliased to MEDIA_ROOT) or `x-sendfile` (Apache).
MINSHENG_SENDFILE = env_choice("MINSHENG_SENDFILE", "", ["", "x-accel-redirect", "x-sendfile"])
MINSHENG_SENDFILE_PREFIX = env_str("MINSHENG_SENDFILE_PREFIX", "/protected-media/")

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
X_FRAME_OPTIONS = "DENY"
# Behind the TLS-terminating proxy of docs/deployment.md: HTTPS only, HSTS, and the proxy's
# header trusted for request.is_secure(). All off by default (the demo serves plain HTTP on
# 127.0.0.1); `manage.py check --deploy` is clean with the production environment
# (tests/core/test_deploy_check.py).
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", False)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0, minimum=0, maximum=63_072_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", False)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
if env_bool("BEHIND_TLS_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

PORT = env_int("PORT", 8000, minimum=1, maximum=65535)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    # Open311 keys sent in a query string never reach a log line (docs/security.md).
    "filters": {"api_key": {"()": "minsheng.open311.scrub.ApiKeyFilter"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "filters": ["api_key"],
        }
    },
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
}


def _county(raw: str) -> str:
    code = raw.strip()
    if not code.isdigit() or len(code) not in (6, 12):
        raise ImproperlyConfigured(
            f"MINSHENG_COUNTY_CODE={raw!r} must be a 6- or 12-digit county code."
        )
    return code.ljust(12, "0")


# The county this installation serves: its townships and villages fill the place pickers.
MINSHENG_COUNTY_CODE = _county(env_str("MINSHENG_COUNTY_CODE", "410927"))
# How many handling rounds a ticket may have (重办 after an unsatisfied callback).
MINSHENG_MAX_ROUNDS = env_int("MINSHENG_MAX_ROUNDS", 3, minimum=1, maximum=10)
# Hours after a deadline before the worker escalates to the supervisors (督办).
MINSHENG_ESCALATION_GRACE_HOURS = env_int("MINSHENG_ESCALATION_GRACE_HOURS", 24, minimum=0)
# Threads of the worker's deadline sweep on PostgreSQL (each its own connection, like as many
# workers; minsheng.worker.loop.sweep_until_done). SQLite always sweeps with one.
MINSHENG_WORKER_SWEEP_THREADS = env_int("MINSHENG_WORKER_SWEEP_THREADS", 2, minimum=1, maximum=16)
# Office hours for deadlines counted in working hours.
MINSHENG_WORKING_HOURS = env_str("MINSHENG_WORKING_HOURS", "08:30-12:00,14:30-17:30")

# 智能派单 (minsheng.insight.triage; docs/configuration.md): the category classifier's model file
# and the folder `manage.py triage train` reads its training data from by default.
MINSHENG_TRIAGE_MODEL = Path(
    env_str("MINSHENG_TRIAGE_MODEL", str(VAR_DIR / "triage" / "model-v1.joblib"))
)
MINSHENG_TRIAGE_DATA = Path(
    env_str("MINSHENG_TRIAGE_DATA", str(BASE_DIR.parent / "shared" / "data" / "messages"))
)
# 群众端 (minsheng/portal, docs/portal.md): SMS codes per phone and per address per hour, wrong
# query codes per ticket number and per address per hour, and whether an unsatisfied rating
# reopens the ticket for another round (else the hotline decides).
MINSHENG_PORTAL_CODES_PER_PHONE_HOUR = env_int(
    "MINSHENG_PORTAL_CODES_PER_PHONE_HOUR", 5, minimum=1, maximum=100
)
MINSHENG_PORTAL_CODES_PER_ADDRESS_HOUR = env_int(
    "MINSHENG_PORTAL_CODES_PER_ADDRESS_HOUR", 30, minimum=1, maximum=100_000
)
MINSHENG_PORTAL_LOOKUPS_PER_NUMBER = env_int(
    "MINSHENG_PORTAL_LOOKUPS_PER_NUMBER", 5, minimum=1, maximum=100
)
MINSHENG_PORTAL_LOOKUPS_PER_ADDRESS = env_int(
    "MINSHENG_PORTAL_LOOKUPS_PER_ADDRESS", 30, minimum=1, maximum=100_000
)
MINSHENG_PORTAL_REOPEN_UNSATISFIED = env_bool("MINSHENG_PORTAL_REOPEN_UNSATISFIED", True)
# Sensitive words (敏感词) screened in what citizens write on the citizens' side: a
# comma-separated list and/or a UTF-8 file with one word per line; none is shipped. "hold": the
# report is taken in but flagged, and never published on the board without a moderator;
# "refuse": the citizen is asked to rephrase.
MINSHENG_SENSITIVE_WORDS = env_list("MINSHENG_SENSITIVE_WORDS", [])
MINSHENG_SENSITIVE_WORDS_FILE = env_str("MINSHENG_SENSITIVE_WORDS_FILE", "")
MINSHENG_SENSITIVE_ACTION = env_choice("MINSHENG_SENSITIVE_ACTION", "hold", ["hold", "refuse"])
# The citizens' side's address as citizens reach it (https://12345.example.gov.cn): the reply
# SMS then carries a link to rate the reply. Empty: the SMS has no link.
MINSHENG_PUBLIC_URL = env_str("MINSHENG_PUBLIC_URL", "").rstrip("/")

# Maps (docs/portal.md): an XYZ tile URL template — a 天地图 layer with its key, any tile
# server, or tiles served locally (/tiles/{z}/{x}/{y}.png). Empty: no map anywhere; every page
# works without one. MINSHENG_MAP_DATUM says which datum the tiles are drawn in: wgs84
# (天地图's CGCS2000 is within centimetres of it) or gcj02 (the "Mars" offset of most
# commercial Chinese maps); points are always stored in WGS-84.
MINSHENG_MAP_TILES = env_str("MINSHENG_MAP_TILES", "")
MINSHENG_MAP_SUBDOMAINS = env_str("MINSHENG_MAP_SUBDOMAINS", "")
MINSHENG_MAP_ATTRIBUTION = env_str("MINSHENG_MAP_ATTRIBUTION", "")
MINSHENG_MAP_DATUM = env_choice("MINSHENG_MAP_DATUM", "wgs84", ["wgs84", "gcj02"])
MINSHENG_MAP_CENTER = env_str("MINSHENG_MAP_CENTER", "35.97,115.87")  # 台前县

# 智能派单: the best unit's score from which the dispatcher's form pre-selects it (docs/routing.md).
MINSHENG_TRIAGE_PRESELECT = env_float("MINSHENG_TRIAGE_PRESELECT", 0.3)

# 村务公开's deadlines (minsheng/villages/clock.py; docs/villages.md "Deadlines of the law and
# oversight"): days after a period's end within which its item must be published, days before
# that deadline when the village's clerks are reminded, whether 党务公开 is owed quarterly like
# 村务公开, and how many boards one worker batch re-computes.
MINSHENG_VILLAGE_PUBLISH_GRACE_DAYS = env_int(
    "MINSHENG_VILLAGE_PUBLISH_GRACE_DAYS", 10, minimum=0, maximum=60
)
MINSHENG_VILLAGE_REMIND_DAYS = env_int("MINSHENG_VILLAGE_REMIND_DAYS", 3, minimum=0, maximum=30)
MINSHENG_VILLAGE_PARTY_QUARTERLY = env_bool("MINSHENG_VILLAGE_PARTY_QUARTERLY", False)
MINSHENG_VILLAGE_CLOCK_BATCH = env_int(
    "MINSHENG_VILLAGE_CLOCK_BATCH", 2000, minimum=1, maximum=50_000
)

# 民生实事 (minsheng/governance/commitments_clock.py): from this day of the month, owners of works
# in progress who have not reported for the month are reminded, in-app, once per work and month.
MINSHENG_COMMITMENT_REPORT_DAY = env_int(
    "MINSHENG_COMMITMENT_REPORT_DAY", 25, minimum=1, maximum=28
)

# Outgoing e-mail (used when NOTIFY_EMAIL_BACKEND=django).
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25, minimum=1, maximum=65535)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "12345@localhost")

# The demo county's passwords (manage.py seed_demo); never used outside the demo.
MINSHENG_DEMO_PASSWORD = env_str("MINSHENG_DEMO_PASSWORD", "minsheng-demo")

# Notifications (minsheng.notify; docs/configuration.md, "Notifications"). SMS and e-mail go to
# the log until a deployment configures a gateway, so a demo never texts real people.
NOTIFY_SMS_BACKEND = env_choice("NOTIFY_SMS_BACKEND", "log", ["log", "http"])
NOTIFY_SMS_URL = env_str("NOTIFY_SMS_URL", "")
NOTIFY_SMS_TEMPLATE = env_str("NOTIFY_SMS_TEMPLATE", '{"phone": "{phone}", "text": "{text}"}')
NOTIFY_SMS_TIMEOUT = env_int("NOTIFY_SMS_TIMEOUT", 10, minimum=1, maximum=120)
NOTIFY_SMS_SIGNATURE = env_str("NOTIFY_SMS_SIGNATURE", "12345热线")
NOTIFY_EMAIL_BACKEND = env_choice("NOTIFY_EMAIL_BACKEND", "log", ["log", "django"])
NOTIFY_MAX_ATTEMPTS = env_int("NOTIFY_MAX_ATTEMPTS", 8, minimum=1, maximum=50)
NOTIFY_LEASE_SECONDS = env_int("NOTIFY_LEASE_SECONDS", 300, minimum=30, maximum=86400)
NOTIFY_RETRY_BASE_SECONDS = env_int("NOTIFY_RETRY_BASE_SECONDS", 60, minimum=1, maximum=3600)
NOTIFY_RETRY_MAX_SECONDS = env_int("NOTIFY_RETRY_MAX_SECONDS", 21600, minimum=60, maximum=604800)
NOTIFY_POLL_SECONDS = env_int("NOTIFY_POLL_SECONDS", 5, minimum=1, maximum=3600)

# Open311 GeoReport v2 at /open311/v2/ (minsheng/open311; docs/configuration.md, "Open311").
OPEN311_JURISDICTION_ID = env_str("OPEN311_JURISDICTION_ID", "")
OPEN311_TICKET_KIND = env_choice(
    "OPEN311_TICKET_KIND", "complaint", ["complaint", "report", "help"]
)
OPEN311_RATE_LIMIT_PER_MINUTE = env_int(
    "OPEN311_RATE_LIMIT_PER_MINUTE", 60, minimum=0, maximum=100000
)
OPEN311_CONTACT = env_str("OPEN311_CONTACT", "12345 政务服务便民热线")
# Decimal places of the coordinates Open311 publishes for a place that is not public: 3 is
# about 100 m, enough for a map of problems and not enough to find a house.
OPEN311_COORDINATE_DECIMALS = env_int("OPEN311_COORDINATE_DECIMALS", 3, minimum=0, maximum=6)
OPEN311_KEY_SERVICE = env_str("OPEN311_KEY_SERVICE", "请向 12345 热线中心系统管理员申请 API 密钥。")

# REST API at /api/v1/ (minsheng/api; docs/api.md, docs/configuration.md "REST API").
API_IDEMPOTENCY_HOURS = env_int("API_IDEMPOTENCY_HOURS", 24, minimum=1, maximum=24 * 30)
API_WEBHOOK_TIMEOUT = env_int("API_WEBHOOK_TIMEOUT", 10, minimum=1, maximum=120)
# Webhooks to loopback, private and link-local addresses are refused (SSRF) unless this says
# the units' systems live on the intranet (minsheng/api/destinations.py).
API_WEBHOOK_ALLOW_PRIVATE = env_bool("API_WEBHOOK_ALLOW_PRIVATE", False)
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "minsheng.api.authentication.TokenAuthentication",
        # A signed-in user may try GETs from the docs page (POSTs then need the CSRF token).
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["minsheng.api.parsers.SafeJSONParser"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "minsheng.api.errors.exception_handler",
    "UNICODE_JSON": True,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "民生 12345 接诉即办 REST API",
    "DESCRIPTION": "供承办单位自有系统对接：工单查询与办理、派单、回访。认证：`Authorization: Token <密钥>`。"
    "错误、幂等与 Webhook 见 docs/api.md。",
    "VERSION": "1.0.0",
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "TicketChannelEnum": "minsheng.tickets.models.Channel",
        "TicketKindEnum": "minsheng.tickets.models.Kind",
        "UnitKindEnum": "minsheng.org.models.Unit.Kind",
        "ReplyResultEnum": "minsheng.tickets.models.ReplyResult",
        "LegalChannelEnum": "minsheng.api.serializers.LEGAL_CHANNEL_CHOICES",
    },
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # No calls to validator.swagger.io from an intranet.
    "SWAGGER_UI_SETTINGS": {
        "deepLinking": True,
        "validatorUrl": None,
        "persistAuthorization": True,
    },
}


def _weights(raw: list[str]) -> tuple[int, int, int]:
    try:
        weights = tuple(int(w) for w in raw)
    except ValueError:
        weights = ()
    if len(weights) != 3 or any(w < 0 for w in weights) or not sum(weights):
        raise ImproperlyConfigured(
            f"MINSHENG_STATS_WEIGHTS={','.join(raw)!r} must be three non-negative integers "
            "(响应率, 解决率, 满意率), e.g. 30,35,35."
        )
    return weights


# Statistics (minsheng/stats; docs/metrics.md). The composite score's weights for 响应率, 解决率
# and 满意率; and how far behind the present the rollups stay, so that a ticket changed by a
# transaction still open when the worker refreshed is never skipped.
MINSHENG_STATS_WEIGHTS = _weights(env_list("MINSHENG_STATS_WEIGHTS", ["30", "35", "35"]))
MINSHENG_STATS_LAG_SECONDS = env_int("MINSHENG_STATS_LAG_SECONDS", 120, minimum=0, maximum=86400)

# --- Village affairs: the board's staff side (minsheng/villages/services/items.py, files.py;
# docs/villages.md, "Drafting, review and publication") ---------------------------------------
# A published item stays on display at least this many days (Shandong's rule: 5).
MINSHENG_VILLAGE_MIN_DISPLAY_DAYS = env_int(
    "MINSHENG_VILLAGE_MIN_DISPLAY_DAYS", 5, minimum=1, maximum=365
)
# Largest photo and PDF a clerk may attach to an item, in MB.
MINSHENG_VILLAGE_MAX_PHOTO_MB = env_int("MINSHENG_VILLAGE_MAX_PHOTO_MB", 10, minimum=1, maximum=50)
MINSHENG_VILLAGE_MAX_PDF_MB = env_int("MINSHENG_VILLAGE_MAX_PDF_MB", 20, minimum=1, maximum=200)
# --- 村务公开: the public side and villagers' questions (minsheng/portal/villages; docs/villages.md)
# Days (natural days) a village committee has to answer a villager's 质询/异议 about a board's item
# (山东's rule: objections answered within 5 days). The deadline policy of the questions'
# category follows it (villages.services.questions).
MINSHENG_VILLAGE_QUESTION_DAYS = env_int("MINSHENG_VILLAGE_QUESTION_DAYS", 5, minimum=1, maximum=60)
# --- Village affairs: 四议两公开 (minsheng/villages/services/matters.py) ---
# A matter waiting at one of its four steps longer than this many days is flagged as stuck on
# the township's overview.
MINSHENG_VILLAGE_MATTER_STUCK_DAYS = env_int(
    "MINSHENG_VILLAGE_MATTER_STUCK_DAYS", 30, minimum=1, maximum=3650
)

# --- 帮扶台账: people who need help (minsheng/assistance; docs/assistance.md, docs/security.md) ---
# Fernet keys (urlsafe base64 of 32 bytes: `manage.py assistance_rotate_keys --generate`) that encrypt the
# ledger's ID numbers and phones, comma-separated, the first the current one; older keys after it
# still decrypt until `manage.py assistance_rotate_keys` has re-encrypted every row under the
# first. The keyed hash that finds a person by ID number or phone has its own key (≥ 32
# characters; changing it needs `assistance_rotate_keys --rehash`). Unset, both are derived from
# SECRET_KEY — for development and tests only: a server refuses to start on derived keys with
# DEBUG off (minsheng.assistance.crypto.require_pii_keys, called where SECRET_KEY's check is).
MINSHENG_PII_KEYS = env_list("MINSHENG_PII_KEYS", [])
MINSHENG_PII_HASH_KEY = env_str("MINSHENG_PII_HASH_KEY", "")
# County departments and the ledger categories they own (unit code → categories, ";"-separated
# pairs "unit-code:类别|类别"): a department's 帮扶专干 sees only the people of its categories.
MINSHENG_ASSIST_DEPARTMENTS = env_str(
    "MINSHENG_ASSIST_DEPARTMENTS",
    "tq-cl:残疾人;tq-mzj:低保|事实无人抚养儿童;tq-nyncj:脱贫户|监测户;tq-rsj:就业困难人员",
)
# 充分就业社区(村): the share (percent) of a village's registered workforce in work at or above which
# it qualifies, and whether a household whose workforce has nobody in work (零就业家庭) bars it.
MINSHENG_ASSIST_FULL_EMPLOYMENT_PERCENT = env_int(
    "MINSHENG_ASSIST_FULL_EMPLOYMENT_PERCENT", 90, minimum=1, maximum=100
)
MINSHENG_ASSIST_NO_ZERO_EMPLOYMENT_HOUSEHOLD = env_bool(
    "MINSHENG_ASSIST_NO_ZERO_EMPLOYMENT_HOUSEHOLD", True
)
# Months in the same job after which an employment counts as stable (稳定就业).
MINSHENG_ASSIST_STABLE_MONTHS = env_int("MINSHENG_ASSIST_STABLE_MONTHS", 6, minimum=1, maximum=60)
# Figures shown outside the ledger's staff (aggregates only) hide any group smaller than this.
MINSHENG_ASSIST_MIN_GROUP = env_int("MINSHENG_ASSIST_MIN_GROUP", 5, minimum=1, maximum=100)
# 充分就业社区(村): the county units whose 帮扶专干 accept (验收) or return the townships'
# declarations (comma-separated unit codes; 人社局 by default). Administrators always may.
MINSHENG_ASSIST_ACCEPTING_UNITS = env_list("MINSHENG_ASSIST_ACCEPTING_UNITS", ["tq-rsj"])
# 重大突发事件 (minsheng/incidents; docs/incidents.md): a broadcast SMS is paced at this many
# messages a minute (each outbox row's next_attempt_at), so a gateway's rate limit holds.
MINSHENG_INCIDENT_SMS_PER_MINUTE = env_int(
    "MINSHENG_INCIDENT_SMS_PER_MINUTE", 1000, minimum=1, maximum=100_000
)

# 公共设施 (minsheng/facilities; docs/facilities.md): minutes after a round's due moment before
# a missed round raises its alarm (and before which a round still counts), how many schedules one
# worker batch checks, and how many QR problem reports one address may send per hour.
MINSHENG_FACILITY_ROUND_GRACE_MINUTES = env_int(
    "MINSHENG_FACILITY_ROUND_GRACE_MINUTES", 30, minimum=0, maximum=24 * 60
)
MINSHENG_FACILITY_CLOCK_BATCH = env_int(
    "MINSHENG_FACILITY_CLOCK_BATCH", 2000, minimum=1, maximum=50_000
)
MINSHENG_FACILITY_REPORTS_PER_ADDRESS_HOUR = env_int(
    "MINSHENG_FACILITY_REPORTS_PER_ADDRESS_HOUR", 10, minimum=1, maximum=10_000
)
