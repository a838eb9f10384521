from django.apps import AppConfig


class SchedulingConfig(AppConfig):
    name = "toxinclinic.scheduling"
    label = "scheduling"
