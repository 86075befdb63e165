from django.apps import AppConfig


class RoamingConfig(AppConfig):
    name = "roaming"
    verbose_name = "Roaming (OCPI 2.2.1)"

    def ready(self) -> None:
        from roaming import checks, signals  # noqa: F401  (deploy checks; pushes on change)
        from roaming.home import add_tasks

        add_tasks()
