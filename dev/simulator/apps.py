from django.apps import AppConfig


class SimulatorConfig(AppConfig):
    name = "dev.simulator"
    verbose_name = "Marketplace simulator"
