from datetime import date

import pytest
from django.core.management import call_command

from neighbours.models import Application, Charter, Invitation, Protocol, Referent
from neighbours.selectors import referent_verdict

pytestmark = pytest.mark.django_db


def test_demo_seed_gives_a_protocol_and_referents_in_several_states_and_is_idempotent():
    call_command("seed_demo", verbosity=0)
    call_command("seed_demo", verbosity=0)
    protocol = Protocol.objects.get()
    assert (protocol.commune.slug, protocol.starts_on, protocol.ends_on, protocol.police_force) == (
        "les-pennes-mirabeau",
        date(2025, 1, 1),
        date(2027, 12, 31),
        "police_nationale",
    )
    assert Charter.objects.get().version == 1
    states = {
        str(referent.user.phone): (referent.status, referent.trusted)
        for referent in Referent.objects.select_related("user")
    }
    assert states == {
        "+33612000021": ("active", True),
        "+33612000022": ("pending", False),
        "+33612000023": ("suspended", False),
    }
    assert Application.objects.get().referent.user.phone == "+33612000022"
    assert Invitation.objects.get().accepted_at is None
    rachid = Referent.objects.get(user__phone="+33612000021").user
    assert referent_verdict(user=rachid, on=date(2026, 6, 1)).allowed is True
    assert referent_verdict(user=rachid, on=date(2028, 1, 1)).allowed is False
