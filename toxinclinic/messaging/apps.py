from django.apps import AppConfig


class MessagingConfig(AppConfig):
    name = "toxinclinic.messaging"
    label = "messaging"
    verbose_name = "Messaging"
