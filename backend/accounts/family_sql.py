"""The signed-in user and whether their token family is revoked, in one written-out statement.

Every API request and socket runs it (backend/accounts/tokens.py's JWTAuthentication): compiling the
ORM version (an annotated Exists on an OuterRef) cost ~1 ms of CPU per request, more than the query
itself. Table and column names come from the models' metadata, every value is a parameter;
tests/backend/accounts/test_family_sql.py checks it against its ORM equivalent.
"""

import functools
from typing import Any, cast

from django.db import models
from rest_framework_simplejwt.settings import api_settings

from backend.accounts.models import TokenFamily, User

_USER_WITH_FAMILY_SQL = """
SELECT u.*, EXISTS (
    SELECT 1 FROM "{family}" f WHERE f."id" = %s AND f."user_id" = u."id" AND f."revoked_at" IS NOT NULL
) AS family_revoked
FROM "{user}" u WHERE u."{user_id}" = %s
"""


@functools.cache
def _user_with_family_sql() -> str:
    return _USER_WITH_FAMILY_SQL.format(
        family=TokenFamily._meta.db_table,
        user=User._meta.db_table,
        user_id=cast(models.Field, User._meta.get_field(api_settings.USER_ID_FIELD)).column,
    )


def user_with_family(*, user_id: Any, family: str) -> tuple[User, bool] | None:
    """The user of that id, and whether the token family `family` is theirs and revoked; None when no
    such user."""
    user = next(iter(User.objects.raw(_user_with_family_sql(), [family, user_id])), None)
    if user is None:
        return None
    return user, bool(vars(user)["family_revoked"])
