"""The test identity provider's Flask app: discovery, JWKS, authorize, token and userinfo, kept in memory."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlencode, urlsplit

from flask import Flask, Response, abort, jsonify, redirect, render_template, request
from joserfc import jwt
from joserfc.jwk import RSAKey

DEFAULT_CLIENT_ID = "min-vardplan-dev"
DEFAULT_CLIENT_SECRET = "dev-secret-not-for-production"  # noqa: S105 (the test provider's own, printed by make run)
CLAIM_LAYOUTS = {
    "pin": "https://id.oidc.se/claim/personalIdentityNumber",  # the Swedish OIDC profile (id.oidc.se)
    "ssn": "ssn",
    "nin": "nin",
}
UNKNOWN_CLAIM = "urn:example:personnummer"  # the 'unknown claim layout' test case
CODE_LIFETIME = 60  # seconds
TOKEN_LIFETIME = 300
KEY_ID = "testidp-1"

# Made-up people (the demo's patients and relatives) and the Tax Agency's published test person.
PEOPLE = (
    ("196804129820", "Maria", "Ek"),
    ("195709239759", "Lars", "Nyström"),
    ("197301059684", "Amira", "Haddad"),
    ("195206119793", "Karl", "Öberg"),
    ("196602149814", "Per", "Ek"),
    ("198305189824", "Sara", "Lind"),
    ("191212121212", "Tolvan", "Tolvansson"),
)

# Broken answers for the tests of the portal's client (chosen on the authorize page, never on by default).
SCENARIOS = {
    "": "Vanlig inloggning / Normal sign-in",
    "expired": "ID-token som gått ut / Expired ID token",
    "wrong_key": "Signerad med fel nyckel / Signed with the wrong key",
    "tampered": "Ändrad efter signering / Changed after signing",
    "alg_none": "Osignerad (alg none) / Unsigned (alg none)",
    "wrong_nonce": "Fel nonce / Wrong nonce",
    "wrong_audience": "Fel mottagare (aud) / Wrong audience",
    "wrong_issuer": "Fel utfärdare (iss) / Wrong issuer",
    "unknown_claim": "Okänd claim för personnumret / Unknown claim layout",
    "no_id_token": "Inget ID-token i svaret / No ID token",
}
TEMPLATES = Path(__file__).resolve().parent / "templates"


@dataclass
class Grant:
    """What an authorization code stands for, until it is used once or expires."""

    client_id: str
    redirect_uri: str
    challenge: str
    nonce: str
    claims: dict[str, object]
    scenario: str
    expires: float


@dataclass
class State:
    issuer: str
    claim: str
    client_id: str
    client_secret: str
    key: RSAKey
    evil_key: RSAKey  # same key id, not in the JWKS: a signature that does not verify
    codes: dict[str, Grant] = field(default_factory=dict)
    tokens: dict[str, tuple[dict[str, object], float]] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)


def _rsa_key() -> RSAKey:
    return RSAKey.generate_key(2048, parameters={"kid": KEY_ID, "use": "sig", "alg": "RS256"}, private=True)


def _local_redirect(uri: str) -> bool:
    """Only back to a portal on this machine: the provider is for development and tests."""
    parts = urlsplit(uri)
    return parts.scheme == "http" and parts.hostname in ("127.0.0.1", "localhost") and not parts.fragment


def _s256(verifier: str) -> str:
    return base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()


def _b64(data: dict[str, object]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


def id_token(state: State, grant: Grant, now: float) -> str:
    """The signed ID token, broken in the way the chosen scenario asks for."""
    claims = {"iss": state.issuer, "aud": grant.client_id, "iat": int(now), "exp": int(now) + TOKEN_LIFETIME,
              "auth_time": int(now), "nonce": grant.nonce, **grant.claims}
    scenario = grant.scenario
    if scenario == "expired":
        claims.update(iat=int(now) - 7200, exp=int(now) - 3600, auth_time=int(now) - 7200)
    elif scenario == "wrong_nonce":
        claims["nonce"] = "not-the-nonce-you-sent"
    elif scenario == "wrong_audience":
        claims["aud"] = "some-other-service"
    elif scenario == "wrong_issuer":
        claims["iss"] = "https://evil.example"
    if scenario == "alg_none":
        return f"{_b64({'alg': 'none', 'kid': KEY_ID})}.{_b64(claims)}."
    key = state.evil_key if scenario == "wrong_key" else state.key
    token = jwt.encode({"alg": "RS256", "kid": KEY_ID}, claims, key)
    if scenario == "tampered":
        header, _payload, signature = token.split(".")
        return f"{header}.{_b64({**claims, 'sub': 'someone-else'})}.{signature}"
    return token


def _person_claims(state: State, number: str, given: str, family: str, layout: str) -> dict[str, object]:
    """The person's claims with the personal number where the layout puts it."""
    claim = UNKNOWN_CLAIM if layout == "unknown" else CLAIM_LAYOUTS.get(layout, CLAIM_LAYOUTS[state.claim])
    sub = hmac.new(state.client_secret.encode(), number.encode(), hashlib.sha256).hexdigest()[:32]
    return {"sub": sub, claim: number, "given_name": given, "family_name": family, "name": f"{given} {family}"}


def _client_authenticated(state: State) -> str | None:
    """The client id, if client_secret_basic or client_secret_post authenticates it."""
    header = request.headers.get("Authorization", "")
    if header.startswith("Basic "):
        try:
            client_id, _, secret = base64.b64decode(header[6:]).decode().partition(":")
        except ValueError:
            return None
        client_id, secret = unquote(client_id), unquote(secret)
    else:
        client_id, secret = request.form.get("client_id", ""), request.form.get("client_secret", "")
    ok = hmac.compare_digest(client_id, state.client_id) and hmac.compare_digest(secret, state.client_secret)
    return client_id if ok else None


