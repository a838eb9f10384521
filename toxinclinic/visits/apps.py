from django.apps import AppConfig


class VisitsConfig(AppConfig):
    name = "toxinclinic.visits"
    label = "visits"
