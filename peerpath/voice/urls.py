from django.urls import path

from peerpath.voice import views

app_name = "voice"

P = "p/<slug:program_slug>/voice"

urlpatterns = [
    # The participant's link: no account, a signed single-use token.
    path("voice/answer/<str:token>/", views.answer, name="answer"),
    path(f"{P}/feedback/", views.feedback_list, name="feedback"),
    path(f"{P}/feedback/<int:pk>/", views.answer_detail, name="answer_detail"),
    path(f"{P}/feedback/<int:pk>/rematch/", views.answer_rematch, name="answer_rematch"),
    path(f"{P}/settings/", views.settings_edit, name="settings"),
    path(f"{P}/settings/add-measure/", views.add_project_measure, name="add_project_measure"),
    path(
        f"{P}/relationships/<int:pk>/measures/<int:questionnaire_pk>/",
        views.outcome_new,
        name="outcome_new",
    ),
    path(f"{P}/participants/<int:pk>/summary/", views.summary, name="summary"),
    path(f"{P}/participants/<int:pk>/summary.pdf", views.summary_pdf, name="summary_pdf"),
    path(f"{P}/participants/<int:pk>/consents/", views.consents, name="consents"),
    path(f"{P}/relationships/<int:pk>/becoming-a-supporter/", views.peer_interest, name="peer_interest"),
    path(f"{P}/former-participants/", views.former_participants, name="former_participants"),
    path(f"{P}/former-participants/<int:pk>/invite/", views.invite_former, name="invite_former"),
]
