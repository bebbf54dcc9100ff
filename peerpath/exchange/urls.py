from django.urls import path

from peerpath.exchange import views

app_name = "exchange"
P = "p/<slug:program_slug>/exchange"

urlpatterns = [
    path(f"{P}/", views.home, name="home"),
    path(f"{P}/templates/<slug:kind>.<str:fmt>", views.template_file, name="template"),
    path(f"{P}/import/<slug:kind>/", views.upload, name="upload"),
    path(f"{P}/imports/<int:pk>/", views.batch, name="batch"),
    path(f"{P}/imports/<int:pk>/apply/", views.batch_apply, name="batch_apply"),
    path(f"{P}/imports/<int:pk>/discard/", views.batch_discard, name="batch_discard"),
    path(f"{P}/archive.zip", views.archive, name="archive"),
]
