import pytest

from portal.session import CREATOR_KEY
from tests.clients import CreatorClient
from tracking.tokens import portal_token_make


@pytest.fixture
def portal_client():
    """`portal_client(creator)`: a test client signed in to the portal through a real magic
    link of a delivery to that creator."""
    from tests.portal.factories import delivery_make

    def make(creator) -> CreatorClient:
        client = CreatorClient()
        delivery = delivery_make(creator)
        response = client.get(f"/p/{portal_token_make(delivery_id=delivery.pk)}/")
        assert response.status_code == 302, response.content
        assert client.session[CREATOR_KEY] == creator.pk
        client.creator = creator
        return client

    return make
