from django.urls import path

from peerpath.plans import views

app_name = "plans"

P = "p/<slug:program_slug>/plans"

urlpatterns = [
    path(f"{P}/relationships/<int:pk>/", views.plan, name="plan"),
    path(f"{P}/relationships/<int:pk>/goals/new/", views.goal_new, name="goal_new"),
    path(f"{P}/relationships/<int:pk>/reviews/", views.review_new, name="review_new"),
    path(f"{P}/goals/<int:pk>/", views.goal, name="goal"),
    path(f"{P}/goals/<int:pk>/status/", views.goal_move, name="goal_move"),
    path(f"{P}/goals/<int:pk>/steps/", views.step_new, name="step_new"),
    path(f"{P}/goals/<int:pk>/progress/", views.progress_new, name="progress_new"),
    path(f"{P}/steps/<int:pk>/", views.step_edit, name="step_edit"),
    path(f"{P}/progress/", views.progress, name="progress"),
    path(f"{P}/settings/", views.settings_edit, name="settings"),
]

urlpatterns += [
    path(f"{P}/participants/<int:pk>/needs/", views.needs, name="needs"),
    path(f"{P}/directory/", views.directory, name="directory"),
    path(f"{P}/directory/new/", views.resource_new, name="resource_new"),
    path(f"{P}/directory/<int:pk>/", views.resource, name="resource"),
    path(f"{P}/directory/<int:pk>/edit/", views.resource_edit, name="resource_edit"),
    path(f"{P}/relationships/<int:pk>/referrals/new/", views.referral_new, name="referral_new"),
    path(f"{P}/referrals/<int:pk>/", views.referral, name="referral"),
    path(f"{P}/referrals/<int:pk>/state/", views.referral_move, name="referral_move"),
]
