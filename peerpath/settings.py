"""PeerPath settings, read from the environment (see docs/configuration.md for the table)."""

from __future__ import annotations

import sys
from pathlib import Path

import dj_database_url
from django.utils.csp import CSP

from peerpath.apps_order import APPS
from peerpath.env import (
    BASE_DIR,
    VAR_DIR,
    ConfigurationError,
    envbool,
    envint,
    envlist,
    envstr,
    private_sqlite_file,
    private_var_dir,
    secret,
    secret_list,
    served_address,
    site_url,
)

DEBUG = envbool("PEERPATH_DEBUG", False)
TESTING = envbool("PEERPATH_TESTING", False)
SECRET_KEY = secret("PEERPATH_SECRET_KEY", generate_in_dev=DEBUG or TESTING)
ALLOWED_HOSTS = envlist("PEERPATH_ALLOWED_HOSTS", "127.0.0.1,localhost" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = envlist("PEERPATH_CSRF_TRUSTED_ORIGINS")
# Required when DEBUG is off: links in e-mails would otherwise point at 127.0.0.1. In development
# it follows the address the app is served at (`make run PORT=...`, `manage.py runserver 9000`).
SITE_URL = site_url(required=not (DEBUG or TESTING), default=served_address(sys.argv, "http://127.0.0.1:8000"))
# Installation secret from which each program's credential-signing key is derived (HKDF).
CREDENTIAL_SECRET = secret("PEERPATH_CREDENTIAL_SECRET", generate_in_dev=DEBUG or TESTING)
# Keys that encrypt sensitive data at rest (peerpath.core.encryption): comma-separated, newest
# first. Every secret is refused when shorter than 32 bytes (peerpath.env.MIN_KEY_BYTES).
FIELD_ENCRYPTION_KEYS = secret_list("PEERPATH_FIELD_ENCRYPTION_KEYS", generate_in_dev=DEBUG or TESTING)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_tasks_db",
    "axes",
    # Two-factor sign-in (peerpath.core.second_factor): authenticator apps and recovery codes.
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "ninja",
    # PeerPath's own apps, in the order they may depend on each other (peerpath/apps_order.py).
    *(f"peerpath.{app}" for app in APPS),
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # A busy (SQLite locked) or unreachable (PostgreSQL restarting) database answers 503, not 500.
    "peerpath.core.busy.DatabaseBusyMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Below WhiteNoise (static files keep their caching): no-store on every download and page.
    "peerpath.core.middleware.NoStore",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # The language of the page: the switch's cookie, else the browser's Accept-Language.
    "django.middleware.locale.LocaleMiddleware",
    # Inside the session middleware, so a renewal is saved on the way out.
    "peerpath.core.middleware.RenewIdleSession",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Which device, if any, verified this session's second factor (request.user.is_verified()).
    "django_otp.middleware.OTPMiddleware",
    # A signed-in person's own choice of language (their account page) wins over the browser's.
    "peerpath.core.languages.PersonLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # A request that may have written starts a new data generation (cached home panels).
    "peerpath.core.generation.BumpOnWrite",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "peerpath.core.middleware.AdminForSuperusersOnly",
    # A person who must still pass the second factor sees only the two-factor pages.
    "peerpath.core.second_factor.RequireSecondFactor",
    # Axes last: it needs the authenticated user and turns lockouts into a page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "peerpath.urls"
WSGI_APPLICATION = "peerpath.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "peerpath" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "peerpath.core.context_processors.navigation",
                "peerpath.programs.context_processors.memberships",
                "peerpath.notifications.context_processors.unread",
            ],
        },
    },
]

# SQLite in var/ is the embedded default; DATABASE_URL selects PostgreSQL in production. var/
# (secrets, the database, uploads) and the SQLite file are readable by their owner only.
private_var_dir()
DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{VAR_DIR / 'peerpath.sqlite3'}", conn_max_age=envint("PEERPATH_DB_CONN_MAX_AGE", 0)
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    if str(DATABASES["default"]["NAME"]) not in ("", ":memory:"):
        private_sqlite_file(Path(DATABASES["default"]["NAME"]))
    # Wait for a writer instead of failing at once, and take the write lock up front so
    # concurrent requests and the task worker do not deadlock on lock upgrades.
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "core.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "peerpath.core.auth.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "core:login"
LOGIN_REDIRECT_URL = "programs:start"
LOGOUT_REDIRECT_URL = "core:login"
PASSWORD_RESET_TIMEOUT = envint("PEERPATH_PASSWORD_RESET_TIMEOUT", 3 * 24 * 3600)

