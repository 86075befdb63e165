from django.apps import AppConfig


class CpoPortalConfig(AppConfig):
    name = "cpo_portal"
    verbose_name = "Charging network"
