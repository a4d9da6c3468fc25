from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "backend.demo"
    label = "demo"
    verbose_name = "Données de démonstration"
