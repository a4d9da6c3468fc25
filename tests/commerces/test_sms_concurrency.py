"""The same MessageSid delivered twice at the same moment (Twilio retries on a slow answer): one report."""

import pytest
from django.test import Client

from alerts.models import Observation
from alerts.services import categories_seed_defaults
from commerces.models import InboundMessage
from tests.commerces import factories
from tests.commerces.factories import INBOUND_URL, signed_post, sms_params, twiml_messages
from tests.helpers import race


@pytest.mark.django_db(transaction=True)
def test_parallel_deliveries_of_one_message_make_one_observation(commune):
    categories_seed_defaults()
    factories.shopkeeper(factories.shop(commune), phone="+33612000031")
    params = sms_params(sender="+33612000031", body="VOL en cours de traitement")

    def deliver() -> list[str]:
        response = signed_post(Client(), INBOUND_URL, params)
        assert response.status_code == 200
        return twiml_messages(response)

    results = race(*[deliver] * 4)
    replies = [result for result in results if isinstance(result, list)]
    errors = [result for result in results if not isinstance(result, list)]
    assert not errors, errors
    assert Observation.objects.count() == 1
    assert InboundMessage.objects.count() == 1
    reference = Observation.objects.get().reference
    assert len(replies) == 4
    assert all(reference in reply[0] for reply in replies)
