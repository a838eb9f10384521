from django.apps import AppConfig


class SafetyConfig(AppConfig):
    name = "toxinclinic.safety"
    label = "safety"

    def ready(self) -> None:
        from toxinclinic.safety.receivers import on_session_recorded
        from toxinclinic.treatment.signals import session_recorded

        session_recorded.connect(on_session_recorded, dispatch_uid="safety.schedule_check_ins")
