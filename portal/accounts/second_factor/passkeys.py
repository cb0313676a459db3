"""Passkeys (WebAuthn) with the `webauthn` package, no Flask: the options a browser needs for each ceremony, and the
checks of what it answers. The challenge is made here and kept by the caller (in the session) until the answer."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, select
from webauthn import (
    generate_authentication_options,
    generate_registration_options,
    options_to_json,
    verify_authentication_response,
    verify_registration_response,
)
from webauthn.helpers import base64url_to_bytes, bytes_to_base64url
from webauthn.helpers.exceptions import InvalidAuthenticationResponse, InvalidRegistrationResponse
from webauthn.helpers.structs import (
    AuthenticatorSelectionCriteria,
    PublicKeyCredentialDescriptor,
    ResidentKeyRequirement,
    UserVerificationRequirement,
)

from portal.accounts.second_factor.services import ISSUER
from portal.models import Passkey, User

MAX_ANSWER_LENGTH = 20_000  # what a browser sends back is a few kilobytes at most


@dataclass(frozen=True)
class RelyingParty:
    """Who the passkeys are for: the site's domain (127.0.0.1 is not allowed by browsers; use localhost) and origin."""

    id: str
    origin: str


def _descriptors(session: Session, user: User) -> list[PublicKeyCredentialDescriptor]:
    rows = session.exec(select(Passkey.credential_id).where(Passkey.user_id == user.id)).all()
    return [PublicKeyCredentialDescriptor(id=base64url_to_bytes(credential)) for credential in rows]


def registration_options(session: Session, user: User, rp: RelyingParty) -> tuple[str, str]:
    """The options for navigator.credentials.create (JSON) and the challenge to keep (base64url)."""
    options = generate_registration_options(
        rp_id=rp.id, rp_name=ISSUER, user_name=user.email or user.personal_id or str(user.id),
        user_id=str(user.id).encode(), user_display_name=user.name, exclude_credentials=_descriptors(session, user),
        authenticator_selection=AuthenticatorSelectionCriteria(
            resident_key=ResidentKeyRequirement.PREFERRED, user_verification=UserVerificationRequirement.PREFERRED))
    return options_to_json(options), bytes_to_base64url(options.challenge)


def register(session: Session, user: User, rp: RelyingParty, answer: str, challenge: str, now: datetime) -> bool:
    """Keep the new passkey if the browser's answer is right for this challenge and site."""
    try:
        verified = verify_registration_response(
            credential=json.loads(answer[:MAX_ANSWER_LENGTH]), expected_challenge=base64url_to_bytes(challenge),
            expected_rp_id=rp.id, expected_origin=rp.origin)
    except (InvalidRegistrationResponse, ValueError, TypeError, KeyError):
        return False
    credential_id = bytes_to_base64url(verified.credential_id)
    if session.exec(select(Passkey).where(Passkey.credential_id == credential_id)).first() is not None:
        return False
    session.add(Passkey(user_id=user.id, credential_id=credential_id, public_key=verified.credential_public_key,
                        sign_count=verified.sign_count, created_at=now))
    return True


def authentication_options(session: Session, user: User, rp: RelyingParty) -> tuple[str, str]:
    """The options for navigator.credentials.get (this account's passkeys only) and the challenge to keep."""
    options = generate_authentication_options(rp_id=rp.id, allow_credentials=_descriptors(session, user),
                                              user_verification=UserVerificationRequirement.PREFERRED)
    return options_to_json(options), bytes_to_base64url(options.challenge)


def _credential_id(answer: dict[str, object]) -> str:
    raw = answer.get("rawId") or answer.get("id")
    return raw if isinstance(raw, str) else ""


def authenticate(session: Session, user: User, rp: RelyingParty, answer: str, challenge: str, now: datetime) -> bool:
    """True if one of this account's passkeys signed this challenge for this site (its counter moves on)."""
    try:
        parsed = json.loads(answer[:MAX_ANSWER_LENGTH])
        passkey = session.exec(select(Passkey).where(
            Passkey.user_id == user.id, Passkey.credential_id == _credential_id(parsed))).first()
        if passkey is None:
            return False
        verified = verify_authentication_response(
            credential=parsed, expected_challenge=base64url_to_bytes(challenge), expected_rp_id=rp.id,
            expected_origin=rp.origin, credential_public_key=passkey.public_key,
            credential_current_sign_count=passkey.sign_count)
    except (InvalidAuthenticationResponse, ValueError, TypeError, KeyError, AttributeError):
        return False
    passkey.sign_count, passkey.last_used_at = verified.new_sign_count, now
    session.add(passkey)
    return True
