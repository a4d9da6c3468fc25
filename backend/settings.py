"""Vigie's one settings module: 12-factor, embedded defaults (see docs/architecture.md).

With DEBUG=1 and no other variable the platform runs on SQLite, an in-memory channel layer and console
SMS/push backends (`make run`). DEBUG is off unless set: production must then give SECRET_KEY,
JWT_SIGNING_KEY (strong, unpublished, different) and ALLOWED_HOSTS, or Vigie refuses to start.
"""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
import django_stubs_ext
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from backend.core.env import env_bool, env_choice, env_float, env_int, env_list, env_path, env_str
from backend.core.keys import DEV_SECRET_KEY, jwt_key_derive, production_keys_problems

# Lets runtime code write the generic types that django-stubs checks (ModelAdmin[User], QuerySet[Sector]).
django_stubs_ext.monkeypatch()

BASE_DIR = Path(__file__).resolve().parent.parent

# Off unless set: `make run` and the tests set DEBUG=1 themselves (development mode, public keys).
DEBUG = env_bool("DEBUG", default=False)
SECRET_KEY = env_str("SECRET_KEY")
# Signs the JWTs (mobile app, API clients, sockets); never the same as SECRET_KEY in production.
JWT_SIGNING_KEY = env_str("JWT_SIGNING_KEY")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS")
if not DEBUG:
    _problems = production_keys_problems(secret_key=SECRET_KEY, jwt_signing_key=JWT_SIGNING_KEY)
    if not ALLOWED_HOSTS:
        _problems.append("ALLOWED_HOSTS is not set: the public name(s) of this instance, comma-separated.")
    if _problems:
        raise ImproperlyConfigured(
            "DEBUG is off (production) and Vigie will not start:\n- " + "\n- ".join(_problems)
        )
else:
    # backend/asgi.py says loudly, at server start, that these are development values.
    SECRET_KEY = SECRET_KEY or DEV_SECRET_KEY
    JWT_SIGNING_KEY = JWT_SIGNING_KEY or jwt_key_derive(SECRET_KEY)
    ALLOWED_HOSTS = ALLOWED_HOSTS or ["127.0.0.1", "localhost", "[::1]", "testserver"]

CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "daphne",
    "backend.core.admin_site.VigieAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework_simplejwt",  # its French messages (401 on a bad token)
    "rest_framework_simplejwt.token_blacklist",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "channels",
    "phonenumber_field",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "axes",
    # kernel
    "backend.core",
    "backend.territory",
    "backend.accounts",
    "backend.audit",
    "backend.messaging",
    # domain
    "alerts",
    "alerts.broadcasts",
    "alerts.console",
    "alerts.privacy",
    "alerts.video",
    "alerts.statistics",
    "alerts.watch_cell",
    "neighbours",
    "neighbours.holiday_watch",
    "commerces",
    # wiring
    "backend.demo",
]

MIDDLEWARE = [
    "backend.core.observability.RequestObservabilityMiddleware",
    # Counts the requests that threads serve: a stopping daphne waits for them (backend/asgi.py).
    "backend.core.middleware.BusyThreadsMiddleware",
    "backend.core.observability.ProbeMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "backend.core.csp.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
    # Last, and sync-only on purpose: Django adapts each middleware to its neighbour, so a sync one at the
    # bottom makes the whole chain run in one thread per request. With async-capable middleware below a
    # sync one, every MiddlewareMixin hopped to a thread and back twice per request (~20 hops through the
    # server's event loop under daphne). It still runs before any view or process_view reads the body.
    "backend.core.middleware.RequestBodyLimitMiddleware",
]

ROOT_URLCONF = "backend.urls"
ASGI_APPLICATION = "backend.asgi.application"
WSGI_APPLICATION = None

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "backend" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "backend.core.emergency.emergency_context",
                "backend.core.legal.legal_context",
            ],
        },
    },
]

