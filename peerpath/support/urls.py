from django.urls import path

from peerpath.support import views

app_name = "support"

P = "p/<slug:program_slug>/support"

urlpatterns = [
    path("ask/<slug:program_slug>/", views.request_form, name="request"),
    path("ask/<slug:program_slug>/thanks/", views.request_thanks, name="request_thanks"),
    path(f"{P}/participants/", views.participants, name="participants"),
    path(f"{P}/participants/new/", views.participant_new, name="participant_new"),
    path(f"{P}/participants/<int:pk>/", views.participant, name="participant"),
    path(f"{P}/participants/<int:pk>/edit/", views.participant_edit, name="participant_edit"),
    path(f"{P}/participants/<int:pk>/export/", views.participant_export, name="participant_export"),
    path(f"{P}/participants/<int:pk>/erase/", views.participant_erase, name="participant_erase"),
    path(f"{P}/participants/<int:pk>/conflicts/", views.conflict_add, name="conflict_add"),
    path(f"{P}/participants/<int:pk>/match/", views.participant_match, name="participant_match"),
    path(f"{P}/matching/", views.batch, name="batch"),
    path(f"{P}/matching/<int:pk>/", views.batch_run, name="batch_run"),
    path(f"{P}/matching/<int:pk>/publish/", views.batch_publish, name="batch_publish"),
    path(f"{P}/matching/<int:pk>/discard/", views.batch_discard, name="batch_discard"),
    path(f"{P}/offers/<int:pk>/", views.offer, name="offer"),
    path(f"{P}/relationships/<int:pk>/", views.relationship, name="relationship"),
    path(f"{P}/relationships/<int:pk>/move/", views.relationship_move, name="relationship_move"),
    path(f"{P}/relationships/<int:pk>/rematch/", views.relationship_rematch, name="relationship_rematch"),
    path(f"{P}/relationships/<int:pk>/conflict/", views.relationship_conflict, name="relationship_conflict"),
    path(f"{P}/relationships/<int:pk>/contacts/new/", views.contact_new, name="contact_new"),
    path(f"{P}/relationships/<int:pk>/contacts/draft/", views.contact_draft, name="contact_draft"),
    path(f"{P}/relationships/<int:pk>/concerns/new/", views.concern_new, name="concern_new"),
    path(f"{P}/relationships/<int:pk>/adverse-events/new/", views.adverse_event_new, name="adverse_event_new"),
    path(f"{P}/contacts/<int:pk>/correct/", views.contact_correct, name="contact_correct"),
    path(f"{P}/concerns/", views.concerns, name="concerns"),
    path(f"{P}/concerns/<int:pk>/", views.concern, name="concern"),
    path(f"{P}/concerns/<int:pk>/acknowledge/", views.concern_acknowledge, name="concern_acknowledge"),
    path(f"{P}/concerns/<int:pk>/follow-up/", views.concern_follow_up, name="concern_follow_up"),
    path(f"{P}/my-participants/", views.caseload, name="caseload"),
    path(f"{P}/my-profile/", views.my_profile, name="my_profile"),
    path(f"{P}/supporters/", views.supporters, name="supporters"),
    path(f"{P}/supporters/<int:pk>/profile/", views.supporter_profile, name="supporter_profile"),
    path(f"{P}/supervision/", views.supervision, name="supervision"),
    path(f"{P}/supervision/cover/", views.cover_add, name="cover_add"),
    path(f"{P}/supervision/cover/<int:pk>/end/", views.cover_end, name="cover_end"),
    path(f"{P}/attention/", views.attention, name="attention"),
    path(f"{P}/settings/", views.support_settings, name="settings"),
    path(f"{P}/notifications/read/", views.notifications_read, name="notifications_read"),
]
