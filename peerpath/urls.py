from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("", include("peerpath.core.urls")),
    path("", include("peerpath.programs.urls")),
    path("", include("peerpath.recruitment.urls")),
    path("", include("peerpath.care.urls")),
    path("", include("peerpath.training.urls")),
    path("", include("peerpath.certification.urls")),
    path("", include("peerpath.reports.urls")),
    path("", include("peerpath.exchange.urls")),
    path("", include("peerpath.api.urls")),
    path("", include("peerpath.support.urls")),
]
