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


def database_from_url(url: str) -> dict[str, object]:
    """Django's DATABASES entry for a URL: sqlite:///path.sqlite3 or postgresql://user@host/db."""
    parsed = urlparse(url)
    if parsed.scheme == "sqlite":
        # sqlite:///name.sqlite3 is relative to the working directory; sqlite:////abs/name.sqlite3 absolute.
        path = unquote(parsed.netloc + parsed.path[1:])
        if not path:
            raise ImproperlyConfigured("DATABASE_URL sqlite:/// needs a file name, e.g. sqlite:///leadledger.sqlite3")
        return {
            "ENGINE": "leadledger.ledger.sqlite",  # Django's, with writers queued in turn (ledger/sqlite)
            "NAME": path,
            "OPTIONS": {
                # Writers queue instead of failing with "database is locked" (DESIGN principle 6).
                "transaction_mode": "IMMEDIATE",
                "timeout": 30,
                # WAL lets readers work while a desk writes; FULL makes an acknowledged registration
                # survive a power cut.
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON;",
            },
            # Kept open between a thread's requests (decision 533): opening one costs the request more than
            # a bare view's whole work (SQLite reads and parses the schema, runs the PRAGMAs).
            "CONN_MAX_AGE": 60,
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


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, got {value!r}") from None


def secret_key_file_for(database: dict[str, object]) -> Path:
    """Where the secret key lives when the environment does not give one: beside a SQLite database, so
    that the demo's key travels with its data; in ~/.leadledger for a server database."""
    if database["ENGINE"] == "leadledger.ledger.sqlite":
        path = Path(str(database["NAME"]))
        return path.with_name(path.name + ".secret-key")
    return Path.home() / ".leadledger" / "secret-key"


def secret_key_read(path: Path) -> str:
    try:
        return path.read_text("utf-8").strip()
    except (FileNotFoundError, NotADirectoryError, PermissionError):
        return ""


DATABASES = {"default": database_from_url(env_str("DATABASE_URL", "sqlite:///leadledger.sqlite3"))}

# Keys everybody can read (this file, earlier releases): `leadledger check` refuses them and `serve` will
# not listen beyond this machine with one. The demo writes a random key to LEADLEDGER_SECRET_KEY_FILE on
# its first run (demo.secret_key_ensure), so even the demo does not sign sessions with a public key.
PUBLIC_SECRET_KEYS = ("dev-only-not-secret-change-me", "leadledger-public-development-key-not-secret")
LEADLEDGER_SECRET_KEY_FILE = env_str("LEADLEDGER_SECRET_KEY_FILE", str(secret_key_file_for(DATABASES["default"])))
SECRET_KEY = (
    env_str("LEADLEDGER_SECRET_KEY", "") or secret_key_read(Path(LEADLEDGER_SECRET_KEY_FILE)) or PUBLIC_SECRET_KEYS[-1]
)
DEBUG = env_bool("LEADLEDGER_DEBUG", False)
ALLOWED_HOSTS = env_str("LEADLEDGER_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]").split(",")

# HTTPS: on for any server others reach (behind a proxy that ends TLS, say so with LEADLEDGER_PROXY_HTTPS);
# off by default because the demo and a desk on this machine are served over plain http on 127.0.0.1.
HTTPS = env_bool("LEADLEDGER_HTTPS", False)
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = SECURE_SSL_REDIRECT = HTTPS
SECURE_HSTS_SECONDS = env_int("LEADLEDGER_HSTS_SECONDS", 31_536_000 if HTTPS else 0)
if env_bool("LEADLEDGER_PROXY_HTTPS", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# Deployment checks an operator has decided to live with, by ID (e.g. security.W004 behind an HSTS proxy).
# HSTS for subdomains (W005) and the browsers' preload list (W021) bind every other site of the company's
# domain for a year: a decision for whoever runs that domain, not for this app, so not asked for here.
SILENCED_SYSTEM_CHECKS = [
    "security.W005",
    "security.W021",
    *(c for c in env_str("LEADLEDGER_SILENCED_CHECKS", "").split(",") if c),
]

# One sign-in a working day (docs/decisions.md): a desk signed in at 08:00 stays signed in past closing
# time, and is asked again the next morning. Not renewed on every request, which would write each time.
SESSION_COOKIE_AGE = env_int("LEADLEDGER_SESSION_HOURS", 16) * 3600
# Django's database sessions and model backend, the user read on every page prepared (web/sessions.py).
SESSION_ENGINE = "leadledger.web.sessions"
AUTHENTICATION_BACKENDS = ["leadledger.web.sessions.Backend"]

# Argon2id first; PBKDF2 hashes made before still verify and are re-hashed at the next sign-in.
# The cost (web/hashers.py) keeps 130 sign-ins in a morning's first minute from stalling the desk
# (docs/benchmarks.md).
PASSWORD_HASHERS = [
    "leadledger.web.hashers.OfficeArgon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Failed sign-ins (ledger/sign_ins.py): after this many wrong passwords for one username, or from one
# address (an office shares one address behind its router, hence more), each further try waits,
# starting at a minute and doubling up to an hour.
SIGN_IN_FAILURES_PER_USERNAME = env_int("LEADLEDGER_SIGN_IN_FAILURES_PER_USERNAME", 5)
SIGN_IN_FAILURES_PER_ADDRESS = env_int("LEADLEDGER_SIGN_IN_FAILURES_PER_ADDRESS", 30)
SIGN_IN_WAIT_SECONDS = env_int("LEADLEDGER_SIGN_IN_WAIT_SECONDS", 60)
SIGN_IN_WAIT_MAX_SECONDS = env_int("LEADLEDGER_SIGN_IN_WAIT_MAX_SECONDS", 3600)
# Behind a reverse proxy, the client's address is the last one it appended to X-Forwarded-For.
BEHIND_PROXY = env_bool("LEADLEDGER_BEHIND_PROXY", False)

INSTALLED_APPS = [
    "leadledger.web",  # first: its sign-in and password pages replace the admin's
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_htmx",
    "ninja",  # the API's docs page from its own static files, never a CDN
    *([] if find_spec("django.tasks") else ["django_tasks"]),  # Django 5.2's backport; 6.x has django.tasks
    "leadledger.web.apps.BackgroundTasksConfig",  # django_tasks_db, named in the manager's language
    "leadledger.ledger",
    "leadledger.imports",
    "leadledger.desk",
    "leadledger.channel",
    "leadledger.sales",
    "leadledger.money",
    "leadledger.bench",
    "leadledger.api",
]
MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",  # static files from the server itself: nothing else to set up
    "django.contrib.sessions.middleware.SessionMiddleware",
    "leadledger.web.language.ChosenLanguageMiddleware",  # Chinese unless chosen from the menu, not the browser
    "leadledger.web.uploads.UploadLimitMiddleware",  # an upload over the limit, before its body is read
    "leadledger.web.nul.RefuseNulMiddleware",  # NUL cannot be stored on PostgreSQL: refused on both
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "leadledger.web.unwritable.UnwritableDatabaseMiddleware",  # disk full, read-only: "not saved", 503
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
# Served by WhiteNoise straight from the installed apps (no collectstatic for the demo); a deployment
# may collect them to LEADLEDGER_STATIC_ROOT and set WHITENOISE_USE_FINDERS off through it.
STATIC_ROOT = env_str("LEADLEDGER_STATIC_ROOT", "") or None
WHITENOISE_USE_FINDERS = STATIC_ROOT is None
WSGI_APPLICATION = "leadledger.wsgi.application"
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

CSRF_FAILURE_VIEW = "leadledger.web.errors.csrf_failure"  # in the user's language, inside the layout
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
LOCALE_PATHS = [BASE_DIR / "locale"]
FORMAT_MODULE_PATH = ["leadledger.formats"]  # money grouped by thousands in Chinese too (decision 446)
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LANGUAGE_COOKIE_AGE = 365 * 24 * 3600  # the browser's last choice, for the sign-in page (decision 340)
TIME_ZONE = env_str("LEADLEDGER_TIME_ZONE", "Asia/Shanghai")
# A WeChat Work (企业微信) or DingTalk (钉钉) group robot's webhook for the workbench's reminders
# (`django-admin bench_remind CODE`, e.g. from cron); empty: reminders stay in the app only.
LEADLEDGER_ROBOT_WEBHOOK = env_str("LEADLEDGER_ROBOT_WEBHOOK", "")
USE_I18N = True
USE_TZ = True

# Signed checkpoints of the chain head (ledger/checkpoints.py): the key and the log live outside the
# database, so that whoever can rewrite the database cannot also rewrite what it is checked against.
LEADLEDGER_KEY_FILE = env_str("LEADLEDGER_KEY_FILE", str(Path.home() / ".leadledger" / "checkpoint.key"))
LEADLEDGER_CHECKPOINT_LOG = env_str("LEADLEDGER_CHECKPOINT_LOG", str(Path.home() / ".leadledger" / "checkpoints.jsonl"))

# Server errors with their traceback, failed sign-ins and refused requests (CSRF, unknown hosts): to
# standard error and to a rotating file (10 MB × 5), LEADLEDGER_LOG_FILE, "" for none.
LEADLEDGER_LOG_FILE = env_str("LEADLEDGER_LOG_FILE", str(Path.home() / ".leadledger" / "leadledger.log"))
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s [%(process)d] %(message)s"}},
    "handlers": {
        "stderr": {"class": "logging.StreamHandler", "formatter": "plain"},
        **(
            {
                "file": {
                    "class": "leadledger.logs.RotatingFile",
                    "filename": LEADLEDGER_LOG_FILE,
                    "maxBytes": 10 * 1024 * 1024,
                    "backupCount": 5,
                    "encoding": "utf-8",
                    "delay": True,
                    "formatter": "plain",
                }
            }
            if LEADLEDGER_LOG_FILE
            else {}
        ),
    },
    "loggers": {
        name: {"handlers": ["stderr", *(["file"] if LEADLEDGER_LOG_FILE else [])], "level": level, "propagate": False}
        for name, level in (("django.request", "ERROR"), ("django.security", "WARNING"), ("leadledger", "INFO"))
    },
}
# Looking a person up (ledger/lookups.py, PIPL): at most this many lookups per user a minute and an
# hour, counted from the lookup log so the limit holds across app processes; a human pace with room
# for a launch day at the desk. A user with this many lookups that matched nobody in
# LEADLEDGER_LOOKUP_MISS_MINUTES raises a risk signal for the managers (an enumeration's signature).
LEADLEDGER_LOOKUPS_PER_MINUTE = env_int("LEADLEDGER_LOOKUPS_PER_MINUTE", 30)
LEADLEDGER_LOOKUPS_PER_HOUR = env_int("LEADLEDGER_LOOKUPS_PER_HOUR", 300)
LEADLEDGER_LOOKUP_MISSES = env_int("LEADLEDGER_LOOKUP_MISSES", 20)
LEADLEDGER_LOOKUP_MISS_MINUTES = env_int("LEADLEDGER_LOOKUP_MISS_MINUTES", 10)
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
# A running import whose worker has not reported for this long is taken as lost and failed (seconds).
LEADLEDGER_IMPORT_STALE_SECONDS = env_int("LEADLEDGER_IMPORT_STALE_SECONDS", 300)
# The largest request with a file that is read at all (0: the import's limit and 64 KB for the form).
LEADLEDGER_UPLOAD_MAX_BYTES = env_int("LEADLEDGER_UPLOAD_MAX_BYTES", 0)
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440  # Django's default, said here beside the limits it serves
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440  # the form fields besides the file: a page never sends more
