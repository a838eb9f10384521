from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "toxinclinic.demo"
    label = "demo"
