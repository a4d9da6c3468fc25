"""The SMS provider's webhooks: inbound messages and delivery statuses, signed by the provider.

Forged or unsigned → 403 and nothing stored; signed but malformed → 400. No CSRF token: the provider's
signature is the proof of origin.
"""

import functools
from collections.abc import Callable

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.utils import translation
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from backend.messaging.backends.inbound import MalformedWebhook, SmsProvider, get_sms_provider
from backend.messaging.receipts import delivery_status_record
from commerces.sms import sms_receive


def public_url(request: HttpRequest) -> str:
    """The URL the provider called: SMS_WEBHOOK_BASE_URL + path behind a proxy, else the request's own."""
    base = getattr(settings, "SMS_WEBHOOK_BASE_URL", "")
    if base:
        return f"{base.rstrip('/')}{request.get_full_path()}"
    return request.build_absolute_uri()


def _provider(request: HttpRequest, name: str) -> SmsProvider | HttpResponse:
    provider = get_sms_provider(name)
    if provider is None:
        raise Http404
    if not provider.verify_request(url=public_url(request), params=request.POST, headers=request.headers):
        return HttpResponse(b"signature invalide", status=403, content_type="text/plain; charset=utf-8")
    return provider


def _webhook(
    handle: Callable[[SmsProvider, QueryDict], HttpResponse],
) -> Callable[[HttpRequest, str], HttpResponse]:
    """A provider's webhook view: the signature checked, then `handle` with the provider and its form;
    a form the provider's parser refuses is a 400."""

    @csrf_exempt
    @require_POST
    @functools.wraps(handle)
    def view(request: HttpRequest, provider: str) -> HttpResponse:
        checked = _provider(request, provider)
        if isinstance(checked, HttpResponse):
            return checked
        try:
            return handle(checked, request.POST)
        except MalformedWebhook as exc:
            return HttpResponse(str(exc).encode(), status=400, content_type="text/plain; charset=utf-8")

    return view


@_webhook
def sms_inbound(provider: SmsProvider, form: QueryDict) -> HttpResponse:
    inbound = provider.parse_inbound(form)
    with translation.override(settings.LANGUAGE_CODE):  # SMS replies are in the town's language
        body, content_type = provider.reply(sms_receive(inbound=inbound))
    return HttpResponse(body.encode(), content_type=f"{content_type}; charset=utf-8")


@_webhook
def sms_status(provider: SmsProvider, form: QueryDict) -> HttpResponse:
    delivery_status_record(report=provider.parse_status(form))
    return HttpResponse(status=204)
