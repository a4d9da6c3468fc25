"""The shopkeepers' web form, through Django's test client (no JavaScript involved anywhere)."""

import io
from datetime import timedelta
from html.parser import HTMLParser

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone
from PIL import Image

from alerts.models import Observation
from backend.accounts.models import Role
from backend.messaging.worker import drain
from commerces.models import ShopApplication, Shopkeeper
from tests import factories as kernel_factories
from tests.helpers import sms_code

pytestmark = pytest.mark.django_db


def _code(sms_outbox) -> str:
    return sms_code()  # after the worker's drain: codes leave through the outbox


def _an_hour_ago() -> str:
    return (timezone.localtime() - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M")


def png_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 30, 30)).save(buffer, format="PNG")
    return buffer.getvalue()


def _login(client: Client, sms_outbox, phone: str = "06 12 00 00 31") -> None:
    response = client.post("/commerces/connexion/", {"phone": phone})
    assert response.status_code == 302
    response = client.post(response["Location"], {"code": _code(sms_outbox)})
    assert response.status_code == 302, response.content.decode()


class _Labels(HTMLParser):
    """Collects <label for> targets and inputs' ids / aria attributes."""

    def __init__(self) -> None:
        super().__init__()
        self.label_for: set[str] = set()
        self.inputs: dict[str, dict[str, str | None]] = {}

    def handle_starttag(self, tag, attrs):
        values = dict(attrs)
        if tag == "label" and values.get("for"):
            self.label_for.add(values["for"])
        if tag in ("input", "select", "textarea") and values.get("type") not in ("hidden", "submit"):
            self.inputs[values.get("id") or values.get("name") or "?"] = values


def _parsed(response) -> _Labels:
    parser = _Labels()
    parser.feed(response.content.decode())
    return parser


def test_pages_need_a_shopkeeper_session(client):
    response = client.get("/commerces/signaler/")
    assert response.status_code == 302
    assert response["Location"].startswith("/commerces/connexion/?next=")


def test_login_with_code_and_report_with_a_photo(client, shopkeeper, sms_outbox):
    _login(client, sms_outbox)
    page = client.get("/commerces/signaler/")
    assert page.status_code == 200
    parsed = _parsed(page)
    assert set(parsed.inputs) <= parsed.label_for  # every input has its label
    assert 'name="csrfmiddlewaretoken"' in page.content.decode()

    response = client.post(
        "/commerces/signaler/",
        {
            "category": "escroquerie",
            "description": "Faux billet de 50 euros rendu à la caisse",
            "occurred_at": _an_hour_ago(),
            "photo": SimpleUploadedFile("billet.png", png_bytes(), content_type="image/png"),
        },
    )
    assert response.status_code == 302
    observation = Observation.objects.get()
    assert observation.channel == "web"
    assert observation.category.slug == "escroquerie"
    assert observation.photos.count() == 1
    assert observation.sector == shopkeeper.shop.sector

    listing = client.get(response["Location"]).content.decode()
    assert observation.reference in listing
    assert "en attente de modération" in listing


