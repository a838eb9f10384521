from django.apps import AppConfig


class RemindersConfig(AppConfig):
    name = "toxinclinic.reminders"
    label = "reminders"

    def ready(self) -> None:
        from django_tasks_db.compat import task_started

        from toxinclinic.reminders import receivers
        from toxinclinic.treatment.signals import session_recorded

        session_recorded.connect(receivers.on_session_recorded, dispatch_uid="reminders.window_opens")
        # Any task a worker starts keeps the reminder sweep's chain alive (one indexed read when it is).
        task_started.connect(receivers.on_task_started, dispatch_uid="reminders.keep_ticking")