# Sessions end after this many seconds without a request; requests renew them, at most once
# every SESSION_RENEW_SECONDS (peerpath.core.middleware.RenewIdleSession).
SESSION_COOKIE_AGE = envint("PEERPATH_SESSION_IDLE_SECONDS", 30 * 60)
SESSION_RENEW_SECONDS = envint("PEERPATH_SESSION_RENEW_SECONDS", 60)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True

# Reverse proxies in front: how many X-Forwarded-For entries to believe. Every limit (log-in
# lockouts, public forms) keys on peerpath.core.limits.client_address, which reads it.
PROXY_COUNT = envint("PEERPATH_PROXY_COUNT", 0)
RATELIMIT_IP_META_KEY = "peerpath.core.limits.client_address"

# Failed log-ins pause the pair of one account and one address: other accounts from that
# address, and the same account from elsewhere, are not paused.
AXES_FAILURE_LIMIT = envint("PEERPATH_LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = envint("PEERPATH_LOGIN_COOLOFF_MINUTES", 15) / 60
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_CLIENT_IP_CALLABLE = "peerpath.core.limits.client_address"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "core/locked_out.html"
AXES_USERNAME_CALLABLE = "peerpath.core.auth.axes_username"
AXES_VERBOSE = False
# The name authenticator apps show next to PeerPath's codes.
OTP_TOTP_ISSUER = "PeerPath"

REDIS_URL = envstr("REDIS_URL")
if REDIS_URL:
    _shared_cache = {"BACKEND": "peerpath.core.cache.RedisCache", "LOCATION": REDIS_URL}
    # Sessions are read from Redis and written through to the database, which stays the record.
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
else:
    # The database cache is shared by every process without an extra service.
    _shared_cache = {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "peerpath_cache"}
CACHES = {"default": _shared_cache}
if TESTING:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# Home page panels are kept rendered this long at most (each also ends when its data changes).
FRAGMENT_CACHE_SECONDS = envint("PEERPATH_FRAGMENT_CACHE_SECONDS", 120)
# The report dashboard keeps each report's figures this long (a coordinator can refresh them).
REPORT_CACHE_SECONDS = envint("PEERPATH_REPORT_CACHE_SECONDS", 300)
# The Retry-After (seconds) of the 503 answered when the database is busy or unreachable.
DATABASE_BUSY_RETRY_AFTER = envint("PEERPATH_DATABASE_BUSY_RETRY_AFTER", 5)
RATELIMIT_VIEW = "peerpath.core.views.rate_limited"
SILENCED_SYSTEM_CHECKS = [
    # django-ratelimit knows only memcached and django-redis. Django's own Redis cache
    # increments atomically; the database cache may let a burst through by a request or
    # two, which is acceptable for a public form's abuse limit.
    "django_ratelimit.E003",
    "django_ratelimit.W001",
]
PUBLIC_FORM_RATE = envstr("PEERPATH_PUBLIC_FORM_RATE", "10/h")

# Finished task rows (an e-mail's text, a reminder's ids) are deleted after this many days by
# the daily job core.prune_finished_tasks; the installation's retention of finished work.
FINISHED_TASKS_KEEP_DAYS = envint("PEERPATH_FINISHED_TASKS_KEEP_DAYS", 14)
if FINISHED_TASKS_KEEP_DAYS < 1:
    raise ConfigurationError("PEERPATH_FINISHED_TASKS_KEEP_DAYS must be at least 1.")
# A running task's lease (peerpath.core.taskqueue): the worker renews it every third of this;
# a task whose worker stopped renewing goes back to the queue once the lease has run out.
TASK_LEASE_SECONDS = envint("PEERPATH_TASK_LEASE_SECONDS", 60)
if TASK_LEASE_SECONDS < 1:
    raise ConfigurationError("PEERPATH_TASK_LEASE_SECONDS must be at least 1.")

TASKS = {
    "default": {
        "BACKEND": envstr("PEERPATH_TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
        "QUEUES": ["default"],
    }
}

# Readiness (/health/ready/, peerpath.core.health): a check beyond its threshold answers 503.
HEALTH_MAX_TASK_WAIT_SECONDS = envint("PEERPATH_HEALTH_MAX_TASK_WAIT_SECONDS", 300)
HEALTH_MAX_SCHEDULER_SILENCE_SECONDS = envint("PEERPATH_HEALTH_MAX_SCHEDULER_SILENCE_SECONDS", 300)
HEALTH_MAX_UNDELIVERED = envint("PEERPATH_HEALTH_MAX_UNDELIVERED", 0)
HEALTH_MAX_LATE_CRISES = envint("PEERPATH_HEALTH_MAX_LATE_CRISES", 0)
HEALTH_CRISIS_GRACE_SECONDS = envint("PEERPATH_HEALTH_CRISIS_GRACE_SECONDS", 180)

# Sending e-mail (peerpath.core.outbox): the SMTP timeout (Django's EMAIL_TIMEOUT, given to the
# mailer since MAILERS replaces the EMAIL_* settings), and the attempts before a message is shown
# to coordinators as undelivered, the first pause doubling after each failed attempt.
EMAIL_SEND_TIMEOUT = envint("PEERPATH_EMAIL_TIMEOUT", 30)
EMAIL_MAX_ATTEMPTS = envint("PEERPATH_EMAIL_MAX_ATTEMPTS", 6)
EMAIL_RETRY_SECONDS = envint("PEERPATH_EMAIL_RETRY_SECONDS", 60)
if EMAIL_SEND_TIMEOUT < 1 or EMAIL_MAX_ATTEMPTS < 1 or EMAIL_RETRY_SECONDS < 0:
    raise ConfigurationError(
        "PEERPATH_EMAIL_TIMEOUT and PEERPATH_EMAIL_MAX_ATTEMPTS must be at least 1, "
        "PEERPATH_EMAIL_RETRY_SECONDS at least 0."
    )

# Text messages (peerpath.notifications.sms): the provider ("twilio", "console" for development:
# written to the log and SMS_FILE, or "off"), Twilio's account, sender and API address, and the
# attempts and first pause of a text's delivery; a crisis page is texted again every
# PAGE_REPEAT_MINUTES until acknowledged. Numbers without a country code are read in SMS_DEFAULT_REGION.
SMS_BACKEND = envstr("PEERPATH_SMS_BACKEND", "console" if DEBUG else "off")
if SMS_BACKEND not in ("twilio", "console", "off"):
    raise ConfigurationError("PEERPATH_SMS_BACKEND must be twilio, console or off.")
SMS_FILE = envstr("PEERPATH_SMS_FILE", str(VAR_DIR / "sms.log"))
SMS_DEFAULT_REGION = envstr("PEERPATH_SMS_DEFAULT_REGION", "US")
SMS_MAX_ATTEMPTS = envint("PEERPATH_SMS_MAX_ATTEMPTS", 5)
SMS_RETRY_SECONDS = envint("PEERPATH_SMS_RETRY_SECONDS", 30)
SMS_TIMEOUT = envint("PEERPATH_SMS_TIMEOUT", 10)
PAGE_REPEAT_MINUTES = envint("PEERPATH_PAGE_REPEAT_MINUTES", 5)
TWILIO_ACCOUNT_SID = envstr("PEERPATH_TWILIO_ACCOUNT_SID")
TWILIO_AUTH_TOKEN = envstr("PEERPATH_TWILIO_AUTH_TOKEN")
TWILIO_FROM = envstr("PEERPATH_TWILIO_FROM")
TWILIO_API_URL = envstr("PEERPATH_TWILIO_API_URL", "https://api.twilio.com")
if SMS_BACKEND == "twilio" and not (TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN and TWILIO_FROM):
    raise ConfigurationError(
        "PEERPATH_SMS_BACKEND=twilio needs PEERPATH_TWILIO_ACCOUNT_SID, PEERPATH_TWILIO_AUTH_TOKEN "
        "and PEERPATH_TWILIO_FROM."
    )
if SMS_MAX_ATTEMPTS < 1 or SMS_RETRY_SECONDS < 0 or SMS_TIMEOUT < 1 or PAGE_REPEAT_MINUTES < 1:
    raise ConfigurationError(
        "PEERPATH_SMS_MAX_ATTEMPTS, PEERPATH_SMS_TIMEOUT and PEERPATH_PAGE_REPEAT_MINUTES must be at least 1, "
        "PEERPATH_SMS_RETRY_SECONDS at least 0."
    )

_mail_backend = envstr(
    "PEERPATH_EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend" if DEBUG else "django.core.mail.backends.smtp.EmailBackend",
)
_mail_options = (
    {
        "host": envstr("PEERPATH_EMAIL_HOST", "localhost"),
        "port": envint("PEERPATH_EMAIL_PORT", 25),
        "username": envstr("PEERPATH_EMAIL_HOST_USER"),
        "password": envstr("PEERPATH_EMAIL_HOST_PASSWORD"),
        "use_tls": envbool("PEERPATH_EMAIL_USE_TLS", False),
        # A server that accepts the connection and never answers must not hold the worker.
        "timeout": EMAIL_SEND_TIMEOUT,
    }
    if _mail_backend.endswith("smtp.EmailBackend")
    else {}
)
MAILERS = {"default": {"BACKEND": _mail_backend, "OPTIONS": _mail_options}}
DEFAULT_FROM_EMAIL = envstr("PEERPATH_FROM_EMAIL", "PeerPath <peerpath@localhost>")

LANGUAGE_CODE = "en"
# The languages PeerPath speaks, each named in itself (the language switch shows these names). A
# new language is one line here and its catalogues (docs/translating.md). Each app keeps its own
# catalogue in peerpath/<app>/locale/ (peerpath/core/catalogues.py); listing them here puts
# PeerPath's wording ahead of Django's own catalogues (the admin's "Skip to main content"...).
LANGUAGES = [("en", "English"), ("es", "Español")]
LOCALE_PATHS = [BASE_DIR / "peerpath" / app / "locale" for app in APPS]
# One date format per kind (short date, long date, date and time) for each language: see
# peerpath/formats/. Templates name the kind (|date:"SHORT_DATE_FORMAT"), never a pattern.
FORMAT_MODULE_PATH = ["peerpath.formats"]
TIME_ZONE = envstr("PEERPATH_TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
# In development and tests WhiteNoise serves straight from the apps' static folders.
WHITENOISE_USE_FINDERS = DEBUG or TESTING
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG or TESTING
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
MEDIA_ROOT = VAR_DIR / "media"
MEDIA_URL = "media/"

SECURE_SSL_REDIRECT = envbool("PEERPATH_SECURE_SSL_REDIRECT", not DEBUG and not TESTING)
SESSION_COOKIE_SECURE = not DEBUG and not TESTING
CSRF_COOKIE_SECURE = not DEBUG and not TESTING
SECURE_HSTS_SECONDS = envint("PEERPATH_HSTS_SECONDS", 0 if DEBUG or TESTING else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG and not TESTING
SECURE_HSTS_PRELOAD = envbool("PEERPATH_HSTS_PRELOAD", False)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Django's own Content-Security-Policy (django.middleware.csp): only this site's files run or
# style a page. Templates carry no inline style, script or event handler (a test crawls them);
# chart and form data travel as <script type="application/json"> blocks, which are not run.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}
if envbool("PEERPATH_BEHIND_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": envstr("PEERPATH_LOG_LEVEL", "WARNING")},
}

# The JSON API: page sizes and offsets are bounded so a request cannot ask the database for
# absurd slices.
NINJA_PAGINATION_PER_PAGE = 50
NINJA_PAGINATION_MAX_LIMIT = 500
NINJA_PAGINATION_MAX_OFFSET = 10_000_000
