from django.apps import AppConfig


class SafetyConfig(AppConfig):
    name = "toxinclinic.safety"
    label = "safety"
