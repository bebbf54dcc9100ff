from django.urls import path

from peerpath.programs import views

app_name = "programs"

urlpatterns = [
    path("", views.start, name="start"),
    path("programs/", views.choose, name="choose"),
    path("p/<slug:program_slug>/", views.home, name="home"),
    path("p/<slug:program_slug>/settings/", views.settings_index, name="settings_index"),
    path("p/<slug:program_slug>/settings/program/", views.settings_edit, name="settings"),
    path("p/<slug:program_slug>/settings/two-factor/", views.second_factor_settings, name="second_factor_settings"),
    path("p/<slug:program_slug>/settings/retention/", views.retention_settings, name="retention"),
    path("p/<slug:program_slug>/settings/health/", views.system_health, name="system_health"),
    path("p/<slug:program_slug>/settings/undelivered/", views.undelivered, name="undelivered"),
    path(
        "p/<slug:program_slug>/settings/undelivered/<int:pk>/resend/",
        views.undelivered_resend,
        name="undelivered_resend",
    ),
    path("p/<slug:program_slug>/members/", views.members, name="members"),
    path("p/<slug:program_slug>/members/<int:pk>/", views.member_edit, name="member_edit"),
    path(
        "p/<slug:program_slug>/members/<int:pk>/two-factor/reset/",
        views.member_second_factor_reset,
        name="member_second_factor_reset",
    ),
    path("p/<slug:program_slug>/competencies/", views.competencies, name="competencies"),
    path("p/<slug:program_slug>/competencies/new/", views.competency_edit, name="competency_new"),
    path("p/<slug:program_slug>/competencies/<int:pk>/", views.competency_edit, name="competency_edit"),
    path("p/<slug:program_slug>/areas/new/", views.focus_area_edit, name="focus_area_new"),
    path("p/<slug:program_slug>/areas/<int:pk>/", views.focus_area_edit, name="focus_area_edit"),
    path("p/<slug:program_slug>/audit/", views.audit_log, name="audit_log"),
]
