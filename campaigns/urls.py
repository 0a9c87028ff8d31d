from django.urls import include, path

from campaigns.views import campaign, statements, wizard

app_name = "campaigns"

urlpatterns = [
    path("campaign/", campaign.campaign_home, name="home"),
    path("campaign/start/", include([
        path("", wizard.wizard_start, name="wizard_start"),
        path("budget/", wizard.wizard_budget, name="wizard_budget"),
        path("forecast/", wizard.wizard_forecast, name="wizard_forecast"),
        path("listings/", wizard.wizard_listings, name="wizard_listings"),
        path("review/", wizard.wizard_review, name="wizard_review"),
    ])),
    path("campaigns/<int:campaign_id>/", include([
        path("", campaign.campaign_detail, name="detail"),
        path("pause/", campaign.campaign_pause, name="pause"),
        path("resume/", campaign.campaign_resume, name="resume"),
        path("budget/", campaign.campaign_budget, name="budget"),
        path("selection/", campaign.campaign_selection, name="selection"),
        path("listings/", campaign.campaign_listings, name="listings"),
        path("listings/<int:listing_id>/promote/", campaign.campaign_listing_promote, name="listing_promote"),
    ])),
    path("statements/", statements.statement_list, name="statements"),
    path("statements.csv", statements.statement_list_csv, name="statements_csv"),
    path("statements/<int:period_id>/", statements.statement_detail, name="statement"),
    path("statements/<int:period_id>.csv", statements.statement_detail_csv, name="statement_csv"),
]
