from creators.models import Creator, Device


def test_device_registration_needs_a_token(client, db):
    Creator.objects.create(handle="ana", name="Ana")
    response = client.post(
        "/api/creators/ana/devices",
        {"token": "t1", "platform": "android"},
        content_type="application/json",
    )
    assert response.status_code == 401
    assert not Device.objects.exists()


def test_device_registration_attaches_token(api_client):
    Creator.objects.create(handle="ana", name="Ana")
    response = api_client.post(
        "/api/creators/ana/devices",
        {"token": "t1", "platform": "ios"},
        content_type="application/json",
    )
    assert response.status_code == 201
    device = Device.objects.get()
    assert (device.creator.handle, device.platform) == ("ana", "ios")


def test_creator_detail_shows_consent_per_channel(api_client):
    Creator.objects.create(handle="ana", name="Ana", consent_whatsapp="granted", tags=["vip"])
    body = api_client.get("/api/creators/ana").json()
    assert body["consent"] == {
        "email": "unknown",
        "whatsapp": "granted",
        "push": "unknown",
        "inbox": "granted",
    }
    assert body["tags"] == ["vip"]
