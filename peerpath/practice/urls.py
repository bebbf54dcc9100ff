from django.urls import path

from peerpath.practice import views

app_name = "practice"

P = "p/<slug:program_slug>/practice"

urlpatterns = [
    path(f"{P}/", views.home, name="home"),
    path(f"{P}/scenarios/<int:pk>/start/", views.start, name="start"),
    path(f"{P}/sessions/<int:pk>/", views.session_page, name="session"),
    path(f"{P}/sessions/<int:pk>/reply/", views.reply, name="reply"),
    path(f"{P}/sessions/<int:pk>/stop/", views.stop, name="stop"),
    path(f"{P}/sessions/<int:pk>/evidence/", views.evidence, name="evidence"),
    path(f"{P}/sessions/<int:pk>/replies/<int:reply_pk>/comment/", views.comment, name="comment"),
    path(f"{P}/sessions/<int:pk>/replies/<int:reply_pk>/correct/", views.correct, name="correct"),
    path(f"{P}/review/", views.review, name="review"),
    path(f"{P}/library/", views.scenarios, name="scenarios"),
    path(f"{P}/library/new/", views.scenario_new, name="scenario_new"),
    path(f"{P}/library/<int:pk>/", views.scenario, name="scenario"),
    path(f"{P}/library/<int:pk>/preview/", views.preview, name="preview"),
    path(f"{P}/library/<int:pk>/steps/new/", views.step_new, name="step_new"),
    path(f"{P}/library/<int:pk>/steps/<int:step_pk>/", views.step_edit, name="step_edit"),
    path(f"{P}/library/<int:pk>/steps/<int:step_pk>/delete/", views.step_delete, name="step_delete"),
    path(f"{P}/settings/", views.settings_edit, name="settings"),
]
