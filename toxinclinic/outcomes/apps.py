from django.apps import AppConfig


class OutcomesConfig(AppConfig):
    name = "toxinclinic.outcomes"
    label = "outcomes"
