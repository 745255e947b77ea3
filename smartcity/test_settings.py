"""Test settings: SQLite in memory by default, PostgreSQL when DATABASE_URL is set (as in Wagtail)."""

import os

# Production refuses to start without SECRET_KEY (smartcity/settings.py); tests run with DEBUG off.
os.environ.setdefault("SECRET_KEY", "tests-only-not-a-secret-" + "x" * 40)
os.environ.setdefault("PERSON_KEY_PEPPER", "tests-only-pepper-" + "p" * 40)
os.environ.setdefault("RESIDENTS_REGISTER_SALT", "tests-only-register-salt")

from smartcity.settings import *  # noqa: F403
from smartcity.settings import DATABASES

HUEY_IMMEDIATE = True
# Tests read pages right after writes that bypass signals (queryset.update); tests/core/test_page_cache.py
# switches the anonymous page cache on.
PAGE_CACHE_SECONDS = 0
# Staff tests sign in with force_login; tests/accounts/test_staff_mfa.py switches the second factor on.
STAFF_MFA_REQUIRED = False
# WebAuthn over the live test server's http://127.0.0.1 (tests/accounts/test_staff_mfa.py).
MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN = True
# E-mail goes over SMTP to the aiosmtpd server tests/conftest.py starts (its port is set there); the backend
# also keeps django.core.mail.outbox for the tests that read it.
EMAIL_BACKEND = "smartcity.test_mail.SMTPThenOutboxBackend"
EMAIL_HOST = "127.0.0.1"
EMAIL_USE_TLS = EMAIL_USE_SSL = False
EMAIL_HOST_USER = EMAIL_HOST_PASSWORD = ""
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # fast; tests only
# What production runs, where the machine has it: with REDIS_URL the Redis cache (keys under this run's
# prefix) and Huey's Redis storage; without it the local-memory cache and Huey in memory.
if REDIS_URL:  # noqa: F405
    CACHES = {"default": {"BACKEND": "smartcity.test_cache.IsolatedRedisCache", "LOCATION": REDIS_URL,  # noqa: F405
                          "KEY_PREFIX": f"tests-{os.getpid()}"}}
    HUEY_IMMEDIATE_NAME = f"smartcity-tests-{os.getpid()}"
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["TEST"] = {"NAME": ":memory:"}
# Uploads are written to disk as in production, under a pytest temporary directory (tests/conftest.py sets
# MEDIA_ROOT for the run).
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_AUTOREFRESH = True
