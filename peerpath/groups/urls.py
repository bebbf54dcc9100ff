from django.urls import path

from peerpath.groups import views

app_name = "groups"

P = "p/<slug:program_slug>/groups"

urlpatterns = [
    # Coordinators
    path(f"{P}/", views.groups, name="groups"),
    path(f"{P}/new/", views.group_new, name="group_new"),
    path(f"{P}/waiting/", views.waiting, name="waiting"),
    path(f"{P}/kinds/", views.kinds, name="kinds"),
    path(f"{P}/kinds/<int:pk>/", views.kind_edit, name="kind_edit"),
    path(f"{P}/settings/", views.settings_edit, name="settings"),
    path(f"{P}/<int:pk>/", views.group, name="group"),
    path(f"{P}/<int:pk>/edit/", views.group_edit, name="group_edit"),
    path(f"{P}/<int:pk>/sessions/add/", views.session_add, name="session_add"),
    path(f"{P}/<int:pk>/members/add/", views.member_add, name="member_add"),
    path(f"{P}/members/<int:pk>/leave/", views.member_leave, name="member_leave"),
    path(f"{P}/members/<int:pk>/accept/", views.member_accept, name="member_accept"),
    # Sessions: coordinators and facilitators
    path(f"{P}/sessions/<int:pk>/", views.session, name="session"),
    path(f"{P}/sessions/<int:pk>/attendance/", views.session_attendance, name="session_attendance"),
    path(f"{P}/sessions/<int:pk>/event-attendance/", views.session_event_attendance, name="session_event_attendance"),
    path(f"{P}/sessions/<int:pk>/notes/", views.session_notes, name="session_notes"),
    path(f"{P}/sessions/<int:pk>/debrief/", views.session_debrief, name="session_debrief"),
    path(f"{P}/sessions/<int:pk>/move/", views.session_move, name="session_move"),
    path(f"{P}/sessions/<int:pk>/cancel/", views.session_cancel, name="session_cancel"),
    path(f"{P}/sessions/<int:pk>/concern/", views.session_concern, name="session_concern"),
    path(f"{P}/sessions/<int:pk>/restore/", views.session_restore, name="session_restore"),
    path(f"{P}/sessions/<int:pk>/cover/", views.cover_ask, name="cover_ask"),
    path(f"{P}/cover/<int:pk>/take/", views.cover_take, name="cover_take"),
    path(f"{P}/cover/<int:pk>/withdraw/", views.cover_withdraw, name="cover_withdraw"),
    # Supporters
    path(f"{P}/mine/", views.mine, name="mine"),
    path(f"{P}/events/", views.events, name="events"),
    path(f"{P}/events/<int:pk>/rsvp/", views.event_rsvp, name="event_rsvp"),
    # Public
    path("groups/<slug:program_slug>/", views.public_groups, name="public_groups"),
    path("groups/<slug:program_slug>/<int:pk>/join/", views.public_join, name="public_join"),
    path("groups/<slug:program_slug>/thanks/", views.public_thanks, name="public_thanks"),
    path("groups/feed/<str:token>.ics", views.feed, name="feed"),
]
