from django.apps import AppConfig


class PatientsConfig(AppConfig):
    name = "toxinclinic.patients"
    label = "patients"
