"""backend.core.csp: the policy of HTML pages, its nonce, its websocket and tile sources."""

from django.http import HttpResponse, JsonResponse
from django.template import engines
from django.test import RequestFactory

from backend.core.csp import HEADER, ContentSecurityPolicyMiddleware


def directives(response: HttpResponse) -> dict[str, list[str]]:
    return {part.split()[0]: part.split()[1:] for part in response[HEADER].split(";")}


def serve(view, **request_options) -> HttpResponse:
    return ContentSecurityPolicyMiddleware(view)(RequestFactory().get("/", **request_options))


def test_an_html_page_gets_the_policy_without_a_nonce_when_it_uses_none():
    policy = directives(serve(lambda request: HttpResponse("<p>page</p>")))
    assert policy["script-src"] == ["'self'"]
    assert policy["default-src"] == ["'self'"]
    assert policy["connect-src"] == ["'self'", "ws://testserver"]
    assert policy["img-src"] == ["'self'", "data:"]


def test_an_inline_script_gets_the_nonce_of_its_request():
    template = engines["django"].from_string('<script nonce="{{ request.csp_nonce }}">go()</script>')
    response = serve(lambda request: HttpResponse(template.render({}, request)))
    nonce = response.content.decode().split('nonce="')[1].split('"')[0]
    assert len(nonce) >= 16
    assert directives(response)["script-src"] == ["'self'", f"'nonce-{nonce}'"]
    again = serve(lambda request: HttpResponse(template.render({}, request)))
    assert nonce not in again[HEADER]  # one per request


def test_a_secure_page_allows_its_own_wss_and_the_tile_server(settings):
    settings.CONSOLE_TILE_URL = "https://tiles.example.fr/{z}/{x}/{y}.png"
    policy = directives(serve(lambda request: HttpResponse("<p>carte</p>"), secure=True))
    assert policy["connect-src"] == ["'self'", "wss://testserver"]
    assert policy["img-src"] == ["'self'", "data:", "https://tiles.example.fr"]


def test_json_is_left_alone():
    assert HEADER not in serve(lambda request: JsonResponse({"ok": True}))
