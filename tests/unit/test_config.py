"""Settings from the environment, and the refusal to run production without a secret."""

from __future__ import annotations

from pathlib import Path

import pytest

from portal.config import ConfigError, load_config, normalise_database_url


def test_config_production_refuses_to_start_without_secret_key(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="SECRET_KEY"):
        load_config(tmp_path, {"PORTAL_ENV": "production"})


def test_config_production_cookies_are_secure(tmp_path: Path) -> None:
    config = load_config(tmp_path, {"PORTAL_ENV": "production", "SECRET_KEY": "x" * 64})
    assert config["SESSION_COOKIE_SECURE"] is True
    assert config["SESSION_COOKIE_HTTPONLY"] is True
    assert config["SESSION_COOKIE_SAMESITE"] == "Lax"


def test_config_development_keeps_a_secret_in_instance(tmp_path: Path) -> None:
    first = load_config(tmp_path, {})["SECRET_KEY"]
    assert first == load_config(tmp_path, {})["SECRET_KEY"]
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0
    assert load_config(tmp_path, {})["SESSION_COOKIE_SECURE"] is False


def test_config_default_database_is_sqlite_under_instance(tmp_path: Path) -> None:
    assert load_config(tmp_path, {})["DATABASE_URL"] == f"sqlite:///{tmp_path / 'portal.sqlite3'}"


def test_config_unknown_environment_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="PORTAL_ENV"):
        load_config(tmp_path, {"PORTAL_ENV": "staging"})


@pytest.mark.parametrize("url", ["postgres://u@h/db", "postgresql://u@h/db", "postgresql+psycopg://u@h/db"])
def test_config_postgres_urls_use_psycopg3(url: str) -> None:
    assert normalise_database_url(url) == "postgresql+psycopg://u@h/db"