# --- data stores -------------------------------------------------------------------------------
DATABASE_URL = env_str("DATABASE_URL")
DATABASES = {
    "default": dj_database_url.parse(DATABASE_URL, conn_max_age=0, conn_health_checks=True)
    if DATABASE_URL
    else {"ENGINE": "django.db.backends.sqlite3", "NAME": BASE_DIR / "vigie.sqlite3"}
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Under ASGI every request runs in a fresh thread: persistent connections don't carry over, a pool
    # does (psycopg_pool), and saves a connection set-up per request.
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        "pool": {
            "min_size": env_int("DATABASE_POOL_MIN", 2),
            "max_size": env_int("DATABASE_POOL_MAX", 8),
            "timeout": 10,
        }
    }
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Several processes (daphne + worker) share the file: wait for locks instead of failing.
    # WAL lets readers (daphne, worker) go on while one writes; synchronous=NORMAL is durable across
    # process crashes (an OS crash may lose the last commits: the embedded mode, not production).
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    # Tests use a file (one per test process) so that daphne and worker subprocesses can share it (its
    # folder is made by tests/plugins/services.py: settings create no folder).
    DATABASES["default"]["TEST"] = {"NAME": str(BASE_DIR / "var" / f"test-{os.getpid()}.sqlite3")}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env_str("REDIS_URL")
if REDIS_URL:
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer",
            "CONFIG": {"hosts": [REDIS_URL]},
        }
    }
    CACHES = {
        "default": {
            "BACKEND": "backend.core.cache.SharedPoolRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "vigie",
        }
    }
else:
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# --- accounts and security ---------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "/"
PHONENUMBER_DEFAULT_REGION = "FR"
PHONENUMBER_DB_FORMAT = "E164"

# Staff sessions end after 30 minutes without a request.
SESSION_COOKIE_AGE = env_int("SESSION_IDLE_TIMEOUT_SECONDS", 30 * 60)
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"

AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("AXES_COOLOFF_MINUTES", 15))
# Locked per account (phone), whatever the address: a password + TOTP guess is aimed at one account.
AXES_LOCKOUT_PARAMETERS = ["username"]
SILENCED_SYSTEM_CHECKS = ["axes.W006"]
AXES_USERNAME_FORM_FIELD = "phone"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "backend.accounts.web.lockout_response"

OTP_TOTP_ISSUER = "Vigie"

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
if not DEBUG:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^livez$", r"^readyz$"]
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", default=True)

# --- accessibility statement and legal notices (backend/core/legal.py, docs/accessibility.md) -----
# RGAA conformity: none (« non conforme », the only honest status before a full audit), partial, full.
ACCESSIBILITY_STATUS = env_choice("ACCESSIBILITY_STATUS", "none", {"none", "partial", "full"})
ACCESSIBILITY_AUDIT_DATE = env_str("ACCESSIBILITY_AUDIT_DATE")  # ISO date of the last audit; empty: none
# The non-conformities known, separated by « ; » (empty: the ones Vigie itself knows of).
ACCESSIBILITY_NON_CONFORMITIES = [
    item.strip() for item in env_str("ACCESSIBILITY_NON_CONFORMITIES").split(";") if item.strip()
]
ACCESSIBILITY_CONTACT = env_str("ACCESSIBILITY_CONTACT")  # e-mail or https:// form; empty: the town hall
ACCESSIBILITY_PLAN_URL = env_str("ACCESSIBILITY_PLAN_URL")  # the commune's multi-year plan (schéma)
LEGAL_PUBLISHER = env_str("LEGAL_PUBLISHER")  # empty: the communes in the database
LEGAL_PUBLISHER_ADDRESS = env_str("LEGAL_PUBLISHER_ADDRESS")
LEGAL_PUBLICATION_DIRECTOR = env_str("LEGAL_PUBLICATION_DIRECTOR", "Le maire")
LEGAL_HOST = env_str("LEGAL_HOST", "La commune, sur ses propres serveurs")
LEGAL_HOST_ADDRESS = env_str("LEGAL_HOST_ADDRESS")

