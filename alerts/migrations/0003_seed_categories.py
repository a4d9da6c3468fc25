"""Seeds the platform's default observation categories (issue 4); communes may add their own."""

from django.db import migrations

CATEGORIES = [
    # slug, label, urgent, routine
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


def seed(apps, schema_editor):
    Category = apps.get_model("alerts", "Category")
    for position, (slug, label, urgent, routine) in enumerate(CATEGORIES, start=1):
        Category.objects.get_or_create(
            commune=None,
            slug=slug,
            defaults={"label": label, "urgent": urgent, "routine": routine, "position": position * 10},
        )


def unseed(apps, schema_editor):
    Category = apps.get_model("alerts", "Category")
    Category.objects.filter(commune=None, slug__in=[row[0] for row in CATEGORIES], observations=None).delete()


class Migration(migrations.Migration):
    dependencies = [("alerts", "0002_observations")]

    operations = [migrations.RunPython(seed, unseed)]
