from django.urls import path

from campaigns.views import campaign, statements, wizard

app_name = "campaigns"

urlpatterns = [
    path("campaign/", campaign.campaign_home, name="home"),
    path("campaign/start/", wizard.wizard_start, name="wizard_start"),
    path("campaign/start/budget/", wizard.wizard_budget, name="wizard_budget"),
    path("campaign/start/forecast/", wizard.wizard_forecast, name="wizard_forecast"),
    path("campaign/start/listings/", wizard.wizard_listings, name="wizard_listings"),
    path("campaign/start/review/", wizard.wizard_review, name="wizard_review"),
    path("campaigns/<int:campaign_id>/", campaign.campaign_detail, name="detail"),
    path("campaigns/<int:campaign_id>/pause/", campaign.campaign_pause, name="pause"),
    path("campaigns/<int:campaign_id>/resume/", campaign.campaign_resume, name="resume"),
    path("campaigns/<int:campaign_id>/budget/", campaign.campaign_budget, name="budget"),
    path("campaigns/<int:campaign_id>/selection/", campaign.campaign_selection, name="selection"),
    path("campaigns/<int:campaign_id>/listings/", campaign.campaign_listings, name="listings"),
    path("campaigns/<int:campaign_id>/listings/<int:listing_id>/promote/", campaign.campaign_listing_promote,
         name="listing_promote"),
    path("statements/", statements.statement_list, name="statements"),
    path("statements.csv", statements.statement_list_csv, name="statements_csv"),
    path("statements/<int:period_id>/", statements.statement_detail, name="statement"),
    path("statements/<int:period_id>.csv", statements.statement_detail_csv, name="statement_csv"),
]
