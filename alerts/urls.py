from django.urls import path

from alerts import views

app_name = "alerts"

urlpatterns = [
    path("", views.alert_list, name="list"),
    path("<int:alert_id>/read/", views.alert_read, name="read"),
    path("read/", views.alert_read_all, name="read_all"),
    path("preferences/", views.alert_preferences, name="preferences"),
]
