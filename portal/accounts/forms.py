"""Reading the sign-in form: what was typed, and a translated message per field that is wrong."""

from __future__ import annotations

from dataclasses import dataclass, field

from flask_babel import LazyString
from flask_babel import lazy_gettext as _l
from werkzeug.datastructures import MultiDict

from portal.accounts.services import MAX_PASSWORD_LENGTH
from portal.core.personal_id import (
    InvalidPersonalId,
    PersonalId,
    PersonalIdError,
    looks_like_email,
    parse_personal_id,
)
from portal.models import MAX_MESSAGE_LENGTH

MAX_IDENTIFIER_LENGTH = 254
PERSONAL_ID_MESSAGES = {
    PersonalIdError.FORMAT: _l("Write your personal identity number with 12 digits, like 19121212-1212."),
    PersonalIdError.DATE: _l("The first digits are not a real date of birth. Check your personal identity number."),
    PersonalIdError.CHECKSUM: _l("The last digit does not match. Check your personal identity number."),
}


@dataclass
class LoginForm:
    identifier: str = ""
    password: str = ""
    draft: str = ""
    errors: dict[str, LazyString] = field(default_factory=dict)
    parsed: PersonalId | str | None = None

    @classmethod
    def from_request(cls, data: MultiDict[str, str]) -> LoginForm:
        return cls(identifier=data.get("identifier", "")[:MAX_IDENTIFIER_LENGTH].strip(),
                   password=data.get("password", ""), draft=data.get("draft", "")[:MAX_MESSAGE_LENGTH])

    def validate(self) -> bool:
        """Check the format of what was typed; whether it is right is for the account check."""
        self.errors = {}
        self._check_identifier()
        if not self.password:
            self.errors["password"] = _l("Write your password.")
        elif len(self.password) > MAX_PASSWORD_LENGTH:
            self.errors["password"] = _l("The password is too long. It can have at most %(max)s characters.",
                                         max=MAX_PASSWORD_LENGTH)
        return not self.errors

    def _check_identifier(self) -> None:
        if not self.identifier:
            self.errors["identifier"] = _l("Write your personal identity number or your e-mail address.")
        elif looks_like_email(self.identifier):
            self.parsed = self.identifier.lower()
        else:
            try:
                self.parsed = parse_personal_id(self.identifier)
            except InvalidPersonalId as error:
                self.errors["identifier"] = PERSONAL_ID_MESSAGES[error.reason]
