from django.urls import path

from peerpath.recruitment import views

app_name = "recruitment"

P = "p/<slug:program_slug>/recruitment"

urlpatterns = [
    path("apply/<slug:program_slug>/", views.apply, name="apply"),
    path("apply/<slug:program_slug>/thanks/", views.apply_thanks, name="apply_thanks"),
    path(f"{P}/", views.board, name="board"),
    path(f"{P}/people/<int:pk>/", views.person, name="person"),
    path(f"{P}/people/<int:pk>/interviews/new/", views.interview_schedule, name="interview_schedule"),
    path(f"{P}/people/<int:pk>/move/", views.person_move, name="person_move"),
    path(f"{P}/people/<int:pk>/supervisor/", views.person_supervisor, name="person_supervisor"),
    path(f"{P}/people/<int:pk>/milestones/new/", views.milestone_add, name="milestone_add"),
    path(f"{P}/applications/<int:pk>/", views.application, name="application"),
    path(f"{P}/applications/<int:pk>/review/", views.application_review, name="application_review"),
    path(f"{P}/applications/<int:pk>/reopen/", views.application_reopen, name="application_reopen"),
    path(f"{P}/interviews/<int:pk>/", views.interview, name="interview"),
    path(f"{P}/interviews/<int:pk>/decision/", views.interview_decide, name="interview_decide"),
    path(f"{P}/interviews/<int:pk>/cancel/", views.interview_cancel, name="interview_cancel"),
    path(f"{P}/setup/", views.setup, name="setup"),
    path(f"{P}/setup/questions/new/", views.question_edit, name="question_new"),
    path(f"{P}/setup/questions/<int:pk>/", views.question_edit, name="question_edit"),
    path(f"{P}/setup/red-flags/new/", views.red_flag_edit, name="red_flag_new"),
    path(f"{P}/setup/red-flags/<int:pk>/", views.red_flag_edit, name="red_flag_edit"),
    path("p/<slug:program_slug>/my/pathway/", views.my_pathway, name="my_pathway"),
]
