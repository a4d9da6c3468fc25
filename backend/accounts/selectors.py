from backend.accounts.models import User


def user_by_phone(*, phone: str) -> User | None:
    return User.objects.filter(phone=phone).first()
