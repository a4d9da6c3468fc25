"""The audit trail: ids only, the client's address behind proxies, read-only in the admin."""

import pytest
from django.test import RequestFactory

from backend.audit.models import AuditEvent
from backend.audit.services import audit_record, client_ip
from tests import factories


@pytest.mark.parametrize(
    ("proxies", "forwarded", "expected"),
    [
        (0, "203.0.113.9", "10.0.0.1"),  # no proxy trusted: the header is the client's word, ignored
        (1, "203.0.113.9", "203.0.113.9"),
        (1, "198.51.100.7, 203.0.113.9", "203.0.113.9"),  # the client may prepend anything
        (2, "198.51.100.7, 203.0.113.9", "198.51.100.7"),
        (1, "pas-une-adresse", "10.0.0.1"),
        (1, None, "10.0.0.1"),
    ],
)
def test_client_ip_behind_proxies(settings, proxies, forwarded, expected):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": proxies}
    extra = {"HTTP_X_FORWARDED_FOR": forwarded} if forwarded else {}
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.1", **extra)
    assert client_ip(request) == expected


@pytest.mark.django_db
def test_audit_record_keeps_ids_not_personal_values(commune):
    user = factories.user(commune=commune, display_name="Jeanne Dupont", phone="+33612121212")
    event = audit_record(actor=user, action="accounts.update", target=user, fields=["phone", "display_name"])
    event.refresh_from_db()
    assert (event.actor_id, event.actor_role, event.object_type, event.object_id) == (
        user.pk,
        user.role,
        "accounts.user",
        str(user.pk),
    )
    assert event.changed_fields == ["display_name", "phone"]
    stored = " ".join(str(value) for value in AuditEvent.objects.values_list().get(pk=event.pk))
    assert "Dupont" not in stored
    assert "12121212" not in stored


@pytest.mark.django_db
def test_audit_events_are_read_only_in_the_admin(commune):
    from django.contrib import admin

    root = factories.user(commune=None)
    root.is_superuser = True
    event = audit_record(actor=root, action="accounts.update", target=root, fields=["phone"])
    request = RequestFactory().get("/admin/audit/auditevent/")
    request.user = root
    root.is_verified = lambda: True  # type: ignore[attr-defined]  # django-otp sets it on a verified session
    model_admin = admin.site._registry[AuditEvent]
    assert not model_admin.has_add_permission(request)
    assert not model_admin.has_change_permission(request, event)
    assert not model_admin.has_delete_permission(request, event)
    assert list(model_admin.get_queryset(request)) == [event]  # a superuser still sees every event
