"""The demo's and production's static files: hashed names, gzip, and long-lived cache headers."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.templatetags.static import static
from django.test import Client, override_settings

COMPRESSED = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "core.storage.HashedStaticFilesStorage"},
}


@pytest.mark.django_db
@pytest.mark.parametrize("debug", [False, True], ids=["production", "demo"])
def test_collected_static_files_are_served_compressed_and_cached_for_a_year(tmp_path, debug):
    with override_settings(STORAGES=COMPRESSED, STATIC_ROOT=tmp_path, WHITENOISE_USE_FINDERS=False, DEBUG=debug):
        call_command("collectstatic", "--noinput", verbosity=0)
        url = static("vendor/plotly/plotly-basic.min.js")
        assert url != "/static/vendor/plotly/plotly-basic.min.js"  # a hashed name
        response = Client().get(url, HTTP_ACCEPT_ENCODING="gzip")
        body = b"".join(response.streaming_content)
        response.close()
    assert response.status_code == 200
    assert response["Content-Encoding"] == "gzip"
    assert len(body) < 600_000  # 1.2 MB of JavaScript, compressed
    cache = response["Cache-Control"]
    assert "immutable" in cache and int(cache.split("max-age=")[1].split(",")[0]) >= 365 * 86400
