"""`manage.py agency_member_add` gives a user an agency and the agency role, and only that."""

import pytest
from django.core.management import call_command

from agencies.models import AgencyMembership
from tests.support.factories import user_make

pytestmark = pytest.mark.django_db


def test_member_gets_the_portal_and_nothing_else(role_groups):
    user = user_make("nueva")
    call_command("agency_member_add", "Alfa", "nueva")
    assert AgencyMembership.objects.get(user=user).agency.name == "Alfa"
    user = type(user).objects.get(pk=user.pk)  # fresh permission cache
    assert user.get_all_permissions() == {"agencies.use_portal"}
