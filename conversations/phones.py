"""The creator a WhatsApp number belongs to.

Twilio names the sender as `From=whatsapp:+5215512345678` and `WaId=5215512345678`. Creators'
phones are stored in E.164 as the importer normalises them (creators/cells.py), and for Mexico
that is `+52` and ten digits: WhatsApp still writes Mexican mobiles with the old mobile `1`
after the country code, so `+521…` and `+52…` are the same number here.
"""

from __future__ import annotations

import re

from creators.cells import phone_read

_DIGITS = re.compile(r"\D+")


def whatsapp_address_phone(*, wa_id: str, address: str) -> str:
    """The E.164 number behind a WhatsApp sender (`WaId`, else `From`), canonical for Mexico
    (`+52` and ten digits), or "" when neither names a number."""
    raw = wa_id or address.removeprefix("whatsapp:")
    digits = _DIGITS.sub("", raw)
    if not digits:
        return ""
    if digits.startswith("521") and len(digits) == 13:
        digits = "52" + digits[3:]
    normalised = phone_read("+" + digits)
    return normalised or "+" + digits[:15]


def phone_candidates(phone: str) -> list[str]:
    """The forms a creator's stored phone may take for `phone` (`+52…` and `+521…`)."""
    candidates = [phone]
    if phone.startswith("+52") and len(phone) == 13:
        candidates.append("+521" + phone[3:])
    elif phone.startswith("+521") and len(phone) == 14:
        candidates.append("+52" + phone[4:])
    return candidates
