"""The importer's fast paths accept only what phonenumbers and Django's validator accept."""

import random

import phonenumbers
import pytest
from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from creators.cells import _EMAIL_FAST_RE, _mx_phone_fast_re, _phone_normalise


def _slow_normalise(value):
    try:
        number = phonenumbers.parse(value, "MX")
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def test_phone_fast_path_agrees_with_phonenumbers():
    rng = random.Random(7)
    samples = [
        "+52" + "".join(rng.choices("0123456789", k=rng.choice((9, 10, 11)))) for _ in range(20_000)
    ]
    fast = _mx_phone_fast_re()
    accepted = 0
    for value in samples:
        if fast.match(value):
            accepted += 1
            assert _slow_normalise(value) == value, value
    assert accepted > 2_000  # the fast path really is used


@pytest.mark.parametrize(
    "value,expected",
    [
        ("+525512345678", "+525512345678"),
        ("55 1234 5678", "+525512345678"),
        ("(33) 1234-5678", "+523312345678"),
        ("+1 415 555 2671", "+14155552671"),
        ("+52 123", None),
        ("hola", None),
    ],
)
def test_phone_is_normalised_to_e164(value, expected):
    assert _phone_normalise(value) == expected


def test_email_fast_path_is_a_subset_of_djangos_validator():
    rng = random.Random(3)
    alphabet = "abcXYZ019._%+-@"
    checked = 0
    for _ in range(20_000):
        value = "".join(rng.choices(alphabet, k=rng.randint(3, 20))) + rng.choice(
            (".mx", ".com", ".c", "")
        )
        if _EMAIL_FAST_RE.fullmatch(value):
            checked += 1
            try:
                validate_email(value)
            except ValidationError:
                pytest.fail(f"fast path accepted {value!r}, Django refuses it")
    assert checked > 100


def test_written_mexican_forms_map_to_the_number_phonenumbers_accepts():
    """Spaced, dashed and `+521`/`044` forms are read as `+52` and the ten digits, and only
    when phonenumbers calls that number valid (the `1` itself it would refuse)."""
    rng = random.Random(11)
    accepted = 0
    for _ in range(5_000):
        # Mexican national numbers never start with 0 ("00" dials abroad).
        ten = rng.choice("123456789") + "".join(rng.choices("0123456789", k=9))
        spaced = f"{ten[:2]} {ten[2:6]} {ten[6:]}"
        expected = _slow_normalise("+52" + ten)
        for written in (
            f"+52 {spaced}",
            f"+521{ten}",
            f"521 {spaced}",
            f"({ten[:2]}) {ten[2:6]}-{ten[6:]}",
            f"044 {spaced}",
        ):
            assert _phone_normalise(written) == expected, written
        accepted += expected is not None
    assert accepted > 500
