"""A room's photo (issue 20): served publicly for a room in service, shown on its cards and
page; a room without one, or out of service, is a 404."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from spaces.models import Room

pytestmark = pytest.mark.django_db


def _png() -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 6), (10, 120, 140)).save(buffer, "PNG")
    return SimpleUploadedFile("atlas.png", buffer.getvalue(), content_type="image/png")


def test_a_rooms_photo_is_public_and_shown_on_its_cards(client, client_for, world, unscoped, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    room = Room.objects.get(pk=world["room_a"])
    room.photo = _png()
    room.save()
    url = f"/rooms/{room.pk}/photo/"
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "image/png"
    assert url in client.get("/sites/site-a/rooms/").content.decode()
    assert url in client_for("founder_a").get(f"/rooms/{room.pk}/").content.decode()
    Room.objects.filter(pk=room.pk).update(is_active=False)
    assert client.get(url).status_code == 404
