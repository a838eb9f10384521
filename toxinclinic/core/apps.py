from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "toxinclinic.core"
    label = "core"

    def ready(self) -> None:
        from toxinclinic.core.inputs import install_form_rule

        # Every form's number and date fields (ModelForms, hand-written forms, the admin) refuse digits of
        # other scripts, which Python would otherwise read as numbers: one rule, no field to forget.
        install_form_rule()
