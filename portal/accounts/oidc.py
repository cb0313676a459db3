"""e-ID sign-in over OpenID Connect, the client side (Authlib's Flask client): the authorization code flow with
PKCE (S256), `state` and `nonce`; discovery from OIDC_ISSUER; the ID token's signature (RS256/ES256/PS256 from the
provider's JWKS, never `none`) and its claims (iss, aud, exp, iat, nonce) checked; the personal number read from the
claim OIDC_PERSONAL_ID_CLAIM of the ID token, or of userinfo when the provider puts it there.

Authlib keeps state, nonce and the PKCE verifier in the signed session cookie and drops them when the answer comes
back, so an answer is used at most once: a replayed or forged callback finds no state and stops here.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

import requests
from authlib.integrations.flask_client import OAuth, OAuthError
from authlib.integrations.flask_client.apps import FlaskOAuth2App
from flask import current_app
from joserfc.errors import JoseError

from portal.core.personal_id import InvalidPersonalId, PersonalId, parse_personal_id

TIMEOUT = 10  # seconds for each call to the provider
SIGNING_ALGORITHMS = ["RS256", "ES256", "PS256"]  # what we accept, whatever the provider's metadata says
LEEWAY = 60  # seconds of clock difference allowed on exp and iat
NAME = "eid"


class Failure(StrEnum):
    """Why an e-ID sign-in stopped (the page says it in words; the sign-in log keeps the code)."""

    NOT_CONFIGURED = "not_configured"
    PROVIDER_DOWN = "provider_down"
    CANCELLED = "cancelled"
    STATE = "state"  # no sign-in was started here, or its answer was used already
    TOKEN = "id_token"  # noqa: S105 (a reason, not a secret). The ID token is missing, forged, wrongly signed, expired, or for someone else
    NO_PERSONAL_ID = "no_personal_id"  # not in the claim we were told to read
    BAD_PERSONAL_ID = "bad_personal_id"
    NO_ACCOUNT = "no_account"
    INACTIVE = "inactive"


OAUTH_ERRORS = {"access_denied": Failure.CANCELLED, "mismatching_state": Failure.STATE,
                "invalid_grant": Failure.STATE}  # invalid_grant: the code was used already, or is too old


class EidError(Exception):
    def __init__(self, failure: Failure) -> None:
        super().__init__(failure.value)
        self.failure = failure


@dataclass(frozen=True)
class Identity:
    """Who the provider says signed in."""

    personal_id: PersonalId
    name: str


def enabled() -> bool:
    return bool(current_app.config.get("OIDC_ISSUER"))


def _client() -> FlaskOAuth2App:
    """The provider's client for the current settings (made once per issuer and client id)."""
    config = current_app.config
    if not enabled():
        raise EidError(Failure.NOT_CONFIGURED)
    key = (config["OIDC_ISSUER"], config["OIDC_CLIENT_ID"])
    clients = current_app.extensions.setdefault("portal_oidc", {})
    if key not in clients:
        oauth = OAuth()
        oauth.init_app(current_app._get_current_object())  # type: ignore[attr-defined]
        clients[key] = oauth.register(
            NAME, client_id=config["OIDC_CLIENT_ID"], client_secret=config["OIDC_CLIENT_SECRET"],
            server_metadata_url=config["OIDC_ISSUER"].rstrip("/") + "/.well-known/openid-configuration",
            client_kwargs={"scope": config["OIDC_SCOPE"], "code_challenge_method": "S256",
                           "token_endpoint_auth_method": config["OIDC_CLIENT_AUTH"], "default_timeout": TIMEOUT})
    return clients[key]


def _metadata(client: FlaskOAuth2App) -> None:
    """Discovery, checked: the provider must name itself as the issuer we were configured with."""
    try:
        metadata = client.load_server_metadata()
    except (requests.RequestException, ValueError) as error:
        raise EidError(Failure.PROVIDER_DOWN) from error
    if str(metadata.get("issuer", "")).rstrip("/") != current_app.config["OIDC_ISSUER"].rstrip("/"):
        client.server_metadata.clear()
        raise EidError(Failure.PROVIDER_DOWN)
    metadata["id_token_signing_alg_values_supported"] = SIGNING_ALGORITHMS


def start(redirect_uri: str) -> str:
    """The provider's address to send the browser to (state, nonce and PKCE verifier kept in the session)."""
    client = _client()
    _metadata(client)
    try:
        return client.authorize_redirect(redirect_uri).headers["Location"]
    except (requests.RequestException, KeyError) as error:
        raise EidError(Failure.PROVIDER_DOWN) from error


def finish() -> Identity:
    """Check the provider's answer on the callback and return who signed in (or raise EidError)."""
    client = _client()
    _metadata(client)
    try:
        token = client.authorize_access_token(leeway=LEEWAY)
    except OAuthError as error:
        raise EidError(OAUTH_ERRORS.get(error.error or "", Failure.TOKEN)) from error
    except requests.RequestException as error:
        raise EidError(Failure.PROVIDER_DOWN) from error
    except (JoseError, ValueError, KeyError, TypeError) as error:
        raise EidError(Failure.TOKEN) from error
    claims = token.get("userinfo")
    if not claims or not claims.get("sub"):
        raise EidError(Failure.TOKEN)  # no ID token, or one without a subject
    return Identity(_personal_id(client, token, claims), str(claims.get("name") or "")[:200])


def _personal_id(client: FlaskOAuth2App, token: dict, claims: dict) -> PersonalId:
    """The number from the configured claim of the ID token, else of userinfo (for the same subject)."""
    claim = current_app.config["OIDC_PERSONAL_ID_CLAIM"]
    value = claims.get(claim)
    if value is None and client.load_server_metadata().get("userinfo_endpoint"):
        try:
            extra = client.userinfo(token=token)
        except (requests.RequestException, OAuthError, ValueError) as error:
            raise EidError(Failure.PROVIDER_DOWN) from error
        value = extra.get(claim) if extra.get("sub") == claims.get("sub") else None
    if not isinstance(value, str) or not value:
        raise EidError(Failure.NO_PERSONAL_ID)
    try:
        return parse_personal_id(value)
    except InvalidPersonalId as error:
        raise EidError(Failure.BAD_PERSONAL_ID) from error
