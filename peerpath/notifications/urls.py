from django.urls import path

from peerpath.notifications import views

app_name = "notifications"

urlpatterns = [
    path("notifications/", views.inbox, name="inbox"),
    path("notifications/read/", views.read_all, name="read_all"),
    path("notifications/<int:pk>/open/", views.open_notice, name="open"),
    path("notifications/pages/<str:token>/", views.page, name="page"),
    path("account/notifications/", views.preferences, name="preferences"),
    path("sms/inbound/", views.sms_inbound, name="sms_inbound"),
    path("sms/status/", views.sms_status, name="sms_status"),
    path("p/<slug:program_slug>/notifications/failed/", views.failed, name="failed"),
    path("p/<slug:program_slug>/notifications/failed/<int:pk>/retry/", views.retry, name="retry"),
]
