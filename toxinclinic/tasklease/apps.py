from django.apps import AppConfig


class TaskLeaseConfig(AppConfig):
    name = "toxinclinic.tasklease"
    label = "tasklease"
    verbose_name = "Task leases"
