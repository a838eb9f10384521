from django.apps import AppConfig


class CoordinatorConfig(AppConfig):
    name = "toxinclinic.coordinator"
    label = "coordinator"

    def ready(self) -> None:
        from toxinclinic.coordinator import receivers  # noqa: F401