def test_a_photo_that_is_not_an_image_is_an_accessible_field_error(client, shopkeeper, sms_outbox):
    _login(client, sms_outbox)
    response = client.post(
        "/commerces/signaler/",
        {
            "category": "vol",
            "description": "Vol de bonbons",
            "occurred_at": _an_hour_ago(),
            "photo": SimpleUploadedFile("photo.jpg", b"%PDF-1.4 not an image", content_type="image/jpeg"),
        },
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "pas une image JPEG, PNG ou WebP" in html
    assert 'role="alert"' in html
    photo = _parsed(response).inputs["id_photo"]
    assert photo["aria-invalid"] == "true"
    assert "id_photo_error" in (photo["aria-describedby"] or "")
    assert not Observation.objects.exists()


def test_report_form_errors_are_in_french(client, shopkeeper, sms_outbox):
    _login(client, sms_outbox)
    response = client.post("/commerces/signaler/", {"category": "vol", "description": "", "occurred_at": ""})
    assert response.status_code == 400
    assert "Ce champ est obligatoire." in response.content.decode()


def test_wrong_code_and_non_shopkeeper_are_refused(client, commune, shopkeeper, sms_outbox):
    client.post("/commerces/connexion/", {"phone": "+33612000031"})
    response = client.post("/commerces/connexion/code/", {"code": "000000"})
    assert response.status_code == 400
    assert "Code incorrect" in response.content.decode()

    referent = kernel_factories.user(role=Role.REFERENT, commune=commune)
    other = Client()
    _send_code = other.post("/commerces/connexion/", {"phone": str(referent.phone)})
    assert _send_code.status_code == 302
    response = other.post("/commerces/connexion/code/", {"code": _code(sms_outbox)})
    assert response.status_code == 400
    assert "réservé aux commerçants" in response.content.decode()
    assert other.get("/commerces/signaler/").status_code == 302


def test_unknown_number_gets_the_same_answer_and_no_sms(client, sms_outbox):
    response = client.post("/commerces/connexion/", {"phone": "06 99 99 99 99"})
    assert response.status_code == 302
    drain()
    assert sms_outbox == []


def test_csrf_is_enforced(shopkeeper, sms_outbox):
    strict = Client(enforce_csrf_checks=True)
    assert strict.post("/commerces/connexion/", {"phone": "+33612000031"}).status_code == 403
    drain()
    assert sms_outbox == []


def test_my_shop_opt_in(client, shopkeeper, sms_outbox):
    _login(client, sms_outbox)
    page = client.get("/commerces/mon-commerce/").content.decode()
    assert "Boulangerie du Centre" in page
    assert client.post("/commerces/mon-commerce/", {}).status_code == 302
    assert Shopkeeper.objects.get().sms_opt_in is False
    client.post("/commerces/mon-commerce/", {"sms_opt_in": "on"})
    assert Shopkeeper.objects.get().sms_opt_in is True


def test_logout(client, shopkeeper, sms_outbox):
    _login(client, sms_outbox)
    assert client.post("/commerces/deconnexion/").status_code == 302
    assert client.get("/commerces/signalements/").status_code == 302


def test_application_after_phone_verification(client, commune, sms_outbox):
    response = client.post("/commerces/inscription/", {"phone": "06 12 00 00 88"})
    assert response.status_code == 302
    assert client.get("/commerces/inscription/commerce/").status_code == 302  # not verified yet
    response = client.post("/commerces/inscription/code/", {"code": _code(sms_outbox)})
    assert response["Location"] == "/commerces/inscription/commerce/"
    sector = commune.sectors.get(slug="nord")
    # A wrong check digit is refused; the right number, spaces and all, is taken.
    for siret, status, says in (
        ("12345678901234", 400, "SIRET invalide"),
        ("732 829 320 00074", 200, "en attente de validation"),
    ):
        response = client.post(
            "/commerces/inscription/commerce/",
            {
                "commune": commune.pk,
                "shop_name": "Caviste des Pennes",
                "trade": "alimentation",
                "siret": siret,
                "address": "3 rue du Moulin",
                "sector": sector.pk,
                "contact_name": "Jean",
            },
        )
        assert response.status_code == status
        assert says in response.content.decode()
    application = ShopApplication.objects.get()
    assert application.phone == "+33612000088"
    assert application.status == ShopApplication.Status.PENDING
    assert application.siret == "73282932000074"


def test_home_page(client):
    page = client.get("/commerces/").content.decode()
    assert "Inscrire mon commerce" in page
    assert "17" in page


def test_api_shopkeeper_me(shopkeeper, commune):
    from tests.helpers import api_client_for

    client = api_client_for(shopkeeper.user)
    response = client.get("/api/v1/shopkeepers/me/")
    assert response.status_code == 200
    assert response.json()["shop"]["name"] == "Boulangerie du Centre"
    assert response.json()["sms_opt_in"] is True
    response = client.patch("/api/v1/shopkeepers/me/", {"sms_opt_in": False}, format="json")
    assert response.status_code == 200
    assert Shopkeeper.objects.get().sms_opt_in is False
    response = client.patch("/api/v1/shopkeepers/me/", {"sms_opt_in": "peut-être"}, format="json")
    assert response.status_code == 400
    assert "sms_opt_in" in response.json()["errors"]
    referent = kernel_factories.user(role=Role.REFERENT, commune=commune)
    assert api_client_for(referent).get("/api/v1/shopkeepers/me/").status_code == 403


def test_the_report_form_has_an_optional_place(client, shopkeeper, sms_outbox):
    _login(client, sms_outbox)
    assert "Lieu (facultatif)" in client.get("/commerces/signaler/").content.decode()
    response = client.post(
        "/commerces/signaler/",
        {
            "category": "vol",
            "description": "Vol à l'arraché",
            "occurred_at": _an_hour_ago(),
            "place": "Sur le parking, côté pharmacie",
        },
    )
    assert response.status_code == 302
    assert Observation.objects.get().place == "Sur le parking, côté pharmacie"
