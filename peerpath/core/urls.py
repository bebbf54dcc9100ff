from django.urls import path

from peerpath.core import views

app_name = "core"

urlpatterns = [
    path("health/", views.health, name="health"),
    path("health/ready/", views.health_ready, name="health_ready"),
    path("accounts/login/", views.login, name="login"),
    path("accounts/logout/", views.logout, name="logout"),
    path("accounts/password-reset/", views.password_reset, name="password_reset"),
    path("accounts/password-reset/sent/", views.password_reset_done, name="password_reset_done"),
    path("accounts/reset/<uidb64>/<token>/", views.password_reset_confirm, name="password_reset_confirm"),
    path("accounts/reset/done/", views.password_reset_complete, name="password_reset_complete"),
    path("accounts/invitation/<uidb64>/<token>/", views.invitation, name="invitation"),
    path("language/", views.set_language, name="set_language"),
    path("account/", views.account, name="account"),
    path("account/two-factor/", views.second_factor_overview, name="second_factor"),
    path("account/two-factor/setup/", views.second_factor_setup, name="second_factor_setup"),
    path("account/two-factor/recovery-codes/", views.second_factor_codes, name="second_factor_codes"),
    path("account/two-factor/verify/", views.second_factor_verify, name="second_factor_verify"),
    path("account/two-factor/turn-off/", views.second_factor_turn_off, name="second_factor_turn_off"),
]
