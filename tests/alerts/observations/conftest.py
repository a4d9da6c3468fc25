"""The submitter rules belong to neighbours and commerces (alerts/registry.py); these tests pin them to
simple ones so that the observations domain is tested on its own. `trusted_ids` marks trusted senders."""

from collections.abc import Iterator

import pytest

from alerts import registry
from alerts.registry import SubmitterVerdict
from backend.accounts.models import Role, User


@pytest.fixture(autouse=True)
def submitter_rules() -> Iterator[set[int]]:
    trusted_ids: set[int] = set()
    saved = dict(registry._submitter_rules)

    def rule(user: User) -> SubmitterVerdict:
        return SubmitterVerdict(allowed=True, trusted=user.pk in trusted_ids)

    registry._submitter_rules.clear()
    registry._submitter_rules[Role.REFERENT] = rule
    registry._submitter_rules[Role.SHOPKEEPER] = rule
    yield trusted_ids
    registry._submitter_rules.clear()
    registry._submitter_rules.update(saved)
