"""The Team page: admins only; invite shows the link once; bad input is a 400 or a 404,
never a 500; the invitation page signs the person in."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from accounts.roles import user_role
from tests.support.factories import agency_make, agency_user_make, client_for, user_make

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "una-clave-larga-2026"


@pytest.fixture
def admin_client():
    return client_for(user_make("jefa", role="admin"))


@pytest.mark.parametrize("role", ["manager", "editor", "analyst", "agency"])
def test_other_roles_are_refused_every_team_route(role):
    client = client_for(user_make(f"x-{role}", role=role))
    target = user_make("pepa", role="analyst")
    assert client.get(reverse("team")).status_code == 403
    for name in ("team-role", "team-deactivate", "team-invite-again"):
        assert client.post(reverse(name, args=[target.pk]), {"role": "admin"}).status_code == 403
    response = client.post(reverse("team-invite"), {"email": "a@b.mx", "role": "admin"})
    assert response.status_code == 403
    assert not User.objects.filter(email="a@b.mx").exists()
    target.refresh_from_db()
    assert user_role(target) == "analyst" and target.is_active


def test_signed_out_visitors_are_sent_to_sign_in():
    response = Client().get(reverse("team"))
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_team_lists_people_with_role_and_status_but_not_agency_people(admin_client):
    user_make("pepa", role="editor")
    agency_user_make(agency_make("Alfa"), "alfa-writer")
    page = admin_client.get(reverse("team")).content.decode()
    assert "pepa" in page and "Editor" in page and "Active" in page
    assert "alfa-writer" not in page
    assert 'name="user_id"' not in page and 'name="user"' not in page  # no raw id boxes


def test_inviting_shows_the_link_once(admin_client):
    response = admin_client.post(
        reverse("team-invite"), {"email": "nueva@ejemplo.mx", "role": "manager"}
    )
    assert response.status_code == 302
    page = admin_client.get(reverse("team")).content.decode()
    assert 'id="invitation-url"' in page and "http://testserver/invitation/" in page
    assert "Invited" in page
    assert 'id="invitation-url"' not in admin_client.get(reverse("team")).content.decode()


@pytest.mark.parametrize(
    "data",
    [{}, {"email": "no-es-correo", "role": "editor"}, {"email": "a@b.mx", "role": "agency"}],
)
def test_a_bad_invitation_form_is_a_400_with_errors(admin_client, data):
    response = admin_client.post(reverse("team-invite"), data)
    assert response.status_code == 400
    assert 'class="errorlist' in response.content.decode()


def test_inviting_an_active_address_is_a_400_that_says_why(admin_client):
    user_make("pepa", email="pepa@ejemplo.mx", role="editor")
    response = admin_client.post(
        reverse("team-invite"), {"email": "pepa@ejemplo.mx", "role": "analyst"}
    )
    assert response.status_code == 400
    assert "already has an active account" in response.content.decode()


def test_bad_ids_are_404_and_agency_people_are_not_reached_from_here(admin_client):
    member = agency_user_make(agency_make("Alfa"), "alfa-writer")
    for name in ("team-role", "team-deactivate", "team-invite-again"):
        for pk in (999999, member.pk):
            response = admin_client.post(reverse(name, args=[pk]), {"role": "admin"})
            assert response.status_code == 404, (name, pk)
    member.refresh_from_db()
    assert member.is_active and user_role(member) == "agency"
    assert admin_client.get("/team/abc/role/").status_code == 404


def test_role_change_and_refusals_answer_in_words(admin_client):
    pepa = user_make("pepa", role="analyst")
    ok = admin_client.post(reverse("team-role", args=[pepa.pk]), {"role": "editor"})
    assert ok.status_code == 302 and user_role(pepa) == "editor"
    bad = admin_client.post(reverse("team-role", args=[pepa.pk]), {"role": "jefe"})
    assert bad.status_code == 400 and user_role(pepa) == "editor"
    me = admin_client.user
    mine = admin_client.post(reverse("team-deactivate", args=[me.pk]))
    assert mine.status_code == 400 and "your own" in mine.content.decode()


def test_the_invitation_page_sets_the_password_and_signs_in(admin_client):
    admin_client.post(reverse("team-invite"), {"email": "nueva@ejemplo.mx", "role": "editor"})
    page = admin_client.get(reverse("team")).content.decode()
    start = page.index("http://testserver/invitation/")
    path = page[start + len("http://testserver") : page.index('"', start)]
    visitor = Client()
    assert "nueva@ejemplo.mx" in visitor.get(path).content.decode()
    mismatch = visitor.post(path, {"new_password1": NEW_PASSWORD, "new_password2": "otra"})
    assert mismatch.status_code == 400
    done = visitor.post(path, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert done.status_code == 302 and done["Location"] == reverse("home")
    assert visitor.get(reverse("segment-list")).status_code == 200  # signed in, as an editor
    assert visitor.get(path).status_code == 404  # used up
    assert Client().get("/invitation/not-a-token/").status_code == 404
