from django.apps import AppConfig


class EducationConfig(AppConfig):
    name = "toxinclinic.education"
    label = "education"
