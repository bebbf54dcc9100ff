from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("", include("peerpath.core.urls")),
    path("", include("peerpath.programs.urls")),
    path("", include("peerpath.recruitment.urls")),
    path("", include("peerpath.support.urls")),
]
