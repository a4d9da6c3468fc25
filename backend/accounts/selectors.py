from django.db.models import QuerySet

from backend.accounts.models import User


def commune_user_ids(*, commune_id: int | None) -> QuerySet[User, int]:
    if commune_id is None:
        return User.objects.none().values_list("id", flat=True)
    return User.objects.filter(commune_id=commune_id).values_list("id", flat=True)


def user_by_phone(*, phone: str) -> User | None:
    return User.objects.filter(phone=phone).first()
