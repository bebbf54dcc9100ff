from django.urls import path

from peerpath.reports import views

app_name = "reports"

# Included under "p/<slug:program_slug>/reports/" (see peerpath/urls.py).
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("refresh/", views.refresh, name="refresh"),
    path("<slug:slug>.<str:fmt>", views.report_download, name="download"),
]
