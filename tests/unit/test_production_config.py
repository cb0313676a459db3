"""Settings for production runs: the log format, how many proxies to trust, and one development secret for all the
workers that start together."""

from __future__ import annotations

import multiprocessing
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import pytest

from portal.config import ConfigError, load_config


@pytest.mark.parametrize(("environ", "expected"), [
    ({"PORTAL_ENV": "production", "SECRET_KEY": "x" * 64}, "json"),
    ({"PORTAL_ENV": "development"}, "text"),
    ({"PORTAL_ENV": "test"}, "text"),
    ({"PORTAL_ENV": "production", "SECRET_KEY": "x" * 64, "LOG_FORMAT": "text"}, "text"),
    ({"PORTAL_ENV": "development", "LOG_FORMAT": " JSON "}, "json"),
])
def test_config_log_format_is_json_in_production_and_text_elsewhere(tmp_path: Path, environ: dict[str, str],
                                                                     expected: str) -> None:
    assert load_config(tmp_path, environ)["LOG_FORMAT"] == expected


def test_config_unknown_log_format_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="LOG_FORMAT"):
        load_config(tmp_path, {"PORTAL_ENV": "test", "LOG_FORMAT": "xml"})


@pytest.mark.parametrize(("value", "expected"), [(None, 0), ("", 0), ("0", 0), ("1", 1), (" 2 ", 2)])
def test_config_trusted_proxies(tmp_path: Path, value: str | None, expected: int) -> None:
    environ = {"PORTAL_ENV": "test"} | ({"TRUSTED_PROXIES": value} if value is not None else {})
    assert load_config(tmp_path, environ)["TRUSTED_PROXIES"] == expected


@pytest.mark.parametrize("value", ["-1", "x", "1.5", "²", "6", "99999999999999999999"])
def test_config_odd_trusted_proxies_are_refused(tmp_path: Path, value: str) -> None:
    with pytest.raises(ConfigError, match="TRUSTED_PROXIES"):
        load_config(tmp_path, {"PORTAL_ENV": "test", "TRUSTED_PROXIES": value})


def _secret_at(instance: Path, start: float) -> str:
    time.sleep(max(0.0, start - time.time()))
    return str(load_config(instance, {"PORTAL_ENV": "development"})["SECRET_KEY"])


def test_config_workers_starting_together_share_one_development_secret(tmp_path: Path) -> None:
    start = time.time() + 0.5
    with ProcessPoolExecutor(8, mp_context=multiprocessing.get_context("fork")) as pool:
        found = set(pool.map(_secret_at, [tmp_path] * 8, [start] * 8))
    assert len(found) == 1
    assert [path.name for path in tmp_path.iterdir()] == ["secret_key"]  # no drafts left behind
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0
