"""backend/accounts/family_sql.py against its ORM equivalent: a model change that the written-out SQL
does not follow fails here, on SQLite and on PostgreSQL."""

import pytest
from django.forms.models import model_to_dict
from django.utils import timezone

from backend.accounts.family_sql import user_with_family
from backend.accounts.models import TokenFamily, User
from tests import factories

pytestmark = pytest.mark.django_db


def orm_user_with_family(*, user_id: int, family: str) -> tuple[dict, bool] | None:
    user = User.objects.filter(pk=user_id).first()
    if user is None:
        return None
    revoked = TokenFamily.objects.filter(pk=family, user=user, revoked_at__isnull=False).exists()
    return model_to_dict(user), revoked


@pytest.mark.parametrize("revoked", [False, True])
def test_user_with_family_matches_the_orm(revoked: bool) -> None:
    user, stranger = factories.user(), factories.user()
    own = TokenFamily.objects.create(id="f" * 32, user=user, revoked_at=timezone.now() if revoked else None)
    theirs = TokenFamily.objects.create(id="s" * 32, user=stranger, revoked_at=timezone.now())

    for family in (own.pk, theirs.pk, "n" * 32):
        found = user_with_family(user_id=user.pk, family=family)
        assert found is not None
        assert (model_to_dict(found[0]), found[1]) == orm_user_with_family(user_id=user.pk, family=family)
    assert user_with_family(user_id=user.pk, family=own.pk) == (user, revoked)
    assert user_with_family(user_id=0, family=own.pk) is None
