from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CommercesConfig(AppConfig):
    name = "commerces"
    verbose_name = _("Commerces")
