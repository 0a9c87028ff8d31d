from pathlib import Path

from django.apps import AppConfig
from django.conf import settings


def data_dirs_create() -> list[Path]:
    """Make the folders the embedded mode writes to (the SQLite file's, the filesystem
    broker's, the static root outside production), at start-up rather than on importing the
    settings. Returns the folders it made sure of."""
    folders: list[Path] = []
    if settings.EMBEDDED:
        folders.append(Path(settings.DATA_DIR))
    options = settings.CELERY_BROKER_TRANSPORT_OPTIONS
    if settings.CELERY_BROKER_URL.startswith("filesystem"):
        folders += [Path(options[key]) for key in ("data_folder_in", "processed_folder", "control_folder")]
    if not settings.PRODUCTION:
        folders.append(Path(settings.STATIC_ROOT))
    for folder in folders:
        folder.mkdir(parents=True, exist_ok=True)
    return folders


class ClosetAdsConfig(AppConfig):
    name = "core"
    label = "closetads"
    verbose_name = "Platform"

    def ready(self) -> None:
        from core import signals  # noqa: F401  (connects the worker-ready heartbeat)

        data_dirs_create()
        from django.core.cache import cache

        from core import state

        # Django's cache is process-wide state too (local memory in the embedded mode).
        state.register("cache", cache.clear)
