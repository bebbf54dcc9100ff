from django.urls import path

from peerpath.hours import views

app_name = "hours"

P = "p/<slug:program_slug>/hours"

urlpatterns = [
    path(f"{P}/me/", views.mine, name="mine"),
    path(f"{P}/me/duties/new/", views.duty_edit, name="duty_new"),
    path(f"{P}/me/duties/<int:pk>/", views.duty_edit, name="duty_edit"),
    path(f"{P}/supporters/", views.ledgers, name="ledgers"),
    path(f"{P}/supporters/<int:pk>/", views.ledger, name="ledger"),
    path(f"{P}/duties/", views.duties, name="duties"),
    path(f"{P}/duties/<int:pk>/", views.duty_review, name="duty_review"),
    path(f"{P}/settings/", views.settings_edit, name="settings"),
]
