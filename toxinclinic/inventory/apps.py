from django.apps import AppConfig


class InventoryConfig(AppConfig):
    name = "toxinclinic.inventory"
    label = "inventory"
