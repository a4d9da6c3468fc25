"""The administrable taxonomy of observations: the platform's default categories and each commune's own."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Category(models.Model):
    """The administrable taxonomy. Rows without a commune are the platform's defaults (seeded);
    a commune may add its own or override one (same slug)."""

    commune = models.ForeignKey(
        "territory.Commune",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="observation_categories",
        verbose_name=_("commune"),
        help_text=_("Vide : catégorie commune à toutes les communes."),
    )
    slug = models.SlugField(_("identifiant"), max_length=40)
    label = models.CharField(_("libellé"), max_length=120)
    urgent = models.BooleanField(_("urgente"), default=False, help_text=_("Signalée et triée en premier."))
    routine = models.BooleanField(
        _("courante"),
        default=False,
        help_text=_("Un référent de confiance peut la transmettre sans modération."),
    )
    position = models.PositiveSmallIntegerField(_("ordre"), default=100)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("catégorie de signalement")
        verbose_name_plural = _("catégories de signalement")
        ordering = ["position", "label"]
        constraints = [
            models.UniqueConstraint(fields=["commune", "slug"], name="category_unique_slug_per_commune"),
            models.UniqueConstraint(
                fields=["slug"], condition=models.Q(commune=None), name="category_unique_default_slug"
            ),
        ]

    def __str__(self) -> str:
        return self.label
