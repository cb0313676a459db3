"""OAuth 2.0 for other systems, with Authlib: the portal is its own authorization server (client credentials at
/oauth/token) and the FHIR API is its resource server (bearer tokens, a scope per endpoint). Clients and tokens are
the rows of portal.fhir.services.clients, seen through Authlib's mixins."""

from __future__ import annotations

from datetime import UTC, datetime

from authlib.integrations.flask_oauth2 import AuthorizationServer, ResourceProtector
from authlib.oauth2.rfc6749 import ClientMixin, TokenMixin
from authlib.oauth2.rfc6749.grants import ClientCredentialsGrant
from authlib.oauth2.rfc6750 import BearerTokenValidator
from flask import Flask, current_app, g

from portal.core.clock import as_utc, utcnow
from portal.db import get_session
from portal.fhir.services import clients
from portal.models import ApiClient, ApiToken


class Client(ClientMixin):
    """A system that may ask for a token with its id and secret, for the scopes it was given."""

    def __init__(self, row: ApiClient) -> None:
        self.row = row

    def get_client_id(self) -> str:
        return self.row.client_id

    def get_default_redirect_uri(self) -> None:
        return None

    def get_allowed_scope(self, scope: str | None) -> str:
        given = self.row.scopes.split()
        return " ".join(s for s in (scope.split() if scope else given) if s in given)

    def check_redirect_uri(self, redirect_uri: str) -> bool:
        return False

    def check_client_secret(self, client_secret: str) -> bool:
        return clients.secret_matches(self.row, client_secret)

    def check_endpoint_auth_method(self, method: str, endpoint: str) -> bool:
        return endpoint == "token" and method in ("client_secret_basic", "client_secret_post")

    def check_response_type(self, response_type: str) -> bool:
        return False

    def check_grant_type(self, grant_type: str) -> bool:
        return grant_type == ClientCredentialsGrant.GRANT_TYPE


class Token(TokenMixin):
    def __init__(self, row: ApiToken, client: ApiClient) -> None:
        self.row, self.client = row, client

    def check_client(self, client: Client) -> bool:
        return client.row.id == self.client.id

    def get_scope(self) -> str:
        return self.row.scopes

    def get_expires_in(self) -> int:
        return int((self.row.expires_at - self.row.issued_at).total_seconds())

    def is_expired(self) -> bool:
        expires = self.row.expires_at
        return as_utc(expires) <= utcnow()

    def is_revoked(self) -> bool:
        return self.row.revoked_at is not None


def _query_client(client_id: str) -> Client | None:
    row = clients.find_client(get_session(), client_id)
    return Client(row) if row else None


def _save_token(token: dict[str, object], request: object) -> None:
    """Only the token's hash is kept (added to the request's unit of work, committed with it)."""
    client: Client = request.client  # type: ignore[attr-defined]
    clients.save_token(get_session(), client.row, str(token["access_token"]), str(token.get("scope", "")),
                       datetime.now(UTC), int(str(token["expires_in"])))


class CredentialsGrant(ClientCredentialsGrant):
    """Client credentials, with the secret in HTTP Basic or in the form."""

    TOKEN_ENDPOINT_AUTH_METHODS = ["client_secret_basic", "client_secret_post"]


class Validator(BearerTokenValidator):
    def authenticate_token(self, token_string: str) -> Token | None:
        """The token, remembered for the request so that a refusal for scope is logged as the system."""
        found = clients.find_token(get_session(), token_string)
        g.api_client = found[1] if found else None
        return Token(*found) if found else None


require_token = ResourceProtector()
require_token.register_token_validator(Validator())


def token_server() -> AuthorizationServer:
    return current_app.extensions["fhir_oauth"]


def init_app(app: Flask) -> None:
    app.config.setdefault("OAUTH2_TOKEN_EXPIRES_IN", {"client_credentials":
                                                      int(clients.TOKEN_LIFETIME.total_seconds())})
    app.config.setdefault("OAUTH2_SCOPES_SUPPORTED", list(clients.SCOPES))
    server = AuthorizationServer(query_client=_query_client, save_token=_save_token)
    server.init_app(app)
    server.register_grant(CredentialsGrant)
    app.extensions["fhir_oauth"] = server
