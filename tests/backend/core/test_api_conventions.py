"""API conventions: one French error shape for every 4xx, the body size limit, pagination, OpenAPI docs."""

import json
import re

import pytest
from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import generics, serializers
from rest_framework.permissions import AllowAny
from rest_framework.test import APIRequestFactory, force_authenticate
from rest_framework.views import APIView

from backend.accounts.apis import OtpIpThrottle
from backend.accounts.models import PhoneCode, Role, User
from backend.core.access import door
from backend.core.errors import ApplicationError, Conflict, Forbidden, NotFound, Unprocessable
from tests import factories
from tests.helpers import api_client_for

pytestmark = pytest.mark.django_db

OTP_URL = "/api/v1/auth/otp/"
ENGLISH = re.compile(r"\b(the|not|was|were|method|found|request|authentication|credentials)\b", re.I)


def assert_error_shape(response, status: int) -> dict:
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json")
    body = json.loads(response.content)
    assert set(body) - {"retry_after"} == {"detail", "errors"}
    assert isinstance(body["detail"], str)
    assert body["detail"]
    assert not ENGLISH.search(body["detail"]), f"not French: {body['detail']!r}"
    assert isinstance(body["errors"], dict)
    for field, messages in body["errors"].items():
        assert isinstance(field, str)
        assert messages
        assert all(isinstance(message, str) for message in messages)
    return body


def test_400_names_the_field(api_client):
    body = assert_error_shape(api_client.post(OTP_URL, {"phone": "pas un numéro"}, format="json"), 400)
    assert body["errors"] == {"phone": ["Numéro de téléphone illisible."]}
    assert body["detail"] == "Numéro de téléphone illisible."


def test_400_for_a_missing_field_and_for_bad_json(api_client):
    body = assert_error_shape(api_client.post(OTP_URL, {}, format="json"), 400)
    assert body["errors"] == {"phone": ["Ce champ est obligatoire."]}
    body = assert_error_shape(api_client.post(OTP_URL, "{pas du json", content_type="application/json"), 400)
    assert body["errors"] == {}


def test_401_without_credentials(api_client):
    body = assert_error_shape(api_client.get("/api/v1/me/"), 401)
    assert body["errors"] == {}


def test_401_with_a_broken_token(api_client):
    assert_error_shape(api_client.get("/api/v1/me/", HTTP_AUTHORIZATION="Bearer abc.def.ghi"), 401)


def test_403_for_a_role_that_may_not(commune):
    class StaffOnly(APIView):
        permission_classes = [door("staff")]

        def get(self, request):
            raise AssertionError("never reached")

    request = APIRequestFactory().get("/x/")
    force_authenticate(request, factories.user(role=Role.REFERENT, commune=commune))
    response = StaffOnly.as_view()(request)
    response.render()
    body = assert_error_shape(response, 403)
    assert body["detail"] == "Votre rôle ne permet pas cette action."


def test_404_for_an_unknown_api_url(api_client):
    body = assert_error_shape(api_client.get("/api/v1/nulle-part/"), 404)
    assert body["detail"] == "Introuvable."


def test_404_outside_the_api_is_a_page(client):
    response = client.get("/nulle-part/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")


def test_405_for_a_wrong_method(api_client):
    assert_error_shape(api_client.put(OTP_URL, {"phone": "0612345678"}, format="json"), 405)


def test_413_before_parsing(api_client, settings):
    settings.REQUEST_BODY_MAX_BYTES = 1024
    # Not even JSON: refused on its declared size before any parser or view sees it.
    response = api_client.generic("POST", OTP_URL, b"{" + b"x" * 2000, content_type="application/json")
    body = assert_error_shape(response, 413)
    assert "volumineuse" in body["detail"]
    assert PhoneCode.objects.count() == 0
    # A small declared size with the same endpoint is parsed as usual.
    assert api_client.post(OTP_URL, {"phone": "0612345678"}, format="json").status_code == 202


def test_413_trusts_the_declared_length(api_client, settings):
    settings.REQUEST_BODY_MAX_BYTES = 1024
    response = api_client.generic(
        "POST", OTP_URL, b"{}", content_type="application/json", CONTENT_LENGTH="999999999"
    )
    assert_error_shape(response, 413)


def test_429_from_a_throttle_says_when_to_come_back(api_client, monkeypatch):
    monkeypatch.setattr(OtpIpThrottle, "THROTTLE_RATES", {"otp_ip": "1/hour"})
    assert api_client.post(OTP_URL, {"phone": "0699999901"}, format="json").status_code == 202
    body = assert_error_shape(api_client.post(OTP_URL, {"phone": "0699999902"}, format="json"), 429)
    assert 0 < body["retry_after"] <= 3600


