"""The category taxonomy seeded in every database."""

from alerts.models import (
    Category,
)

# --- taxonomy ----------------------------------------------------------------------------------

DEFAULT_CATEGORIES = [
    # slug, label, urgent, routine (the same as migration 0003_seed_categories)
    ("cambriolage", "cambriolage ou tentative", True, False),
    ("suspect", "individu ou véhicule suspect", False, False),
    ("demarchage", "démarchage ou faux agents", False, True),
    ("vol", "vol (étalage, à l'arraché)", False, False),
    ("escroquerie", "escroquerie ou faux billets", False, True),
    ("degradation", "dégradation", False, True),
    ("rodeo", "rodéo motorisé", False, False),
    ("tranquillite", "trouble à la tranquillité publique", False, True),
    ("violences", "violences", True, False),
    ("autre", "autre", False, False),
]


def categories_seed_defaults() -> int:
    """Creates the platform's default categories that are missing (a flushed database, tests)."""
    created = 0
    for position, (slug, label, urgent, routine) in enumerate(DEFAULT_CATEGORIES, start=1):
        _row, new = Category.objects.get_or_create(
            commune=None,
            slug=slug,
            defaults={"label": label, "urgent": urgent, "routine": routine, "position": position * 10},
        )
        created += new
    return created