def _error(error: str, status: int = 400) -> tuple[Response, int]:
    return jsonify(error=error), status


def create_app(issuer: str, claim: str = "pin", client_id: str = DEFAULT_CLIENT_ID,
               client_secret: str = DEFAULT_CLIENT_SECRET) -> Flask:
    """The provider for one issuer address; its keys are made at start and live as long as the process."""
    app = Flask(__name__, template_folder=str(TEMPLATES))
    state = State(issuer.rstrip("/"), claim, client_id, client_secret, _rsa_key(), _rsa_key())
    app.extensions["testidp"] = state

    @app.get("/.well-known/openid-configuration")
    def discovery() -> Response:
        return jsonify({
            "issuer": state.issuer,
            "authorization_endpoint": f"{state.issuer}/authorize",
            "token_endpoint": f"{state.issuer}/token",
            "userinfo_endpoint": f"{state.issuer}/userinfo",
            "jwks_uri": f"{state.issuer}/jwks",
            "response_types_supported": ["code"],
            "grant_types_supported": ["authorization_code"],
            "subject_types_supported": ["pairwise"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
            "code_challenge_methods_supported": ["S256"],
            "scopes_supported": ["openid", "profile", "https://id.oidc.se/scope/naturalPersonNumber"],
            "claims_supported": ["sub", "name", "given_name", "family_name", *CLAIM_LAYOUTS.values()],
        })

    @app.get("/jwks")
    def jwks() -> Response:
        return jsonify({"keys": [state.key.as_dict(private=False)]})

    def _checked_request(values: dict[str, str]) -> dict[str, str]:
        """The authorization request's values, or a 400 page when they are not acceptable."""
        if values.get("client_id") != state.client_id:
            abort(400, "unknown client_id")
        if not _local_redirect(values.get("redirect_uri", "")):
            abort(400, "redirect_uri must be http://127.0.0.1:… or http://localhost:…")
        if values.get("response_type") != "code" or "openid" not in values.get("scope", "").split():
            abort(400, "response_type=code and scope=openid are required")
        if values.get("code_challenge_method") != "S256" or len(values.get("code_challenge", "")) < 43:
            abort(400, "PKCE with code_challenge_method=S256 is required")
        return {name: values.get(name, "") for name in
                ("client_id", "redirect_uri", "response_type", "scope", "state", "nonce", "code_challenge",
                 "code_challenge_method")}

    @app.get("/authorize")
    def authorize() -> str:
        params = _checked_request(request.args.to_dict())
        return render_template("authorize.html", params=params, people=PEOPLE, layouts=CLAIM_LAYOUTS,
                               default_layout=state.claim, scenarios=SCENARIOS, issuer=state.issuer)

    @app.post("/authorize")
    def authorize_submit() -> Response:
        params = _checked_request(request.form.to_dict())
        back = params["redirect_uri"] + ("&" if "?" in params["redirect_uri"] else "?")
        if request.form.get("cancel"):
            return redirect(back + urlencode({"error": "access_denied", "state": params["state"]}), code=303)
        number = "".join(ch for ch in request.form.get("person") or request.form.get("number", "") if ch.isalnum())
        if not number:
            abort(400, "choose a person or type a personal number")
        known = {pid: (given, family) for pid, given, family in PEOPLE}
        given, family = known.get(number, ("Test", "Testsson"))
        claims = _person_claims(state, number, given, family, request.form.get("layout", state.claim))
        code = secrets.token_urlsafe(24)
        with state.lock:
            state.codes[code] = Grant(params["client_id"], params["redirect_uri"], params["code_challenge"],
                                      params["nonce"], claims, request.form.get("scenario", ""),
                                      time.time() + CODE_LIFETIME)
        return redirect(back + urlencode({"code": code, "state": params["state"]}), code=303)

    @app.post("/token")
    def token() -> Response | tuple[Response, int]:
        client = _client_authenticated(state)
        if client is None:
            return _error("invalid_client", 401)
        if request.form.get("grant_type") != "authorization_code":
            return _error("unsupported_grant_type")
        with state.lock:
            grant = state.codes.pop(request.form.get("code", ""), None)  # single use
        verifier = request.form.get("code_verifier", "")
        if (grant is None or grant.expires < time.time() or grant.client_id != client
                or grant.redirect_uri != request.form.get("redirect_uri")
                or not hmac.compare_digest(_s256(verifier), grant.challenge)):
            return _error("invalid_grant")
        now = time.time()
        access = secrets.token_urlsafe(24)
        with state.lock:
            state.tokens[access] = (grant.claims, now + TOKEN_LIFETIME)
        answer: dict[str, object] = {"access_token": access, "token_type": "Bearer", "expires_in": TOKEN_LIFETIME}
        if grant.scenario != "no_id_token":
            answer["id_token"] = id_token(state, grant, now)
        response = jsonify(answer)
        response.headers["Cache-Control"] = "no-store"
        return response

    @app.get("/userinfo")
    def userinfo() -> Response | tuple[Response, int]:
        header = request.headers.get("Authorization", "")
        found = state.tokens.get(header[7:]) if header.startswith("Bearer ") else None
        if found is None or found[1] < time.time():
            return _error("invalid_token", 401)
        return jsonify(found[0])

    return app