# --- i18n --------------------------------------------------------------------------------------
LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", _("Français")), ("en", _("Anglais"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Paris"
USE_I18N = True
USE_TZ = True

# --- static and media --------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = env_path("STATIC_ROOT", BASE_DIR / "staticfiles")
# Photos are private: MEDIA_ROOT is never served as a folder; views stream files after a check.
MEDIA_ROOT = env_path("MEDIA_ROOT", BASE_DIR / "media")
MEDIA_URL = "/media-private/"
# Photos on the local disk (MEDIA_ROOT, default) or in an S3-compatible bucket (django-storages).
MEDIA_STORAGE = env_choice("MEDIA_STORAGE", "local", {"local", "s3"})
_MEDIA_BACKEND: dict[str, object] = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
if MEDIA_STORAGE == "s3":
    _MEDIA_BACKEND = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": env_str("AWS_STORAGE_BUCKET_NAME"),
            "endpoint_url": env_str("AWS_S3_ENDPOINT_URL") or None,
            "region_name": env_str("AWS_S3_REGION_NAME") or None,
            "access_key": env_str("AWS_ACCESS_KEY_ID") or None,
            "secret_key": env_str("AWS_SECRET_ACCESS_KEY") or None,
            "location": env_str("AWS_LOCATION", "media"),
            # Private objects: views stream them after a permission check, never a public URL.
            "default_acl": "private",
            "querystring_auth": True,
            "file_overwrite": False,
        },
    }
    if not env_str("AWS_STORAGE_BUCKET_NAME"):
        raise ImproperlyConfigured("MEDIA_STORAGE=s3: set AWS_STORAGE_BUCKET_NAME.")
