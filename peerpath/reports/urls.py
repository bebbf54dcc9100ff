from django.urls import path

from peerpath.reports import views

app_name = "reports"

urlpatterns = [
    path("p/<slug:program_slug>/reports/", views.dashboard, name="dashboard"),
    path("p/<slug:program_slug>/reports/refresh/", views.refresh, name="refresh"),
    path("p/<slug:program_slug>/reports/<slug:slug>.<str:fmt>", views.report_download, name="download"),
]