def test_429_from_a_domain_rule(api_client):
    api_client.post(OTP_URL, {"phone": "0699999903"}, format="json")
    body = assert_error_shape(api_client.post(OTP_URL, {"phone": "0699999903"}, format="json"), 429)
    assert body["errors"] == {}


@pytest.mark.parametrize(
    ("error", "status", "errors"),
    [
        (ApplicationError("Refusé.", field="phone"), 400, {"phone": ["Refusé."]}),
        (Forbidden("Interdit."), 403, {}),
        (NotFound("Introuvable ici."), 404, {}),
        (Conflict("Déjà pris."), 409, {}),
        (Unprocessable("Impossible.", field="code"), 422, {"code": ["Impossible."]}),
        (DjangoValidationError({"name": ["Nom déjà utilisé."]}), 400, {"name": ["Nom déjà utilisé."]}),
    ],
)
def test_domain_errors_take_the_same_shape(error, status, errors):
    class Raising(APIView):
        permission_classes = [AllowAny]

        def get(self, request):
            raise error

    response = Raising.as_view()(APIRequestFactory().get("/x/"))
    response.render()
    body = assert_error_shape(response, status)
    assert body["errors"] == errors


def test_nested_validation_errors_are_flattened():
    class Inner(serializers.Serializer):
        when = serializers.DateTimeField()

    class Outer(serializers.Serializer):
        items = Inner(many=True)

    class Validating(APIView):
        permission_classes = [AllowAny]

        def post(self, request):
            Outer(data=request.data).is_valid(raise_exception=True)

    response = Validating.as_view()(
        APIRequestFactory().post("/x/", {"items": [{"when": "hier"}]}, format="json")
    )
    response.render()
    body = assert_error_shape(response, 400)
    assert list(body["errors"]) == ["items.0.when"]


def test_pagination_is_drfs_shape(commune):
    for index in range(30):
        factories.user(commune=commune, display_name=f"Personne {index:02d}")

    class UserNames(serializers.ModelSerializer):
        class Meta:
            model = User
            fields = ["id", "display_name"]

    class UserList(generics.ListAPIView):
        permission_classes = [AllowAny]
        queryset = User.objects.order_by("display_name")
        serializer_class = UserNames

    view = UserList.as_view()
    first = view(APIRequestFactory().get("/api/v1/users/"))
    first.render()
    assert first.status_code == 200
    body = first.data
    assert list(body) == ["count", "next", "previous", "results"]
    assert body["count"] == 30
    assert len(body["results"]) == 25
    assert body["previous"] is None
    assert body["next"].endswith("/api/v1/users/?page=2")
    second = view(APIRequestFactory().get("/api/v1/users/", {"page": 2})).data
    assert len(second["results"]) == 5
    assert second["next"] is None
    assert len(view(APIRequestFactory().get("/api/v1/users/", {"page_size": 500})).data["results"]) == 30
    assert len(view(APIRequestFactory().get("/api/v1/users/", {"page_size": 10})).data["results"]) == 10


def test_openapi_schema_and_offline_docs(client):
    schema = client.get("/api/schema/")
    assert schema.status_code == 200
    text = schema.content.decode()
    assert "openapi: 3" in text
    assert "/api/v1/auth/otp/" in text
    assert "/api/v1/sectors/" in text

    docs = client.get("/api/docs/")
    assert docs.status_code == 200
    page = docs.content.decode()
    assert "swagger-ui" in page
    external = [
        url
        for url in re.findall(r"""(?:src|href)=["']([^"']+)["']""", page)
        if url.startswith(("http:", "https:", "//"))
    ]
    assert external == [], f"the docs page loads from a CDN: {external}"
    assert "cdn" not in page.lower()
    # The assets it does load are served here.
    for url in re.findall(r"""(?:src|href)=["'](/static/[^"']+)["']""", page):
        assert client.get(url).status_code == 200, url


def test_me_answers_with_the_role(commune):
    user = factories.user(role=Role.SHOPKEEPER, commune=commune)
    body = api_client_for(user).get("/api/v1/me/").json()
    assert (body["id"], body["role"]) == (user.pk, "shopkeeper")


def test_500_under_the_api_is_json_and_french():
    from django.test import RequestFactory

    from backend.core.exceptions import handler500

    response = handler500(RequestFactory().get("/api/v1/quelque-chose/"))
    assert response.status_code == 500
    assert json.loads(response.content) == {"detail": "Erreur interne du serveur.", "errors": {}}
    page = handler500(RequestFactory().get("/connexion/"))
    assert page.status_code == 500
    assert page["Content-Type"].startswith("text/html")
