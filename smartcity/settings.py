"""Settings for the smart-city platform.

Everything that differs between a laptop and production comes from the environment
(see docs/operations.md): DATABASE_URL, REDIS_URL, SECRET_KEY, ALLOWED_HOSTS, EMAIL_URL,
MQTT_URL, DEBUG. With none of them set, the platform runs on SQLite (WAL mode), an
SQLite-backed task queue and the console mail backend, which is what `make serve` uses.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

from smartcity.env import env_bool, env_list, parse_email_url

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("SMARTCITY_VAR_DIR", BASE_DIR / "var"))
VAR_DIR.mkdir(parents=True, exist_ok=True)

DEBUG = env_bool("DEBUG", default=False)


def _secret_key() -> str:
    """Production passes SECRET_KEY; a development install (DEBUG=1) generates one once and keeps it.

    Without DEBUG the platform refuses to start with no SECRET_KEY: a key generated per machine
    would sign sessions and links that the other web servers reject."""
    from_env = os.environ.get("SECRET_KEY")
    if from_env:
        return from_env
    if not DEBUG:
        from django.core.exceptions import ImproperlyConfigured

        raise ImproperlyConfigured(
            "SECRET_KEY is not set. In production set SECRET_KEY in the environment (the same value on "
            "every web server and worker); for a development install set DEBUG=1 and a key is generated "
            "once in var/secret_key (docs/operations.md).")
    key_file = VAR_DIR / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(50))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


SECRET_KEY = _secret_key()
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    # modeltranslation must come before the admin so translated fields show there.
    "modeltranslation",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sites",
    "django.contrib.humanize",
    "rules.apps.AutodiscoverRulesConfig",
    "django_tasks",
    "django_htmx",
    "allauth",
    "allauth.account",
    "allauth.socialaccount",
    "allauth.socialaccount.providers.openid_connect",
    "allauth.mfa",
    "ninja",
    "core",
    "accounts",
    "strategy",
]
# Rooms added by later work register themselves here (one Django app per domain).
OPTIONAL_ROOMS = ["participation", "budgeting", "reports", "environment", "opendata", "resources", "notifications",
                  "announcements"]
for _room in OPTIONAL_ROOMS:
    if (BASE_DIR / _room / "apps.py").exists():
        INSTALLED_APPS.append(_room)

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Scripts only from our own origin, nothing frames the site (core/csp.py).
    "core.csp.ContentSecurityPolicyMiddleware",
    # A NUL or invalid UTF-8 anywhere in a request is a 400 naming where (core/request_text.py).
    "core.request_text.RejectInvalidTextMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    # Staff without a second factor reach only the MFA set-up pages (accounts/staff_mfa.py).
    "accounts.staff_mfa.StaffMFAMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Innermost: whole pages for anonymous visitors, invalidated by every write (core/page_cache.py).
    "core.page_cache.AnonymousPageCacheMiddleware",
]

ROOT_URLCONF = "smartcity.urls"
WSGI_APPLICATION = "smartcity.wsgi.application"

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
                "core.context_processors.platform",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------
DATABASE_URL = os.environ.get("DATABASE_URL", "")
if DATABASE_URL:
    DATABASES = {"default": dj_database_url.parse(
        DATABASE_URL, conn_max_age=int(os.environ.get("CONN_MAX_AGE", "60")), conn_health_checks=True)}
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(VAR_DIR / "db.sqlite3"),
            "OPTIONS": {
                # WAL lets the web server read while a worker writes; IMMEDIATE avoids
                # "database is locked" upgrades from read to write inside a transaction.
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=5000;",
                "transaction_mode": "IMMEDIATE",
            },
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache and background jobs --------------------------------------------------------------
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Anonymous visitors' pages are cached this many seconds at most (any write invalidates them at once;
# the lifetime bounds writes that bypass the ORM's signals). 0 switches the page cache off.
PAGE_CACHE_SECONDS = int(os.environ.get("PAGE_CACHE_SECONDS", "30") or 0)
# The open-data catalogue's snapshot (opendata/registry.py) is renewed by the rooms' writes; this bounds how long
# writes that send no signal (bulk ingestion of readings) go unseen. 0: every read calls every provider.
OPENDATA_SNAPSHOT_SECONDS = int(os.environ.get("OPENDATA_SNAPSHOT_SECONDS", "60") or 0)

# Jobs are written against the django-tasks API and executed by Huey (core/tasks_backend.py).
TASKS = {"default": {"BACKEND": "core.tasks_backend.HueyBackend"}}
HUEY_IMMEDIATE = env_bool("HUEY_IMMEDIATE", default=False)
HUEY_SQLITE_PATH = VAR_DIR / "huey.sqlite3"

# --- Mail -----------------------------------------------------------------------------------
_email = parse_email_url(os.environ.get("EMAIL_URL", "console://"))
EMAIL_BACKEND = _email.pop("EMAIL_BACKEND")
for _name, _value in _email.items():
    globals()[_name] = _value
# The sender's name is the platform's (SITE_NAME), so another city's e-mails do not arrive as Timișoara's.
DEFAULT_FROM_EMAIL = os.environ.get(
    "DEFAULT_FROM_EMAIL", f"{os.environ.get('SITE_NAME', 'Timișoara Smart City')} <noreply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Maps ------------------------------------------------------------------------------------
# Leaflet tile server for every map. OpenStreetMap's own servers suit a pilot; a city in production
# should use its own tile server or a provider (see the OSM tile usage policy).
MAP_TILE_URL = os.environ.get("MAP_TILE_URL", "https://tile.openstreetmap.org/{z}/{x}/{y}.png")
MAP_ATTRIBUTION = os.environ.get("MAP_ATTRIBUTION", "© OpenStreetMap contributors")

# --- Visual identity (docs/design.md) --------------------------------------------------------
# Another city sets its own name, colours, logo and fonts here; core/checks.py refuses colours
# that are not #rrggbb and warns when white text on the primary colour falls below 4.5:1.
SITE_NAME = os.environ.get("SITE_NAME", "Timișoara Smart City")
BRAND_PRIMARY_COLOR = os.environ.get("BRAND_PRIMARY_COLOR", "#0b4f8a")
BRAND_ACCENT_COLOR = os.environ.get("BRAND_ACCENT_COLOR", "#b35900")
# A path under static/ or an absolute URL (https://… or /…); empty: no logo, the name alone.
BRAND_LOGO = os.environ.get("BRAND_LOGO", "img/logo-timisoara.svg")
# A CSS font-family list; the default uses the fonts already on the reader's device (no download).
BRAND_FONT_FAMILY = os.environ.get(
    "BRAND_FONT_FAMILY", 'system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", "Helvetica Neue", Arial, '
    "sans-serif")

# --- MQTT (environment room) ----------------------------------------------------------------
MQTT_URL = os.environ.get("MQTT_URL", "mqtt://127.0.0.1:1883")

# --- Accounts -------------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "rules.permissions.ObjectPermissionBackend",
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
SITE_ID = 1
# URL names, reversed in the reader's language: a page under /ro/ that needs a sign-in sends to /ro/accounts/login/
# (not /accounts/login/, which would pick the language from the browser) and back to /ro/.
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "strategy:home"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[Timișoara Smart City] "
ACCOUNT_ADAPTER = "accounts.adapter.AccountAdapter"
ACCOUNT_USER_DISPLAY = "accounts.adapter.user_display"  # "signed in as <e-mail>", shown only to the person
# Sign-up records the consents with the exact text shown (accounts/forms.py, accounts/consents.py).
ACCOUNT_SIGNUP_FORM_CLASS = "accounts.forms.SignupConsentForm"
# OpenID Connect sign-in (the city's eID provider and others), configured entirely from the environment:
# OIDC_ISSUER, OIDC_CLIENT_ID, OIDC_CLIENT_SECRET, OIDC_NAME, OIDC_SCOPES, OIDC_ID, OIDC_VERIFIES_RESIDENCE,
# and the same numbered OIDC_1_... to OIDC_9_... for more providers (accounts/oidc_config.py, docs/identity.md).
from accounts.oidc_config import providers_from_environment  # noqa: E402

SOCIALACCOUNT_PROVIDERS = {"openid_connect": {
    # allauth's provider with an always-checked signature and a nonce (accounts/oidc.py).
    "provider_class": "accounts.oidc.CityOpenIDConnectProvider",
    "OAUTH_PKCE_ENABLED": True,
    "APPS": providers_from_environment(os.environ),
}}
SOCIALACCOUNT_ADAPTER = "accounts.oidc.SocialAccountAdapter"
SOCIALACCOUNT_STORE_TOKENS = False  # we need who the person is, never their tokens
SOCIALACCOUNT_LOGIN_ON_GET = False  # starting a sign-in is a POST (no cross-site sign-in starts)
# The identity provider has identified the person: an e-mail address it did not send (ROeID may not) is a
# contact to confirm by link, not a condition for signing in (docs/identity.md).
SOCIALACCOUNT_EMAIL_VERIFICATION = "optional"


def _person_key_pepper() -> str:
    """The secret that turns a verified identity into a pseudonymous person key (accounts/person_key.py).

    Production sets PERSON_KEY_PEPPER (the same value everywhere, never changed: a new pepper gives every
    person a new key, so people could vote again in a running vote); DEBUG generates one in var/.
    Without DEBUG the platform refuses to start with no pepper, as with SECRET_KEY: otherwise every
    verification and every vote would fail with a server error."""
    from_env = os.environ.get("PERSON_KEY_PEPPER", "")
    if from_env:
        return from_env
    if not DEBUG:
        from django.core.exceptions import ImproperlyConfigured

        raise ImproperlyConfigured(
            "PERSON_KEY_PEPPER is not set. In production set PERSON_KEY_PEPPER in the environment (a long "
            "random secret, the same on every web server and worker, never changed: it keys one person, one "
            "voice); for a development install set DEBUG=1 and one is generated once in var/person_key_pepper "
            "(docs/identity.md).")
    pepper_file = VAR_DIR / "person_key_pepper"
    if not pepper_file.exists():
        pepper_file.write_text(secrets.token_urlsafe(48))
        pepper_file.chmod(0o600)
    return pepper_file.read_text().strip()


PERSON_KEY_PEPPER = _person_key_pepper()
# The key the city's residents register is hashed with (manage.py hash_residents_register), shared between
# the office that exports the register and this platform; empty: the register check is off.
RESIDENTS_REGISTER_SALT = os.environ.get("RESIDENTS_REGISTER_SALT", "")
# The eID claim carrying the identity document number, if the provider sends one: with `birthdate` it gives
# the register's person key (docs/identity.md).
OIDC_DOCUMENT_NUMBER_CLAIM = os.environ.get("OIDC_DOCUMENT_NUMBER_CLAIM", "document_number")
# The locality an eID address claim must name to verify a resident (diacritics and case ignored).
CITY_NAME = os.environ.get("CITY_NAME", "Timișoara")
# How long a resident verification lasts before it must be renewed (days).
VERIFICATION_VALID_DAYS = int(os.environ.get("VERIFICATION_VALID_DAYS", "365") or 365)
# Sign-in throttling (allauth's limiter, which core.ratelimit uses for every other limit too).
# Failed sign-ins: 5 per 5 minutes per (account, address) and 60 per 10 minutes per address, so a
# shared address (a school, a mobile carrier) is not locked out by one guesser; all sign-in posts:
# 60 per minute per address. Addresses come from core.client_address (trusted proxies).
ACCOUNT_RATE_LIMITS = {
    "login": "60/m/ip",
    "login_failed": "60/10m/ip,5/5m/key",
    "signup": "20/m/ip,100/h/ip",
}
# Multi-factor sign-in (allauth.mfa): TOTP apps, WebAuthn security keys and passkeys, recovery codes.
# STAFF_MFA_REQUIRED: every staff account (is_staff: the back-office roles of accounts/roles.py) must use a
# second factor before it reaches the back office or any other page (docs/identity.md). On in production;
# off under DEBUG=1 (make serve's demo) and in the tests, which switch it on where they test it.
STAFF_MFA_REQUIRED = env_bool("STAFF_MFA_REQUIRED", default=not DEBUG)
MFA_SUPPORTED_TYPES = ["totp", "webauthn", "recovery_codes"]
MFA_TOTP_ISSUER = SITE_NAME
# WebAuthn needs HTTPS except on a development install served over http://127.0.0.1.
MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN = DEBUG

# --- Reverse proxy --------------------------------------------------------------------------
# The client address behind our own proxies (core/client_address.py, docs/operations.md).
TRUSTED_PROXY_COUNT = int(os.environ.get("TRUSTED_PROXY_COUNT", "0") or 0)
TRUSTED_PROXIES = env_list("TRUSTED_PROXIES", default=[])
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# --- Languages ------------------------------------------------------------------------------
LANGUAGE_CODE = "ro"
LANGUAGES = [("ro", _("Romanian")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = "Europe/Bucharest"
USE_TZ = True
MODELTRANSLATION_DEFAULT_LANGUAGE = "ro"
MODELTRANSLATION_LANGUAGES = ("ro", "en")
# The seed is in English; Romanian content falls back to it until it is translated.
MODELTRANSLATION_FALLBACK_LANGUAGES = {"default": ("en", "ro")}

# --- Static files ---------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

# --- Security -------------------------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
if env_bool("HTTPS", default=False):
    # Served over TLS by the reverse proxy, which sets X-Forwarded-Proto (docs/operations.md).
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    # __Host- cookies: sent only over HTTPS, to this host, for the whole site (OWASP ASVS 3.4.4).
    SESSION_COOKIE_NAME = "__Host-sessionid"
    CSRF_COOKIE_NAME = "__Host-csrftoken"
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]  # the load balancer probes over plain HTTP
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", str(365 * 24 * 3600)))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", default=False)
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "INFO"}, "huey": {"level": "WARNING"}},
}

NINJA_PAGINATION_PER_PAGE = 50
NINJA_PAGINATION_MAX_PER_PAGE_SIZE = 500

# --- Notifications (docs/notifications.md) ---------------------------------------------------
# Web Push (VAPID) keys: `manage.py generate_vapid_keys` prints a pair; with DEBUG=1 and none set, a
# pair is generated once into var/vapid_private_key.pem (notifications/vapid.py).
VAPID_PUBLIC_KEY = os.environ.get("VAPID_PUBLIC_KEY", "")
VAPID_PRIVATE_KEY = os.environ.get("VAPID_PRIVATE_KEY", "")
VAPID_SUBJECT = os.environ.get("VAPID_SUBJECT", "mailto:noreply@localhost")
# Absolute links in messages (e.g. https://smartcity.timisoara.ro); empty: the Site's domain.
NOTIFICATIONS_BASE_URL = os.environ.get("NOTIFICATIONS_BASE_URL", "")
NOTIFICATIONS_UNSUBSCRIBE_MAILTO = os.environ.get("NOTIFICATIONS_UNSUBSCRIBE_MAILTO", "")
NOTIFICATIONS_MAX_PER_ENDPOINT_PER_HOUR = int(os.environ.get("NOTIFICATIONS_MAX_PER_ENDPOINT_PER_HOUR", "20"))
NOTIFICATIONS_DIGEST_HOUR = int(os.environ.get("NOTIFICATIONS_DIGEST_HOUR", "7"))  # local time
# SMS through any HTTP gateway (notifications/channels/sms.py): empty URL = no SMS channel.
SMS_GATEWAY_URL = os.environ.get("SMS_GATEWAY_URL", "")
SMS_GATEWAY_TOKEN = os.environ.get("SMS_GATEWAY_TOKEN", "")
SMS_GATEWAY_METHOD = os.environ.get("SMS_GATEWAY_METHOD", "POST")
SMS_GATEWAY_TEMPLATE = os.environ.get("SMS_GATEWAY_TEMPLATE", "")  # empty: a JSON object (see sms.py)
SMS_GATEWAY_CONTENT_TYPE = os.environ.get("SMS_GATEWAY_CONTENT_TYPE", "application/json")
SMS_SENDER = os.environ.get("SMS_SENDER", "Timisoara")
# Webhooks (and other user-given URLs) may reach loopback/private/link-local addresses only when the
# operator allows it (core/safe_http.py), e.g. for a receiver on the city's own network.
OUTBOUND_ALLOW_PRIVATE_ADDRESSES = os.environ.get("OUTBOUND_ALLOW_PRIVATE_ADDRESSES", "") == "1"
