"""Django settings, driven by environment variables through small typed helpers.

Nothing here reads the database or the network at import time. `DATABASE_URL` picks the database:
unset, a SQLite file in the working directory (zero set-up); `postgresql://…`, PostgreSQL.
"""

from __future__ import annotations

import os
from importlib.util import find_spec
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlparse

from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent


def env_str(name: str, default: str) -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    if value.lower() in ("1", "true", "yes", "on"):
        return True
    if value.lower() in ("0", "false", "no", "off"):
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, got {value!r}")


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    if value is None:
        return default
    if not value.isascii() or not value.isdigit():
        raise ImproperlyConfigured(f"{name} must be a whole number, got {value!r}")
    return int(value)


def database_from_url(url: str) -> dict[str, object]:
    """Django's DATABASES entry for a URL: sqlite:///path.sqlite3 or postgresql://user@host/db."""
    parsed = urlparse(url)
    if parsed.scheme == "sqlite":
        # sqlite:///name.sqlite3 is relative to the working directory; sqlite:////abs/name.sqlite3 absolute.
        path = unquote(parsed.netloc + parsed.path[1:])
        if not path:
            raise ImproperlyConfigured("DATABASE_URL sqlite:/// needs a file name, e.g. sqlite:///leadledger.sqlite3")
        return {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": path,
            "OPTIONS": {
                # Writers queue instead of failing with "database is locked" (DESIGN principle 6).
                "transaction_mode": "IMMEDIATE",
                "timeout": 30,
                # WAL lets readers work while a desk writes; FULL makes an acknowledged registration
                # survive a power cut.
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON;",
            },
        }
    if parsed.scheme in ("postgres", "postgresql"):
        query = {k: v[-1] for k, v in parse_qs(parsed.query).items()}
        return {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": unquote(parsed.path.lstrip("/")),
            "USER": unquote(parsed.username or ""),
            "PASSWORD": unquote(parsed.password or ""),
            "HOST": query.pop("host", parsed.hostname or ""),
            "PORT": str(parsed.port or ""),
            "OPTIONS": query,
            "CONN_MAX_AGE": 60,
        }
    raise ImproperlyConfigured(f"DATABASE_URL must start with sqlite:/// or postgresql://, got {url!r}")


SECRET_KEY = env_str("LEADLEDGER_SECRET_KEY", "dev-only-not-secret-change-me")
DEBUG = env_bool("LEADLEDGER_DEBUG", False)
ALLOWED_HOSTS = env_str("LEADLEDGER_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]").split(",")

INSTALLED_APPS = [
    "leadledger.web",  # first: its sign-in and password pages replace the admin's
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_htmx",
    *([] if find_spec("django.tasks") else ["django_tasks"]),  # Django 5.2's backport; 6.x has django.tasks
    "django_tasks_db",
    "leadledger.ledger",
    "leadledger.imports",
    "leadledger.desk",
]
MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "leadledger.web.language.ChosenLanguageMiddleware",  # Chinese unless chosen from the menu, not the browser
    "leadledger.web.nul.RefuseNulMiddleware",  # NUL cannot be stored on PostgreSQL: refused on both
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]
ROOT_URLCONF = "leadledger.urls"
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
                "django.template.context_processors.i18n",
            ]
        },
    }
]
STATIC_URL = "static/"
WSGI_APPLICATION = "leadledger.wsgi.application"

DATABASES = {"default": database_from_url(env_str("DATABASE_URL", "sqlite:///leadledger.sqlite3"))}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Background work (imports) is queued in the database; `leadledger serve` runs a worker beside the web
# server, so no broker is needed (DESIGN principle 6). "immediate" runs it at once, in the request.
# Django 6 ships the tasks framework as django.tasks; on Django 5.2 it is the django_tasks backport.
TASKS_PACKAGE = "django.tasks" if find_spec("django.tasks") else "django_tasks"
TASKS = {
    "default": {
        "BACKEND": {
            "database": "django_tasks_db.DatabaseBackend",
            "immediate": f"{TASKS_PACKAGE}.backends.immediate.ImmediateBackend",
        }[env_str("LEADLEDGER_TASKS", "database")]
    }
}

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
LOCALE_PATHS = [BASE_DIR / "locale"]
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
TIME_ZONE = env_str("LEADLEDGER_TIME_ZONE", "Asia/Shanghai")
USE_I18N = True
USE_TZ = True

# Signed checkpoints of the chain head (ledger/checkpoints.py): the key and the log live outside the
# database, so that whoever can rewrite the database cannot also rewrite what it is checked against.
LEADLEDGER_KEY_FILE = env_str("LEADLEDGER_KEY_FILE", str(Path.home() / ".leadledger" / "checkpoint.key"))
LEADLEDGER_CHECKPOINT_LOG = env_str("LEADLEDGER_CHECKPOINT_LOG", str(Path.home() / ".leadledger" / "checkpoints.jsonl"))

# Imports (issue 13, h13-input): a register past these is refused with its reason before it can
# exhaust memory or disk. The upload is checked by the form; Django spools files over
# FILE_UPLOAD_MAX_MEMORY_SIZE to a temporary file rather than memory.
LEADLEDGER_IMPORT_MAX_BYTES = env_int("LEADLEDGER_IMPORT_MAX_BYTES", 20 * 1024 * 1024)
LEADLEDGER_IMPORT_MAX_ROWS = env_int("LEADLEDGER_IMPORT_MAX_ROWS", 250_000)
LEADLEDGER_IMPORT_MAX_COLUMNS = env_int("LEADLEDGER_IMPORT_MAX_COLUMNS", 64)
# Rows written per transaction: the desk's registrations wait at most one batch behind an import.
LEADLEDGER_IMPORT_BATCH = env_int("LEADLEDGER_IMPORT_BATCH", 1000)
# On SQLite, the pause after each batch in which a waiting desk takes the write lock (ms).
LEADLEDGER_IMPORT_PAUSE_MS = env_int("LEADLEDGER_IMPORT_PAUSE_MS", 50)
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440  # Django's default, said here beside the limits it serves
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440  # the form fields besides the file: a page never sends more
