from django.contrib import admin
from django.templatetags.static import static
from django.urls import include, path
from django.views.generic import RedirectView
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from analytics import api as events_api
from auction import api as auction_api
from campaigns.views.home import home
from core import health
from sellers import api as catalog_api


class FaviconView(RedirectView):
    """/favicon.ico -> the site's icon (resolved per request: the static manifest may not
    exist yet when the URLconf is imported)."""

    permanent = True

    def get_redirect_url(self, *args, **kwargs) -> str:
        return static("favicon.svg")


api_v1 = [
    path("catalog/sellers", catalog_api.SellersUpsertView.as_view(), name="catalog-sellers"),
    path("catalog/listings", catalog_api.ListingsUpsertView.as_view(), name="catalog-listings"),
    path("events", events_api.EventsView.as_view(), name="events"),
    path("auctions", auction_api.auctions_endpoint, name="auctions"),
    path("schema/", SpectacularAPIView.as_view(authentication_classes=[], permission_classes=[]),
         name="api-schema"),
]

urlpatterns = [
    path("healthz", health.healthz, name="healthz"),
    # Browsers and crawlers that ask for /favicon.ico get the site's icon, not a 404.
    path("favicon.ico", FaviconView.as_view()),
    path("readyz", health.readyz, name="readyz"),
    path("admin/", admin.site.urls),
    path("api/v1/", include(api_v1)),
    # The split view serves its start-up script as a file: no inline script under the CSP.
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema", authentication_classes=[],
                                                           permission_classes=[]), name="api-docs"),
    path("analytics/", include("analytics.urls")),
    path("alerts/", include("alerts.urls")),
    # The seller's start page (campaigns/views/home.py: it sends a new seller to the wizard).
    path("", home, name="home"),
    path("", include("campaigns.urls")),
    path("", include("sellers.urls")),
]
