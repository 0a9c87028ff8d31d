from django.contrib.auth import views as auth_views
from django.urls import path

from sellers import views

urlpatterns = [
    path("login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("language/", views.language_set, name="language_set"),
    path("sso/<str:token>/", views.sso_login, name="sso_login"),
    path("demo/photos/<str:marketplace_id>.svg", views.demo_photo, name="demo_photo"),
]
