"""Failed sign-ins on the ops and admin login forms pause further attempts per username and
per client address, say so on the page, end after the pause, and are in the audit log."""

import secrets
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from audit.models import AuditEntry

PASSWORD = "la-clave-correcta-2026"
SITES = {
    "ops": ("/accounts/login/", "/"),
    "admin": ("/admin/login/", "/admin/"),
}

pytestmark = pytest.mark.django_db


def random_address() -> str:
    # Counters live in Redis across test runs: each test signs in from its own addresses.
    return "10." + ".".join(str(secrets.randbelow(250) + 1) for _ in range(3))


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    # Dozens of password checks per test: the production hasher would take a minute here.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def user(django_user_model):
    return django_user_model.objects.create_user(
        username=f"ops-{secrets.token_hex(4)}", password=PASSWORD, is_staff=True
    )


def sign_in(client: Client, site: str, username: str, password: str, address: str):
    url, home = SITES[site]
    form = {"username": username, "password": password, "next": home}
    return client.post(url, form, REMOTE_ADDR=address)


def signed_in(response, site: str) -> bool:
    return response.status_code == 302 and response["Location"] == SITES[site][1]


@pytest.fixture
def clock(monkeypatch):
    """Moves the clock the throttle reads (Django's `timezone.now`) forward."""

    class Clock:
        offset = timedelta(0)

        def forward(self, **delta: float) -> None:
            self.offset += timedelta(**delta)

    moved = Clock()
    real_now = timezone.now

    def now():
        return real_now() + moved.offset

    monkeypatch.setattr(timezone, "now", now)
    return moved


@pytest.mark.parametrize("site", ["ops", "admin"])
def test_failures_pause_the_account_even_for_the_right_password_until_the_pause_ends(
    site, user, settings, clock
):
    client, address = Client(), random_address()
    limit = settings.SIGNIN_ACCOUNT_FAILURES
    for attempt in range(1, limit):
        response = sign_in(client, site, user.username, f"wrong-{attempt}", address)
        assert response.status_code == 200 and b"paused" not in response.content

    response = sign_in(client, site, user.username, "wrong-last", address)
    assert b"Sign-in is paused for 15 minutes" in response.content

    # The next attempt, with the right password, is refused and the page says for how long.
    response = sign_in(client, site, user.username, PASSWORD, address)
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
    assert (
        "Too many failed sign-ins. Sign-in is paused for 15 minutes; try again then."
        in response.content.decode()
    )
    clock.forward(minutes=10)
    response = sign_in(client, site, user.username, PASSWORD, address)
    assert "Sign-in is paused for 5 minutes" in response.content.decode()

    # After the pause, the right password signs in.
    clock.forward(minutes=5, seconds=1)
    response = sign_in(client, site, user.username, PASSWORD, address)
    assert signed_in(response, site)
    assert client.session["_auth_user_id"] == str(user.pk)

    entries = AuditEntry.objects.filter(target_type="user", target_id=str(user.pk))
    assert entries.filter(action="signin.fail").count() == limit
    assert entries.filter(action="signin.refuse").count() == 2
    pause = entries.get(action="signin.pause")
    assert pause.detail == {
        "address": address,
        "site": site,
        "scope": "account",
        "failures": limit,
        "minutes": 15,
    }
    refusal = entries.filter(action="signin.refuse").first()
    assert refusal.detail["scope"] == "account" and refusal.detail["address"] == address
    assert refusal.target_label == user.username and refusal.actor is None


def test_the_account_is_paused_from_every_new_address_not_just_the_one_that_failed(user, settings):
    for attempt in range(settings.SIGNIN_ACCOUNT_FAILURES):
        sign_in(Client(), "ops", user.username, f"wrong-{attempt}", random_address())
    response = sign_in(Client(), "admin", user.username, PASSWORD, random_address())
    assert b"Sign-in is paused" in response.content
    assert AuditEntry.objects.filter(action="signin.refuse", target_id=str(user.pk)).exists()


def test_failures_elsewhere_do_not_keep_the_user_out_where_they_signed_in_before(user, settings):
    home = random_address()
    assert signed_in(sign_in(Client(), "ops", user.username, PASSWORD, home), "ops")

    attacker = random_address()
    for attempt in range(settings.SIGNIN_ACCOUNT_FAILURES):
        sign_in(Client(), "ops", user.username, f"wrong-{attempt}", attacker)
    assert b"paused" in sign_in(Client(), "ops", user.username, PASSWORD, attacker).content
    # From the address the user signed in from, their own failures count apart: not paused.
    assert signed_in(sign_in(Client(), "ops", user.username, PASSWORD, home), "ops")


def test_failures_on_many_usernames_from_one_address_pause_that_address(
    user, settings, django_user_model
):
    settings.SIGNIN_ADDRESS_FAILURES = 6  # below the per-account limit
    address = random_address()
    for attempt in range(6):
        response = sign_in(Client(), "ops", f"nobody-{attempt}-{user.username}", "x", address)
    assert b"Sign-in is paused for 15 minutes" in response.content
    assert AuditEntry.objects.filter(action="signin.pause", detail__scope="address").exists()

    # Any username from that address is refused; the user elsewhere is not.
    assert b"paused" in sign_in(Client(), "admin", user.username, PASSWORD, address).content
    assert signed_in(sign_in(Client(), "ops", user.username, PASSWORD, random_address()), "ops")
    assert AuditEntry.objects.filter(
        action="signin.refuse", target_id=str(user.pk), detail__scope="address"
    ).exists()


def test_behind_a_trusted_proxy_the_address_is_the_one_the_proxy_saw(user, settings):
    settings.SIGNIN_TRUST_X_FORWARDED_FOR = True
    settings.SIGNIN_ADDRESS_FAILURES = 3
    client_address, proxy = random_address(), random_address()
    for attempt in range(3):
        # A client forging the first X-Forwarded-For entry still counts as itself.
        Client().post(
            "/accounts/login/",
            {"username": f"nobody-{attempt}", "password": "x"},
            REMOTE_ADDR=proxy,
            HTTP_X_FORWARDED_FOR=f"{random_address()}, {client_address}",
        )
    response = Client().post(
        "/accounts/login/",
        {"username": user.username, "password": PASSWORD},
        REMOTE_ADDR=proxy,
        HTTP_X_FORWARDED_FOR=client_address,
    )
    assert b"paused" in response.content
    # Another client behind the same proxy is not paused.
    response = Client().post(
        "/accounts/login/",
        {"username": user.username, "password": PASSWORD},
        REMOTE_ADDR=proxy,
        HTTP_X_FORWARDED_FOR=random_address(),
    )
    assert signed_in(response, "ops")
