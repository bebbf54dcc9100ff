from django.urls import path

from peerpath.care import views

app_name = "care"

P = "p/<slug:program_slug>/care"

urlpatterns = [
    # The supporter's own pages
    path(f"{P}/me/", views.my_care, name="my_care"),
    path(f"{P}/me/check-in/", views.checkin, name="checkin"),
    path(f"{P}/me/check-ins/<int:pk>/", views.my_checkin, name="my_checkin"),
    path(f"{P}/me/debriefs/", views.my_debriefs, name="my_debriefs"),
    path(f"{P}/me/breaks/", views.my_breaks, name="my_breaks"),
    path(f"{P}/me/breaks/<int:pk>/back/", views.my_break_back, name="my_break_back"),
    path(f"{P}/me/breaks/<int:pk>/cancel/", views.my_break_cancel, name="my_break_cancel"),
    path(f"{P}/me/recognition/<int:pk>/certificate.pdf", views.my_certificate, name="my_certificate"),
    path(f"{P}/me/updates/", views.my_updates, name="my_updates"),
    # Supervisors and coordinators
    path(f"{P}/supporters/", views.supporters, name="supporters"),
    path(f"{P}/supporters/<int:pk>/", views.supporter, name="supporter"),
    path(f"{P}/check-ins/<int:pk>/", views.checkin_detail, name="checkin_detail"),
    path(f"{P}/debriefs/<int:pk>/", views.debrief, name="debrief"),
    path(f"{P}/supervision/", views.meetings, name="meetings"),
    path(f"{P}/supervision/new/", views.meeting_new, name="meeting_new"),
    path(f"{P}/supervision/<int:pk>/", views.meeting_edit, name="meeting_edit"),
    path(f"{P}/supervision/hours/", views.supervision_hours, name="supervision_hours"),
    path(f"{P}/tasks/", views.tasks, name="tasks"),
    path(f"{P}/tasks/<int:pk>/done/", views.task_done, name="task_done"),
    path(f"{P}/attention/", views.attention, name="attention"),
    path(f"{P}/topics/", views.topics, name="topics"),
    path(f"{P}/topics/plan/", views.topic_plan, name="topic_plan"),
    # Coordinators
    path(f"{P}/supervisors/", views.supervisors, name="supervisors"),
    path(f"{P}/settings/", views.settings_edit, name="settings"),
    path(f"{P}/questionnaires/", views.questionnaires, name="questionnaires"),
    path(f"{P}/questionnaires/import/", views.questionnaire_import, name="questionnaire_import"),
    path(f"{P}/questionnaires/<int:pk>/", views.questionnaire, name="questionnaire"),
    path(f"{P}/questionnaires/<int:pk>/export.json", views.questionnaire_export, name="questionnaire_export"),
    path(f"{P}/questionnaires/<int:pk>/active/", views.questionnaire_active, name="questionnaire_active"),
    path(f"{P}/questionnaires/<int:pk>/use/", views.questionnaire_use, name="questionnaire_use"),
    path(f"{P}/breaks/", views.breaks, name="breaks"),
    path(f"{P}/breaks/new/", views.break_new, name="break_new"),
    path(f"{P}/breaks/<int:pk>/end/", views.break_end, name="break_end"),
    path(f"{P}/breaks/<int:pk>/cancel/", views.break_cancel, name="break_cancel"),
    path(f"{P}/buddies/", views.buddies, name="buddies"),
    path(f"{P}/buddies/pair/", views.buddy_pair, name="buddy_pair"),
    path(f"{P}/buddies/<int:pk>/end/", views.buddy_end, name="buddy_end"),
    path(f"{P}/recognition/", views.recognition, name="recognition"),
    path(f"{P}/recognition/new/", views.recognition_new, name="recognition_new"),
    path(f"{P}/recognition/<int:pk>/certificate.pdf", views.recognition_certificate, name="recognition_certificate"),
    # Newsletters
    path(f"{P}/newsletters/", views.newsletters, name="newsletters"),
    path(f"{P}/newsletters/new/", views.newsletter_new, name="newsletter_new"),
    path(f"{P}/newsletters/<int:pk>/", views.newsletter, name="newsletter"),
    path(f"{P}/newsletters/<int:pk>/edit/", views.newsletter_edit, name="newsletter_edit"),
    path(f"{P}/newsletters/<int:pk>/send/", views.newsletter_send, name="newsletter_send"),
    path("updates/unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
]
