from django.apps import AppConfig


class CyclesConfig(AppConfig):
    name = "toxinclinic.cycles"
    label = "cycles"
