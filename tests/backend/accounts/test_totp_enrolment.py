"""The admin's QR code that enrols a staff member's TOTP app (django-otp draws it with qrcode)."""

import pytest

from backend.accounts.models import Role
from tests import factories
from tests.helpers import staff_login

pytestmark = pytest.mark.django_db


def test_a_superuser_gets_the_qr_code_of_a_staff_members_totp_device(client, commune):
    superuser, device = factories.staff(role=Role.ADMIN, commune=commune)
    superuser.is_superuser = True
    superuser.save(update_fields=["is_superuser"])
    staff_login(client, superuser, device)
    _moderator, enrolled = factories.staff(commune=commune)
    response = client.get(f"/admin/otp_totp/totpdevice/{enrolled.pk}/qrcode/")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/svg+xml"
    assert b"<svg" in response.content
