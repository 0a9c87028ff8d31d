"""Page navigation shared by the paged tables (seller pages, dashboards)."""

from __future__ import annotations


class PageNavigation:
    """``has_previous`` / ``has_next`` for a page object with 1-based ``page`` and ``pages``."""

    page: int
    pages: int

    @property
    def has_previous(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages
