from django.apps import AppConfig


class TreatmentConfig(AppConfig):
    name = "toxinclinic.treatment"
    label = "treatment"
    verbose_name = "Treatment sessions"

    def ready(self) -> None:
        from toxinclinic.core.signals import visit_signed
        from toxinclinic.treatment.receivers import on_visit_signed

        visit_signed.connect(on_visit_signed, dispatch_uid="treatment.record_session")
