"""Where the settings come from: the environment, and in a development checkout var/dev.env.

Also the values every other settings module builds on: paths, DEBUG, the secret key and
the hosts we answer to.
"""

from __future__ import annotations

import os
import secrets
import sys
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = Path(os.environ.get("VAR_DIR", BASE_DIR / "var"))
VAR_DIR.mkdir(parents=True, exist_ok=True)


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


TESTING = Path(sys.argv[0]).name in {"pytest", "py.test"} or "pytest" in sys.modules

# A development checkout: `make run` (and `make dev-env`) write var/dev.env, whose
# NAME=value lines are defaults for the variables below (the environment still wins), so
# manage.py, celery and gunicorn need no extra variables there. A deployment has no such
# file, and without it DEBUG is off and SECRET_KEY required. The tests ignore it: they run
# on the same settings in every checkout. (Hand-written: KEY=VALUE lines and comments need
# no dotenv library.)
DEV_ENV_FILE = VAR_DIR / "dev.env"
if DEV_ENV_FILE.exists() and not TESTING:
    for _line in DEV_ENV_FILE.read_text().splitlines():
        _name, _sep, _value = _line.strip().partition("=")
        if _sep and not _name.startswith("#"):
            os.environ.setdefault(_name.strip(), _value.strip())

DEBUG = env_bool("DEBUG", False)


def _secret_key() -> str:
    key = os.environ.get("SECRET_KEY", "")
    if key:
        return key
    if TESTING:
        return "insecure-test-only-key-" + "x" * 32
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    # Development: generate once and keep it, so sessions survive a restart.
    path = VAR_DIR / "dev-secret-key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = _secret_key()
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost")
if TESTING:
    ALLOWED_HOSTS += ["testserver"]
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

# --- Keys: rotate SECRET_KEY without logging everyone out ------------------------------
# Old keys, comma-separated, still accepted for sessions, password resets and signing.
SECRET_KEY_FALLBACKS = env_list("SECRET_KEY_FALLBACKS")
