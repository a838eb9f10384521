from django.apps import AppConfig


class HomeConfig(AppConfig):
    name = "toxinclinic.home"
    label = "home"
    verbose_name = "Home screens"
