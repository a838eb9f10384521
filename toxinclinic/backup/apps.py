from django.apps import AppConfig


class BackupConfig(AppConfig):
    name = "toxinclinic.backup"
    label = "backup"
    verbose_name = "Backup and restore"
