"""The WhatsApp adapter encodes Twilio's form itself: it must match urllib byte for byte."""

from __future__ import annotations

import random
from urllib.parse import parse_qs, urlencode

from channels.whatsapp import form_encode


def test_form_encode_matches_urlencode_on_what_messages_carry():
    data = {
        "To": "whatsapp:+5215512345678",
        "From": "whatsapp:+14155238886",
        "Body": "¡Hola María José! Tu nivel es 3 🎉 → https://shop.example/m?a=1&b=dos#x",
        "StatusCallback": "https://altavoz.example/hooks/twilio/status?d=123",
        "ContentVariables": '{"1": "Ñandú", "2": "50% + envío"}',
        "MediaUrl": ["https://cdn.example/a b.png", "https://cdn.example/ü.jpg"],
    }
    assert form_encode(data) == urlencode(data, doseq=True)


def test_form_encode_matches_urlencode_on_random_text():
    rng = random.Random(20261125)
    alphabet = (
        [chr(c) for c in range(0x20, 0x7F)] + list("áéíóúñÑü¿¡€…—“”") + ["🎉", "👩🏽‍💻", "\n", "\t"]
    )
    for _ in range(500):
        value = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 80)))
        data = {"Body": value, "K ey&=": value[::-1]}
        encoded = form_encode(data)
        assert encoded == urlencode(data, doseq=True)
        assert parse_qs(encoded, keep_blank_values=True) == {
            key: [item] for key, item in data.items()
        }