STORAGES = {
    "default": _MEDIA_BACKEND,
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = DEBUG

# Largest request body accepted (5 photos of 10 MB plus the form); larger → 413 before parsing.
REQUEST_BODY_MAX_BYTES = env_int("REQUEST_BODY_MAX_BYTES", 55 * 1024 * 1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440

# --- API ---------------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # Agency tokens (`Bearer vga_…`) first: the JWT authentication would take them for a bad JWT.
        "alerts.authentication.AgencyTokenAuthentication",
        # simplejwt's, which also refuses access tokens of a revoked family (backend/accounts/tokens.py).
        "backend.accounts.tokens.JWTAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["backend.core.access.SignedIn"],
    # DRF's parsers plus a JSON depth limit and text neutralised (backend/core/parsers.py).
    "DEFAULT_PARSER_CLASSES": [
        "backend.core.parsers.JSONParser",
        "backend.core.parsers.FormParser",
        "backend.core.parsers.MultiPartParser",
    ],
    "DEFAULT_PAGINATION_CLASS": "backend.core.pagination.Pagination",
    "PAGE_SIZE": 25,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "backend.core.exceptions.api_exception_handler",
    "DEFAULT_THROTTLE_CLASSES": [
        "rest_framework.throttling.AnonRateThrottle",
        "backend.core.throttling.UserRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": env_str("THROTTLE_ANON", "120/min"),
        "user": env_str("THROTTLE_USER", "1200/min"),
        "otp_ip": env_str("THROTTLE_OTP_IP", "20/hour"),
        # Its own bucket: a whole office behind one address refreshes every 15 minutes.
        "token_refresh": env_str("THROTTLE_TOKEN_REFRESH", "600/hour"),
        "staff_token": env_str("THROTTLE_STAFF_TOKEN", "30/hour"),
    },
    # Number of reverse proxies in front (nginx: 1), so throttles see the client's address.
    "NUM_PROXIES": env_int("NUM_PROXIES", 0),
}

REFRESH_TOKEN_LIFETIME = timedelta(days=30)
SIMPLE_JWT = {
    "ACCESS_TOKEN_LIFETIME": timedelta(minutes=15),
    "REFRESH_TOKEN_LIFETIME": REFRESH_TOKEN_LIFETIME,
    "ROTATE_REFRESH_TOKENS": True,
    "BLACKLIST_AFTER_ROTATION": True,
    "UPDATE_LAST_LOGIN": True,
    "SIGNING_KEY": JWT_SIGNING_KEY,
    "USER_ID_FIELD": "id",
}
# Staff tokens (password + TOTP): the refresh token lives this long from the login, rotation included.
STAFF_REFRESH_TOKEN_LIFETIME_HOURS = env_int("STAFF_REFRESH_TOKEN_LIFETIME_HOURS", 12)

SPECTACULAR_SETTINGS = {
    "TITLE": "Vigie API",
    "DESCRIPTION": "API de Vigie : référents « Participation Citoyenne », commerces, signalements, police.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "ENUM_NAME_OVERRIDES": {},
}

# --- phone codes (OTP) -------------------------------------------------------------------------
OTP_CODE_TTL_SECONDS = 5 * 60
OTP_MAX_ATTEMPTS = 5
OTP_SENDS_PER_MINUTE = 1
OTP_SENDS_PER_HOUR = 5
# Sends per client network (an IPv4 address, an IPv6 /64) and for the whole platform, per hour: a limit on
# SMS pumping through any door (API, web forms), unknown numbers included.
OTP_SENDS_PER_NETWORK_PER_HOUR = env_int("OTP_SENDS_PER_NETWORK_PER_HOUR", 10)
OTP_SENDS_GLOBAL_PER_HOUR = env_int("OTP_SENDS_GLOBAL_PER_HOUR", 300)
PHONE_VERIFICATION_TOKEN_TTL_SECONDS = env_int("PHONE_VERIFICATION_TOKEN_TTL_SECONDS", 30 * 60)

# --- messaging (DESIGN.md's settings contract) -------------------------------------------------
SMS_BACKEND = env_str("SMS_BACKEND", "console")
SMS_FILE_PATH = env_path("SMS_FILE_PATH", BASE_DIR / "var" / "sms")
PUSH_BACKEND = env_str("PUSH_BACKEND", "console")
PUSH_FILE_PATH = env_path("PUSH_FILE_PATH", BASE_DIR / "var" / "push")
TWILIO_ACCOUNT_SID = env_str("TWILIO_ACCOUNT_SID")
TWILIO_AUTH_TOKEN = env_str("TWILIO_AUTH_TOKEN")
TWILIO_FROM_NUMBER = env_str("TWILIO_FROM_NUMBER")
# Public base URL that the SMS provider calls (https://vigie.example.fr) when behind a proxy; signatures
# of inbound webhooks are checked against it. Empty: the URL the request arrived on.
SMS_WEBHOOK_BASE_URL = env_str("SMS_WEBHOOK_BASE_URL")
GOOGLE_APPLICATION_CREDENTIALS = env_str("GOOGLE_APPLICATION_CREDENTIALS")
FIREBASE_PROJECT_ID = env_str("FIREBASE_PROJECT_ID")
FCM_API_URL = env_str("FCM_API_URL")
FCM_CONNECTIONS = env_int("FCM_CONNECTIONS", 100)  # HTTP connections per worker process to FCM
# Web Push (VAPID): the private key (base64url, `manage.py webpush_keys` makes a pair); empty: web push
# off, the devices API refuses web subscriptions. The subject is the contact push services may write to.
WEBPUSH_VAPID_PRIVATE_KEY = env_str("WEBPUSH_VAPID_PRIVATE_KEY")
WEBPUSH_VAPID_SUBJECT = env_str("WEBPUSH_VAPID_SUBJECT")
DELIVERY_MAX_ATTEMPTS = env_int("DELIVERY_MAX_ATTEMPTS", 6)
DELIVERY_BACKOFF_BASE_SECONDS = env_int("DELIVERY_BACKOFF_BASE_SECONDS", 30)
DELIVERY_LEASE_SECONDS = env_int("DELIVERY_LEASE_SECONDS", 120)
# Agency webhooks go to public https addresses only; hosts listed here (tests, staging: "127.0.0.1",
# "hooks.staging.internal") may use http and private or loopback addresses. Empty in production.
WEBHOOK_INSECURE_HOSTS = env_list("WEBHOOK_INSECURE_HOSTS")

# --- statistics (alerts.statistics) -----------------------------------------------------------------
# How many months, the current one included, the nightly job recomputes (older ones stay as they are).
STATISTICS_REFRESH_MONTHS = env_int("STATISTICS_REFRESH_MONTHS", 3)
# Counts below this are shown as « < N » in an export marked for publication.
STATISTICS_PUBLICATION_THRESHOLD = env_int("STATISTICS_PUBLICATION_THRESHOLD", 5)

# --- live console (alerts.console) -------------------------------------------------------------
# --- the emergency watch cell (alerts/services/emergency.py, docs/emergency-cell.md) --------------
# An activation lapses at its review time unless renewed; the default review time, in hours from now.
EMERGENCY_REVIEW_HOURS = env_int("EMERGENCY_REVIEW_HOURS", 24)
# A roster member who has not confirmed within this delay is replaced by their deputy (minutes).
EMERGENCY_CONFIRM_MINUTES = env_int("EMERGENCY_CONFIRM_MINUTES", 15)
CONSOLE_HEARTBEAT_SECONDS = env_float("CONSOLE_HEARTBEAT_SECONDS", 30)
# Events older than this are not replayed: the console gets `resync` and reloads its state.
CONSOLE_EVENT_RETENTION_HOURS = env_float("CONSOLE_EVENT_RETENTION_HOURS", 24)
# A replay also covers events this many seconds older than the one asked for (ids are not commit order).
CONSOLE_REPLAY_GRACE_SECONDS = env_float("CONSOLE_REPLAY_GRACE_SECONDS", 5)
CONSOLE_REPLAY_MAX_EVENTS = env_int("CONSOLE_REPLAY_MAX_EVENTS", 5000)
# Optional base layer of the console's map, XYZ or WMTS (KVP) with {z}/{x}/{y} (docs/map.md: Plan IGN,
# OpenStreetMap); empty: the sectors' outlines alone. The attribution is plain text.
CONSOLE_TILE_URL = env_str("CONSOLE_TILE_URL")
CONSOLE_TILE_ATTRIBUTION = env_str("CONSOLE_TILE_ATTRIBUTION")
# The « Carte web » link of an observation: {lat} and {lon} are replaced by its coordinates.
# Rights requests and their answers, from their receipt: the commune's proof that it answered.
PRIVACY_REQUEST_RETENTION_DAYS = env_int("PRIVACY_REQUEST_RETENTION_DAYS", 1095)
CONSOLE_WEB_MAP_URL = env_str(
    "CONSOLE_WEB_MAP_URL", "https://www.openstreetmap.org/?mlat={lat}&mlon={lon}#map=18/{lat}/{lon}"
)

# --- video-protection register (alerts.video, docs/video-protection.md) ----------------------------
# A request for footage covers at most this many hours (one window per request).
VIDEO_REQUEST_MAX_HOURS = env_int("VIDEO_REQUEST_MAX_HOURS", 12)
# How long the CSU's recorders keep footage (at most 30 days by law): older footage is refused.
VIDEO_FOOTAGE_RETENTION_DAYS = env_int("VIDEO_FOOTAGE_RETENTION_DAYS", 30)

# --- addresses (backend/territory: import_ban, the nearest address of an observation) -------------
# Beyond this distance from an observation's coordinates, no address is given (metres).
ADDRESS_MAX_DISTANCE_METRES = env_int("ADDRESS_MAX_DISTANCE_METRES", 150)

# --- holiday watch (neighbours/holiday_watch, docs/holiday-watch.md) ------------------------------
# A request must arrive this long before the day of departure (hours).
HOLIDAY_WATCH_MIN_NOTICE_HOURS = env_int("HOLIDAY_WATCH_MIN_NOTICE_HOURS", 48)
# Where the police nationale or the gendarmerie run their own OTV, the form links to it; empty: no link.
HOLIDAY_WATCH_NATIONAL_URL = env_str("HOLIDAY_WATCH_NATIONAL_URL", "")

# --- retention (backend/core/retention.py; periods and their reasons: docs/privacy.md) ------------
# Finished observations (closed, rejected, merged) of communes without their own retention_days.
OBSERVATION_RETENTION_DAYS = env_int("OBSERVATION_RETENTION_DAYS", 365)
# Observations that never finish (forgotten in the queue, dispatch never closed), from their receipt.
OBSERVATION_MAX_AGE_DAYS = env_int("OBSERVATION_MAX_AGE_DAYS", 548)
OBSERVATION_IP_RETENTION_DAYS = env_int("OBSERVATION_IP_RETENTION_DAYS", 180)
IDEMPOTENCY_RETENTION_HOURS = env_int("IDEMPOTENCY_RETENTION_HOURS", 72)
NOTIFICATION_RETENTION_DAYS = env_int("NOTIFICATION_RETENTION_DAYS", 365)
# The officers' read log (who was served which observation): the CNIL's 6 months to 1 year for logs.
READ_LOG_RETENTION_DAYS = env_int("READ_LOG_RETENTION_DAYS", 365)
# The video-protection register (requests, extractions, destructions; officers' names): 6 years, the
# limitation period of prosecutions for délits (art. 8 CPP), so a register entry outlives any use of its footage.
VIDEO_REGISTER_RETENTION_DAYS = env_int("VIDEO_REGISTER_RETENTION_DAYS", 2192)
BROADCAST_RECIPIENT_RETENTION_DAYS = env_int("BROADCAST_RECIPIENT_RETENTION_DAYS", 180)
# The emergency cell's activations (their log, renewals and callouts name people), from their close.
EMERGENCY_ACTIVATION_RETENTION_DAYS = env_int("EMERGENCY_ACTIVATION_RETENTION_DAYS", 1095)
INBOUND_SMS_RETENTION_DAYS = env_int("INBOUND_SMS_RETENTION_DAYS", 90)
PHONE_CODE_RETENTION_HOURS = env_int("PHONE_CODE_RETENTION_HOURS", 48)
AUDIT_IP_RETENTION_DAYS = env_int("AUDIT_IP_RETENTION_DAYS", 365)
ADMIN_LOG_RETENTION_DAYS = env_int("ADMIN_LOG_RETENTION_DAYS", 365)
AUTH_LOG_RETENTION_DAYS = env_int("AUTH_LOG_RETENTION_DAYS", 180)
EXPIRED_CREDENTIALS_RETENTION_DAYS = env_int("EXPIRED_CREDENTIALS_RETENTION_DAYS", 1)
DELIVERY_RETENTION_DAYS = env_int("DELIVERY_RETENTION_DAYS", 90)
# Holiday watch requests and their pass logs, from the day of return.
HOLIDAY_WATCH_RETENTION_DAYS = env_int("HOLIDAY_WATCH_RETENTION_DAYS", 30)
DEVICE_INACTIVE_RETENTION_DAYS = env_int("DEVICE_INACTIVE_RETENTION_DAYS", 30)
REFERENT_ENDED_RETENTION_DAYS = env_int("REFERENT_ENDED_RETENTION_DAYS", 365)
REFERENT_REFUSED_RETENTION_DAYS = env_int("REFERENT_REFUSED_RETENTION_DAYS", 180)
INVITATION_RETENTION_DAYS = env_int("INVITATION_RETENTION_DAYS", 30)
SHOPKEEPER_ENDED_RETENTION_DAYS = env_int("SHOPKEEPER_ENDED_RETENTION_DAYS", 365)
SHOP_APPLICATION_RETENTION_DAYS = env_int("SHOP_APPLICATION_RETENTION_DAYS", 180)
# Watch cell meetings (their roster names people, outside partners' e-mails), from the meeting's date.
WATCH_CELL_RETENTION_DAYS = env_int("WATCH_CELL_RETENTION_DAYS", 1095)
# Refresh-token families, from their newest token: longer than a refresh token lives (30 days), or a
# purged revoked family's tokens would be taken for tokens older than families.
TOKEN_FAMILY_RETENTION_DAYS = env_int("TOKEN_FAMILY_RETENTION_DAYS", 31)
if timedelta(days=TOKEN_FAMILY_RETENTION_DAYS) <= REFRESH_TOKEN_LIFETIME:
    raise ImproperlyConfigured(
        "TOKEN_FAMILY_RETENTION_DAYS must be longer than a refresh token lives (30 days)."
    )
# A period of 0 would erase rows as they are written: refused.
_RETENTION_TOO_SHORT = [
    name
    for name, value in globals().items()
    if name.endswith(("_RETENTION_DAYS", "_RETENTION_HOURS", "_MAX_AGE_DAYS"))
    and name != "CONSOLE_EVENT_RETENTION_HOURS"
    and value < 1
]
if _RETENTION_TOO_SHORT:
    raise ImproperlyConfigured(f"Retention periods must be 1 or more: {', '.join(_RETENTION_TOO_SHORT)}")

# --- data protection (alerts/privacy: the notice /confidentialite/, rights requests, the register) -----
# The public address of the site (https://vigie.example.fr): SMS carry links to the privacy notice.
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000")
# The controller named in the notice and register; empty: « Commune de <name>, représentée par son maire ».
PRIVACY_CONTROLLER = env_str("PRIVACY_CONTROLLER")
PRIVACY_CONTROLLER_ADDRESS = env_str("PRIVACY_CONTROLLER_ADDRESS")
# How to reach the data-protection officer (art. 37-7: published); empty address: « DPO, mairie de … ».
PRIVACY_DPO_EMAIL = env_str("PRIVACY_DPO_EMAIL")
PRIVACY_DPO_ADDRESS = env_str("PRIVACY_DPO_ADDRESS")
# The DPO and commune admins are reminded by e-mail when a request's deadline is this close (or past).
PRIVACY_REMINDER_DAYS = env_int("PRIVACY_REMINDER_DAYS", 7)
# E-mail (answers to rights requests, reminders): printed on the console unless an SMTP backend is set.
EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", default=False)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "vigie@localhost")

# --- logging and metrics (backend/core/logs.py, observability.py, metrics.py) --------------------
# plain (development) or json (production: one JSON object per line, with the request id).
LOG_FORMAT = env_choice("LOG_FORMAT", "plain", {"plain", "json"})
# One structured line per HTTP request (logger vigie.request); daphne's own access log is then redundant.
ACCESS_LOG = env_bool("ACCESS_LOG", default=LOG_FORMAT == "json")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "backend.core.logs.RequestIdFilter"}},
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
        "json": {"()": "backend.core.logs.JsonFormatter"},
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": LOG_FORMAT, "filters": ["request_id"]}
    },
    "root": {
        "handlers": ["console"],
        "level": env_choice("LOG_LEVEL", "INFO", {"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"}),
    },
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "axes": {"level": "WARNING"},
        "vigie.request": {"level": "INFO" if ACCESS_LOG else "WARNING"},
    },
}
# /metrics: a bearer token (Authorization: Bearer <METRICS_TOKEN>) or a direct request from these
# addresses or networks (never through the proxy); anyone else gets 404.
METRICS_TOKEN = env_str("METRICS_TOKEN")
METRICS_ALLOWED_IPS = env_list("METRICS_ALLOWED_IPS", ["127.0.0.1", "::1"] if DEBUG else [])
