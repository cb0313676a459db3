"""Settings read from the environment, with safe defaults per environment."""

from __future__ import annotations

import contextlib
import os
import secrets
from collections.abc import Mapping
from datetime import timedelta
from pathlib import Path

ENVIRONMENTS = ("development", "test", "production")
LOG_FORMATS = ("json", "text")
MAX_PROXIES = 5
PROJECT_ROOT = Path(__file__).resolve().parent.parent


class ConfigError(RuntimeError):
    """The service must not start with these settings."""


def _instance_secret(instance_path: Path) -> str:
    """A development secret kept in instance/ so sessions survive restarts, and every worker signs with the same one."""
    path = instance_path / "secret_key"
    if not path.exists():
        instance_path.mkdir(parents=True, exist_ok=True)
        draft = instance_path / f".secret_key.{os.getpid()}"
        with os.fdopen(os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "w", encoding="utf-8") as file:
            file.write(secrets.token_hex(32))
        with contextlib.suppress(FileExistsError):
            os.link(draft, path)  # of workers starting together, the first to link decides the secret for all
        draft.unlink()
    return path.read_text(encoding="utf-8").strip()


def normalise_database_url(url: str) -> str:
    """Use the psycopg 3 driver for plain postgres URLs."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def _flag(value: str | None, default: bool) -> bool:
    """An on/off setting: '0', 'false', 'no' and 'off' turn it off; unset keeps the default."""
    if value is None or not value.strip():
        return default
    return value.strip().lower() not in ("0", "false", "no", "off")


def _log_format(value: str | None, production: bool) -> str:
    """JSON lines for a log collector (production's default) or text for a person at a terminal."""
    chosen = (value or "").strip().lower() or ("json" if production else "text")
    if chosen not in LOG_FORMATS:
        raise ConfigError(f"LOG_FORMAT must be one of {', '.join(LOG_FORMATS)}, not {value!r}")
    return chosen


def _proxies(value: str | None) -> int:
    """How many proxies in front of the app to trust for X-Forwarded-For/-Proto (0: none)."""
    text = (value or "0").strip()
    if not (text.isascii() and text.isdigit()) or int(text) > MAX_PROXIES:
        raise ConfigError(f"TRUSTED_PROXIES must be a number of proxies from 0 to {MAX_PROXIES}, not {value!r}")
    return int(text)


EID_CLAIM = "https://id.oidc.se/claim/personalIdentityNumber"  # the Swedish OIDC profile's personal number
DEV_IDP = "http://127.0.0.1:5001"  # `python -m testidp`, started by `make run`
DEV_CLIENT = ("min-vardplan-dev", "dev-secret-not-for-production")  # the test provider's own (testidp/app.py)
CLIENT_AUTH_METHODS = ("client_secret_basic", "client_secret_post")


def _oidc(env: Mapping[str, str], portal_env: str) -> dict[str, str]:
    """e-ID sign-in (accounts/oidc.py). On when OIDC_ISSUER is set; development points it at the test provider, tests
    turn it on themselves. In production, an issuer needs https and its client id and secret, or nothing starts."""
    default_issuer = DEV_IDP if portal_env == "development" else ""
    issuer = env.get("OIDC_ISSUER", default_issuer).strip().rstrip("/")
    client = DEV_CLIENT if portal_env != "production" else ("", "")
    settings = {"OIDC_ISSUER": issuer, "OIDC_CLIENT_ID": env.get("OIDC_CLIENT_ID") or client[0],
                "OIDC_CLIENT_SECRET": env.get("OIDC_CLIENT_SECRET") or client[1],
                "OIDC_PERSONAL_ID_CLAIM": env.get("OIDC_PERSONAL_ID_CLAIM") or EID_CLAIM,
                "OIDC_SCOPE": env.get("OIDC_SCOPE") or "openid profile",
                "OIDC_CLIENT_AUTH": env.get("OIDC_CLIENT_AUTH") or CLIENT_AUTH_METHODS[0]}
    if settings["OIDC_CLIENT_AUTH"] not in CLIENT_AUTH_METHODS:
        raise ConfigError(f"OIDC_CLIENT_AUTH must be one of {', '.join(CLIENT_AUTH_METHODS)}")
    if portal_env == "production" and issuer:
        if not issuer.startswith("https://"):
            raise ConfigError("OIDC_ISSUER must be an https:// address when PORTAL_ENV=production")
        if not (settings["OIDC_CLIENT_ID"] and settings["OIDC_CLIENT_SECRET"]):
            raise ConfigError("OIDC_CLIENT_ID and OIDC_CLIENT_SECRET must be set when OIDC_ISSUER is")
    return settings


def load_config(instance_path: Path, environ: dict[str, str] | None = None) -> dict[str, object]:
    """Build the Flask config; production refuses to start without SECRET_KEY."""
    env = os.environ if environ is None else environ
    portal_env = env.get("PORTAL_ENV", "development")
    if portal_env not in ENVIRONMENTS:
        raise ConfigError(f"PORTAL_ENV must be one of {', '.join(ENVIRONMENTS)}, not {portal_env!r}")
    secret = env.get("SECRET_KEY", "")
    if not secret:
        if portal_env == "production":
            raise ConfigError("SECRET_KEY must be set when PORTAL_ENV=production")
        secret = secrets.token_hex(32) if portal_env == "test" else _instance_secret(instance_path)
    default_db = f"sqlite:///{instance_path / 'portal.sqlite3'}"
    production = portal_env == "production"
    return {
        "PORTAL_ENV": portal_env,
        "TESTING": portal_env == "test",
        "SECRET_KEY": secret,
        "DATABASE_URL": normalise_database_url(env.get("DATABASE_URL", default_db)),
        "SESSION_COOKIE_NAME": "__Host-session" if production else "session",
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": production,
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SECURE": production,
        "SESSION_IDLE_LIFETIME": timedelta(minutes=30),  # signed out after this long without activity
        "SESSION_ABSOLUTE_LIFETIME": timedelta(hours=12),  # and after this long in any case
        "PERMANENT_SESSION_LIFETIME": timedelta(hours=12),  # the cookie outlives the idle limit, so the server can
        # tell why a sign-in ended; the limits themselves are checked on the server (web/sessions.py)
        "SESSION_WARNING": timedelta(minutes=2),  # the stay-signed-in dialog opens this long before the end
        "SESSION_REFRESH_EACH_REQUEST": False,  # a cookie only when the session changed (polls get none)
        "LOCALE_COOKIE_SECURE": production,
        "MAX_CONTENT_LENGTH": 1024 * 1024,  # forms are short; a larger body gets a plain 413 page
        "WTF_CSRF_TIME_LIMIT": None,
        "WTF_CSRF_SSL_STRICT": production,
        "BABEL_DEFAULT_LOCALE": "sv",
        "BABEL_DEFAULT_TIMEZONE": "Europe/Stockholm",
        "BABEL_TRANSLATION_DIRECTORIES": str(PROJECT_ROOT / "translations"),
        "LANGUAGES": ("sv", "en", "ar", "fi"),  # ar and fi: to be reviewed by a medical translator (README)
        "COMPRESS_MIMETYPES": ["text/html", "text/css", "application/javascript", "text/javascript"],
        "COMPRESS_ALGORITHM": ["gzip"],
        "COMPRESS_ALGORITHM_STREAMING": ["gzip"],
        "COMPRESS_MIN_SIZE": 300,
        "SMTP_URL": env.get("SMTP_URL", ""),
        "MAIL_FROM": env.get("MAIL_FROM", "Min vårdplan <no-reply@vardplan.example>"),
        "PUBLIC_BASE_URL": env.get("PUBLIC_BASE_URL", "http://127.0.0.1:5000").rstrip("/"),
        # Passkeys (accounts/second_factor): the site's domain and origin; empty = this request's host (development;
        # browsers refuse an IP address, so open http://localhost:5000 to try passkeys).
        "WEBAUTHN_RP_ID": env.get("WEBAUTHN_RP_ID", "").strip(),
        "WEBAUTHN_ORIGIN": env.get("WEBAUTHN_ORIGIN", "").strip().rstrip("/"),
        # Throttling (portal/security): on unless RATELIMIT_ENABLED is 0/false; off by default for the test suite,
        # whose tests sign in thousands of times from one address. Redis when REDIS_URL is set, so that every
        # worker counts together; else each process counts in memory.
        "RATELIMIT_ENABLED": _flag(env.get("RATELIMIT_ENABLED"), default=portal_env != "test"),
        "RATELIMIT_STORAGE_URI": env.get("REDIS_URL") or "memory://",
        "RATELIMIT_KEY_PREFIX": "vardplan",
        # One log line per request on stderr (web/request_log.py); behind load balancers, whose X-Forwarded-For to
        # believe (web/proxies.py), so that the limits above count per client rather than per load balancer.
        "LOG_FORMAT": _log_format(env.get("LOG_FORMAT"), production),
        "TRUSTED_PROXIES": _proxies(env.get("TRUSTED_PROXIES")),
        **_oidc(env, portal_env),
    }
