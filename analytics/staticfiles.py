"""Serve plotly.js from the installed ``plotly`` package as the static file ``vendor/plotly/plotly.min.js``.

No CDN and no copy in the repository (4.8 MB): a staticfiles finder points at the file the
``plotly`` wheel ships in ``plotly/package_data/``, so ``runserver``, whitenoise's finders
mode and ``collectstatic`` all see it with no network and no build step.
"""

from __future__ import annotations

from pathlib import Path

from django.contrib.staticfiles.finders import BaseFinder
from django.core.files.storage import FileSystemStorage

PREFIX = "vendor/plotly"
FILENAME = "plotly.min.js"
STATIC_PATH = f"{PREFIX}/{FILENAME}"


def plotly_dir() -> Path:
    import plotly

    return Path(plotly.__file__).resolve().parent / "package_data"


class PlotlyFinder(BaseFinder):
    """Finds exactly one file: ``vendor/plotly/plotly.min.js``."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.storage = FileSystemStorage(location=str(plotly_dir()))
        self.storage.prefix = PREFIX

    def check(self, **kwargs) -> list:
        return []

    def find(self, path: str, find_all: bool = False, **kwargs):
        if path == STATIC_PATH:
            found = str(plotly_dir() / FILENAME)
            return [found] if find_all else found
        return [] if find_all else None

    def list(self, ignore_patterns):
        yield FILENAME, self.storage
