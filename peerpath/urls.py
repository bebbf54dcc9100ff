from django.contrib import admin
from django.urls import include, path

# Areas under a fixed prefix come first: one check of the prefix dispatches them, where the
# others are tried pattern by pattern (about 150 of them, a measurable share of a cached page).
urlpatterns = [
    path("admin/", admin.site.urls),
    path("p/<slug:program_slug>/reports/", include("peerpath.reports.urls")),
    path("", include("peerpath.core.urls")),
    path("", include("peerpath.programs.urls")),
    path("", include("peerpath.notifications.urls")),
    path("", include("peerpath.recruitment.urls")),
    path("", include("peerpath.care.urls")),
    path("", include("peerpath.groups.urls")),
    path("", include("peerpath.hours.urls")),
    path("", include("peerpath.credentials.urls")),
    path("", include("peerpath.practice.urls")),
    path("", include("peerpath.plans.urls")),
    path("", include("peerpath.training.urls")),
    path("", include("peerpath.certification.urls")),
    path("", include("peerpath.exchange.urls")),
    path("", include("peerpath.api.urls")),
    path("", include("peerpath.support.urls")),
    path("", include("peerpath.voice.urls")),
]

# A busy or unreachable database raised outside a view answers 503; anything else the 500 page.
handler500 = "peerpath.core.busy.server_error"
