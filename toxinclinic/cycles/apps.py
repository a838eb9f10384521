from django.apps import AppConfig


class CyclesConfig(AppConfig):
    name = "toxinclinic.cycles"
    label = "cycles"

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from toxinclinic.cycles import receivers
        from toxinclinic.diary.signals import month_stored
        from toxinclinic.outcomes.models import QuestionnaireResponse
        from toxinclinic.treatment.signals import session_recorded

        session_recorded.connect(receivers.on_session_recorded, dispatch_uid="cycles.session_recorded")
        month_stored.connect(receivers.on_month_stored, dispatch_uid="cycles.month_stored")
        post_save.connect(
            receivers.on_response_saved, sender=QuestionnaireResponse, dispatch_uid="cycles.response_saved"
        )
        post_delete.connect(
            receivers.on_response_deleted,
            sender=QuestionnaireResponse,
            dispatch_uid="cycles.response_deleted",
        )
