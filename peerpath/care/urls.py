from django.urls import path

from peerpath.care.views import care_tasks, newsletters, own, setup, supervision, supporters, team, topics

app_name = "care"

P = "p/<slug:program_slug>/care"

urlpatterns = [
    # The supporter's own pages
    path(f"{P}/me/", own.my_care, name="my_care"),
    path(f"{P}/me/check-in/", own.checkin, name="checkin"),
    path(f"{P}/me/check-ins/<int:pk>/", own.my_checkin, name="my_checkin"),
    path(f"{P}/me/debriefs/", own.my_debriefs, name="my_debriefs"),
    path(f"{P}/me/breaks/", own.my_breaks, name="my_breaks"),
    path(f"{P}/me/breaks/<int:pk>/back/", own.my_break_back, name="my_break_back"),
    path(f"{P}/me/breaks/<int:pk>/cancel/", own.my_break_cancel, name="my_break_cancel"),
    path(f"{P}/me/recognition/<int:pk>/certificate.pdf", own.my_certificate, name="my_certificate"),
    path(f"{P}/me/updates/", own.my_updates, name="my_updates"),
    # Supervisors and coordinators
    path(f"{P}/supporters/", supporters.supporters, name="supporters"),
    path(f"{P}/supporters/<int:pk>/", supporters.supporter, name="supporter"),
    path(f"{P}/supporters/<int:pk>/match-pause/", supporters.match_pause, name="match_pause"),
    path(f"{P}/check-ins/<int:pk>/", supporters.checkin_detail, name="checkin_detail"),
    path(f"{P}/debriefs/<int:pk>/", supporters.debrief, name="debrief"),
    path(f"{P}/supervision/", supervision.meetings, name="meetings"),
    path(f"{P}/supervision/new/", supervision.meeting_new, name="meeting_new"),
    path(f"{P}/supervision/<int:pk>/", supervision.meeting_edit, name="meeting_edit"),
    path(f"{P}/supervision/hours/", supervision.supervision_hours, name="supervision_hours"),
    path(f"{P}/tasks/", care_tasks.tasks, name="tasks"),
    path(f"{P}/tasks/<int:pk>/done/", care_tasks.task_done, name="task_done"),
    path(f"{P}/attention/", care_tasks.attention, name="attention"),
    path(f"{P}/topics/", topics.topics, name="topics"),
    path(f"{P}/topics/plan/", topics.topic_plan, name="topic_plan"),
    # Coordinators
    path(f"{P}/supervisors/", setup.supervisors, name="supervisors"),
    path(f"{P}/settings/", setup.settings_edit, name="settings"),
    path(f"{P}/questionnaires/", setup.questionnaires, name="questionnaires"),
    path(f"{P}/questionnaires/import/", setup.questionnaire_import, name="questionnaire_import"),
    path(f"{P}/questionnaires/<int:pk>/", setup.questionnaire, name="questionnaire"),
    path(f"{P}/questionnaires/<int:pk>/export.json", setup.questionnaire_export, name="questionnaire_export"),
    path(f"{P}/questionnaires/<int:pk>/active/", setup.questionnaire_active, name="questionnaire_active"),
    path(f"{P}/questionnaires/<int:pk>/use/", setup.questionnaire_use, name="questionnaire_use"),
    path(f"{P}/breaks/", team.breaks, name="breaks"),
    path(f"{P}/breaks/new/", team.break_new, name="break_new"),
    path(f"{P}/breaks/<int:pk>/end/", team.break_end, name="break_end"),
    path(f"{P}/breaks/<int:pk>/cancel/", team.break_cancel, name="break_cancel"),
    path(f"{P}/buddies/", team.buddies, name="buddies"),
    path(f"{P}/buddies/pair/", team.buddy_pair, name="buddy_pair"),
    path(f"{P}/buddies/<int:pk>/end/", team.buddy_end, name="buddy_end"),
    path(f"{P}/recognition/", team.recognition, name="recognition"),
    path(f"{P}/recognition/new/", team.recognition_new, name="recognition_new"),
    path(f"{P}/recognition/<int:pk>/certificate.pdf", team.recognition_certificate, name="recognition_certificate"),
    # Newsletters
    path(f"{P}/newsletters/", newsletters.newsletters, name="newsletters"),
    path(f"{P}/newsletters/new/", newsletters.newsletter_new, name="newsletter_new"),
    path(f"{P}/newsletters/<int:pk>/", newsletters.newsletter, name="newsletter"),
    path(f"{P}/newsletters/<int:pk>/edit/", newsletters.newsletter_edit, name="newsletter_edit"),
    path(f"{P}/newsletters/<int:pk>/send/", newsletters.newsletter_send, name="newsletter_send"),
    path("updates/unsubscribe/<str:token>/", newsletters.unsubscribe, name="unsubscribe"),
]
