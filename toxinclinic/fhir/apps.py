from django.apps import AppConfig


class FhirConfig(AppConfig):
    name = "toxinclinic.fhir"
    label = "fhir"
    verbose_name = "FHIR R4 and SMART backend clients"
