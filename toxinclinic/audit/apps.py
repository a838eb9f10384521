from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "toxinclinic.audit"
    label = "audit"
