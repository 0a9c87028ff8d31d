from django.urls import include, path

from analytics.views import dashboard, export, listings, receipts

app_name = "analytics"

urlpatterns = [
    path("", dashboard.dashboard, name="dashboard"),
    path("listings/", include([
        path("", listings.listing_table, name="listings"),
        path("<int:listing_id>/why/", listings.why_not_showing, name="why"),
    ])),
    path("receipts/", include([
        path("", receipts.receipt_list, name="receipts"),
        path("<int:credit_id>/", receipts.receipt_detail, name="receipt"),
    ])),
    path("export.csv", export.export_csv, name="export"),
]
