from django.urls import path

from peerpath.support.views import (
    concerns,
    contacts,
    coordinator,
    matching,
    participants,
    public_request,
    relationships,
    supporters,
)

app_name = "support"

P = "p/<slug:program_slug>/support"

urlpatterns = [
    path("ask/<slug:program_slug>/", public_request.request_form, name="request"),
    path("ask/<slug:program_slug>/thanks/", public_request.request_thanks, name="request_thanks"),
    path(f"{P}/participants/", participants.participants, name="participants"),
    path(f"{P}/participants/new/", participants.participant_new, name="participant_new"),
    path(f"{P}/participants/<int:pk>/", participants.participant, name="participant"),
    path(f"{P}/participants/<int:pk>/edit/", participants.participant_edit, name="participant_edit"),
    path(f"{P}/participants/<int:pk>/export/", participants.participant_export, name="participant_export"),
    path(f"{P}/participants/<int:pk>/erase/", participants.participant_erase, name="participant_erase"),
    path(f"{P}/participants/<int:pk>/conflicts/", participants.conflict_add, name="conflict_add"),
    path(f"{P}/participants/<int:pk>/match/", matching.participant_match, name="participant_match"),
    path(f"{P}/matching/", matching.batch, name="batch"),
    path(f"{P}/matching/<int:pk>/", matching.batch_run, name="batch_run"),
    path(f"{P}/matching/<int:pk>/publish/", matching.batch_publish, name="batch_publish"),
    path(f"{P}/matching/<int:pk>/discard/", matching.batch_discard, name="batch_discard"),
    path(f"{P}/offers/<int:pk>/", relationships.offer, name="offer"),
    path(f"{P}/relationships/<int:pk>/", relationships.relationship, name="relationship"),
    path(f"{P}/relationships/<int:pk>/move/", relationships.relationship_move, name="relationship_move"),
    path(f"{P}/relationships/<int:pk>/rematch/", relationships.relationship_rematch, name="relationship_rematch"),
    path(f"{P}/relationships/<int:pk>/conflict/", relationships.relationship_conflict, name="relationship_conflict"),
    path(f"{P}/relationships/<int:pk>/fit/", relationships.relationship_fit, name="relationship_fit"),
    path(
        f"{P}/relationships/<int:pk>/fit-rematch/",
        relationships.relationship_fit_rematch,
        name="relationship_fit_rematch",
    ),
    path(f"{P}/relationships/<int:pk>/contacts/new/", contacts.contact_new, name="contact_new"),
    path(f"{P}/relationships/<int:pk>/contacts/draft/", contacts.contact_draft, name="contact_draft"),
    path(f"{P}/relationships/<int:pk>/concerns/new/", concerns.concern_new, name="concern_new"),
    path(f"{P}/relationships/<int:pk>/adverse-events/new/", concerns.adverse_event_new, name="adverse_event_new"),
    path(f"{P}/contacts/<int:pk>/correct/", contacts.contact_correct, name="contact_correct"),
    path(f"{P}/concerns/", concerns.concerns, name="concerns"),
    path(f"{P}/concerns/<int:pk>/", concerns.concern, name="concern"),
    path(f"{P}/concerns/<int:pk>/details/", concerns.concern_details, name="concern_details"),
    path(f"{P}/concerns/<int:pk>/acknowledge/", concerns.concern_acknowledge, name="concern_acknowledge"),
    path(f"{P}/concerns/<int:pk>/follow-up/", concerns.concern_follow_up, name="concern_follow_up"),
    path(f"{P}/my-participants/", supporters.caseload, name="caseload"),
    path(f"{P}/my-profile/", supporters.my_profile, name="my_profile"),
    path(f"{P}/supporters/", supporters.supporters, name="supporters"),
    path(f"{P}/supporters/<int:pk>/profile/", supporters.supporter_profile, name="supporter_profile"),
    path(f"{P}/supervision/", supporters.supervision, name="supervision"),
    path(f"{P}/supervision/cover/", supporters.cover_add, name="cover_add"),
    path(f"{P}/supervision/cover/<int:pk>/end/", supporters.cover_end, name="cover_end"),
    path(f"{P}/attention/", coordinator.attention, name="attention"),
    path(f"{P}/settings/", coordinator.support_settings, name="settings"),
    path(f"{P}/notifications/read/", coordinator.notifications_read, name="notifications_read"),
]
