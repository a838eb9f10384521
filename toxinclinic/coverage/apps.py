from django.apps import AppConfig


class CoverageConfig(AppConfig):
    name = "toxinclinic.coverage"
    label = "coverage"
