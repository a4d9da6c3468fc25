"""Demo users of every role, with fixed TOTP secrets so that a newcomer can sign in at once."""

from collections.abc import Callable

from django_otp.plugins.otp_totp.models import TOTPDevice

from backend.accounts.models import Role, User
from backend.territory.models import Commune

DEMO_PASSWORD = "vigie-demo-2026"  # noqa: S105  (demo data, printed by seed_demo)
DEMO_USERS = [
    # phone, name, role, superuser
    ("+33612000001", "Alice Administratrice", Role.ADMIN, True),
    ("+33612000004", "Arnaud Administrateur (mairie)", Role.ADMIN, False),  # sees only his commune
    ("+33612000002", "Marc Modérateur (CLSPD)", Role.MODERATOR, False),
    ("+33612000003", "Mireille Modératrice (chef de poste PM)", Role.MODERATOR, False),
    ("+33612000011", "Olivier Opérateur (PM)", Role.OPERATOR, False),
    ("+33612000012", "Odile Opératrice (PM)", Role.OPERATOR, False),
    ("+33612000013", "Nicolas Opérateur (PN)", Role.OPERATOR, False),
    ("+33612000021", "Rachid Référent", Role.REFERENT, False),
    ("+33612000022", "Rose Référente", Role.REFERENT, False),
    ("+33612000023", "René Référent", Role.REFERENT, False),
    ("+33612000031", "Camille Commerçante", Role.SHOPKEEPER, False),
    ("+33612000032", "Claude Commerçant", Role.SHOPKEEPER, False),
    ("+33612000033", "Coralie Commerçante", Role.SHOPKEEPER, False),
    ("+33612000041", "Corinne Coordinatrice (CLSPD)", Role.COORDINATOR, False),
    ("+33612000042", "Sébastien Superviseur (CSU)", Role.CSU, False),
    ("+33612000043", "Éliane (comité d'éthique)", Role.ETHICS, False),
    ("+33612000044", "Igor Inspecteur (préfecture)", Role.INSPECTOR, False),
    ("+33612000045", "Delphine Déléguée (DPO)", Role.DPO, False),
]


def demo_totp_key(phone: str) -> str:
    """A fixed, per-user 20-byte key (hex): demo only, printed by seed_demo."""
    return (phone.lstrip("+") * 4)[:40].encode().hex()[:40]


def seed(commune: Commune, say: Callable[[str], None]) -> list[User]:
    users = []
    for phone, name, role, superuser in DEMO_USERS:
        user = User.objects.filter(phone=phone).first()
        if user is None:
            user = User.objects.create_user(
                phone,
                password=DEMO_PASSWORD if role in Role.SECOND_FACTOR else None,
                display_name=name,
                role=role,
                commune=commune,
                is_superuser=superuser,
            )
        if user.is_staff_role:
            TOTPDevice.objects.get_or_create(user=user, name="démo", defaults={"key": demo_totp_key(phone)})
        users.append(user)
    say(f"Utilisateurs de démonstration : {len(users)}")
    return users
