"""A local OpenID Connect identity provider for development and tests — never for production.

It stands in for a region's e-ID broker (BankID, Freja eID behind an OIDC front): discovery, JWKS, authorize (a page
where the tester picks a demo person or types a personal number; PKCE S256 required), token (client_secret_basic or
client_secret_post; each code works once), userinfo, and RS256-signed ID tokens. The personal number travels in the
claim layout the tester chooses: the Swedish OIDC profile's `https://id.oidc.se/claim/personalIdentityNumber`, `ssn`
or `nin`. For the tests, the authorize page also offers broken answers (an expired, forged or wrongly signed ID
token, a wrong nonce, audience or issuer, an unknown claim layout), so the portal's client is tested as it is.

Run it with `python -m testidp` (see `--help`); it refuses to start when PORTAL_ENV=production.
"""

from __future__ import annotations

from testidp.app import create_app

__all__ = ["create_app"]
