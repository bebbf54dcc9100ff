from django.urls import path

from peerpath.training import views

app_name = "training"

P = "p/<slug:program_slug>/training"

urlpatterns = [
    path(f"{P}/curriculum/", views.curriculum, name="curriculum"),
    path(f"{P}/curriculum/coverage/", views.coverage, name="coverage"),
    path(f"{P}/curriculum/modules/new/", views.module_edit, name="module_new"),
    path(f"{P}/curriculum/modules/<int:pk>/", views.module_edit, name="module_edit"),
    path(f"{P}/curriculum/topics/new/", views.topic_edit, name="topic_new"),
    path(f"{P}/curriculum/topics/<int:pk>/", views.topic_edit, name="topic_edit"),
    path(f"{P}/cohorts/", views.cohorts, name="cohorts"),
    path(f"{P}/cohorts/new/", views.cohort_edit, name="cohort_new"),
    path(f"{P}/cohorts/<int:pk>/", views.cohort, name="cohort"),
    path(f"{P}/cohorts/<int:pk>/edit/", views.cohort_edit, name="cohort_edit"),
    path(f"{P}/cohorts/<int:pk>/enrol/", views.cohort_enrol, name="cohort_enrol"),
    path(
        f"{P}/cohorts/<int:pk>/enrolments/<int:enrolment_pk>/leave/",
        views.enrolment_withdraw,
        name="enrolment_withdraw",
    ),
    path(f"{P}/cohorts/<int:pk>/sessions/new/", views.session_edit, name="session_new"),
    path(f"{P}/cohorts/<int:pk>/sessions/<int:session_pk>/edit/", views.session_edit, name="session_edit"),
    path(f"{P}/cohorts/<int:pk>/role-plays/new/", views.role_play_add, name="role_play_add"),
    path(f"{P}/cohorts/<int:pk>/shadowing/new/", views.shadowing_add, name="shadowing_add"),
    path(f"{P}/sessions/<int:pk>/", views.session, name="session"),
    path(f"{P}/sessions/<int:pk>/cancel/", views.session_cancel, name="session_cancel"),
    path(f"{P}/feedback/", views.feedback, name="feedback"),
    path(f"{P}/refreshers/", views.refreshers, name="refreshers"),
    path(f"{P}/refreshers/new/", views.refresher_edit, name="refresher_new"),
    path(f"{P}/refreshers/<int:pk>/edit/", views.refresher_edit, name="refresher_edit"),
    path("p/<slug:program_slug>/my/cohorts/", views.my_cohorts, name="my_cohorts"),
    path("p/<slug:program_slug>/my/training/", views.my_training, name="my_training"),
    path(
        "p/<slug:program_slug>/my/training/feedback/sessions/<int:pk>/", views.feedback_session, name="feedback_session"
    ),
    path("p/<slug:program_slug>/my/training/feedback/courses/<int:pk>/", views.feedback_course, name="feedback_course"),
    path("p/<slug:program_slug>/my/training/shadowing/new/", views.my_shadowing_add, name="my_shadowing_add"),
    path(
        "p/<slug:program_slug>/my/training/shadowing/<int:pk>/comment/",
        views.shadowing_comment,
        name="shadowing_comment",
    ),
    path("p/<slug:program_slug>/my/calendar/", views.calendar, name="calendar"),
    path("p/<slug:program_slug>/my/calendar/cohorts/<int:pk>/", views.calendar_subscribe, name="calendar_subscribe"),
    path("p/<slug:program_slug>/my/calendar/<int:pk>/renew/", views.calendar_renew, name="calendar_renew"),
    path("calendar/<str:token>.ics", views.feed, name="feed"),
]
