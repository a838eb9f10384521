from django.apps import AppConfig


class SafetyConfig(AppConfig):
    name = "toxinclinic.safety"
    label = "safety"

    def ready(self) -> None:
        from toxinclinic.core.signals import visit_signed
        from toxinclinic.safety.receivers import on_visit_signed

        visit_signed.connect(on_visit_signed, dispatch_uid="safety.record_treatment_session")
