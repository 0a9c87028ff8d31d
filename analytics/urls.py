from django.urls import path

from analytics.views import dashboard, export, listings, receipts

app_name = "analytics"

urlpatterns = [
    path("", dashboard.dashboard, name="dashboard"),
    path("listings/", listings.listing_table, name="listings"),
    path("listings/<int:listing_id>/why/", listings.why_not_showing, name="why"),
    path("receipts/", receipts.receipt_list, name="receipts"),
    path("receipts/<int:credit_id>/", receipts.receipt_detail, name="receipt"),
    path("export.csv", export.export_csv, name="export"),
]
