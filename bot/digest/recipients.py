"""Who an email digest goes to: the strictly parsed address of an `email:ADDRESS` channel."""

from __future__ import annotations

from email_validator import EmailNotValidError, validate_email

from bot.errors import InvalidInput

MAX_ADDRESS = 64  # the channel's external id and a reaction's user id are 64 characters


def parse_address(text: str) -> str:
    """A plain `local@domain` address, normalised (domain lower-cased), or InvalidInput.

    Refused: display names, quoted local parts, IP-literal domains, control characters and
    whitespace (header injection), non-ASCII local parts, and addresses over 64 characters.
    Deliverability (DNS) is not checked: tests and intranets have no MX records.
    """
    if not text or any(ch.isspace() or ord(ch) < 32 or ord(ch) == 127 for ch in text):
        raise InvalidInput(f"bad email address {text!r}: no spaces or control characters")
    if len(text) > MAX_ADDRESS:
        raise InvalidInput(f"bad email address: at most {MAX_ADDRESS} characters")
    try:
        checked = validate_email(
            text,
            check_deliverability=False,
            allow_smtputf8=False,
            allow_quoted_local=False,
            allow_domain_literal=False,
            allow_display_name=False,
        )
    except EmailNotValidError as exc:
        raise InvalidInput(f"bad email address {text!r}: {exc}") from None
    address = f"{checked.local_part}@{checked.ascii_domain.lower()}"
    if len(address) > MAX_ADDRESS:
        raise InvalidInput(f"bad email address: at most {MAX_ADDRESS} characters")
    return address
