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
