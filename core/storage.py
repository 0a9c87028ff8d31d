"""Static files storage for production and the demo."""

from __future__ import annotations

from whitenoise.storage import CompressedManifestStaticFilesStorage


class HashedStaticFilesStorage(CompressedManifestStaticFilesStorage):  # type: ignore[misc]  # whitenoise ships no types
    """whitenoise's compressed, hashed storage, with hashed URLs even under DEBUG.

    Django's manifest storage gives unhashed URLs while DEBUG is on, and whitenoise then
    cannot tell a file's content from its name, so it sends no long-lived cache header. The
    demo runs with DEBUG on and should move what production moves: every URL is hashed.
    """

    def url(self, name: str | None, force: bool = False) -> str:
        url: str = super().url(name, force=True)
        return url
