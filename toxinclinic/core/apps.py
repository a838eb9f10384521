from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "toxinclinic.core"
    label = "core"
