from django.apps import AppConfig


class ClosetAdsConfig(AppConfig):
    name = "closetads"
    verbose_name = "Platform"

    def ready(self) -> None:
        from closetads import signals  # noqa: F401  (connects the worker-ready heartbeat)
