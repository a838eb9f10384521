from django.apps import AppConfig


class SchedulingConfig(AppConfig):
    name = "toxinclinic.scheduling"
    label = "scheduling"

    def ready(self) -> None:
        from toxinclinic.scheduling.receivers import on_session_recorded
        from toxinclinic.treatment.signals import session_recorded

        session_recorded.connect(on_session_recorded, dispatch_uid="scheduling.set_recall")
