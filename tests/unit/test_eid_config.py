"""e-ID settings: on in development (the test provider), off unless set elsewhere; production refuses an issuer
without https or without its client id and secret."""

from __future__ import annotations

from pathlib import Path

import pytest

from portal.config import ConfigError, load_config

PRODUCTION = {"PORTAL_ENV": "production", "SECRET_KEY": "k" * 64}


def test_eid_config_development_points_at_the_test_provider(tmp_path: Path) -> None:
    config = load_config(tmp_path, {"PORTAL_ENV": "development"})
    assert config["OIDC_ISSUER"] == "http://127.0.0.1:5001"
    assert config["OIDC_PERSONAL_ID_CLAIM"] == "https://id.oidc.se/claim/personalIdentityNumber"


@pytest.mark.parametrize("portal_env", ["test", "production"])
def test_eid_config_off_unless_an_issuer_is_set(tmp_path: Path, portal_env: str) -> None:
    environ = PRODUCTION if portal_env == "production" else {"PORTAL_ENV": portal_env}
    assert load_config(tmp_path, environ)["OIDC_ISSUER"] == ""


def test_eid_config_production_with_a_broker(tmp_path: Path) -> None:
    config = load_config(tmp_path, {**PRODUCTION, "OIDC_ISSUER": "https://broker.example/oidc/",
                                    "OIDC_CLIENT_ID": "vardplan", "OIDC_CLIENT_SECRET": "s3cret",
                                    "OIDC_PERSONAL_ID_CLAIM": "ssn", "OIDC_CLIENT_AUTH": "client_secret_post"})
    assert (config["OIDC_ISSUER"], config["OIDC_PERSONAL_ID_CLAIM"]) == ("https://broker.example/oidc", "ssn")
    assert config["OIDC_CLIENT_AUTH"] == "client_secret_post"


@pytest.mark.parametrize(("environ", "message"), [
    ({"OIDC_ISSUER": "http://broker.example"}, "https"),
    ({"OIDC_ISSUER": "https://broker.example"}, "OIDC_CLIENT_ID"),
    ({"OIDC_ISSUER": "https://broker.example", "OIDC_CLIENT_ID": "vardplan"}, "OIDC_CLIENT_SECRET"),
    ({"OIDC_CLIENT_AUTH": "private_key_jwt"}, "OIDC_CLIENT_AUTH"),
])
def test_eid_config_production_refuses_to_start_half_configured(tmp_path: Path, environ: dict[str, str],
                                                                 message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        load_config(tmp_path, {**PRODUCTION, **environ})
