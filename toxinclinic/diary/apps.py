from django.apps import AppConfig


class DiaryConfig(AppConfig):
    name = "toxinclinic.diary"
    label = "diary"
