from django.urls import path

from peerpath.certification import views

app_name = "certification"

P = "p/<slug:program_slug>/certification"
MY = "p/<slug:program_slug>/my"

urlpatterns = [
    path(f"{P}/", views.overview, name="overview"),
    path(f"{P}/settings/", views.settings_edit, name="settings"),
    path(f"{P}/ce-rule/", views.ce_rule, name="ce_rule"),
    path(f"{P}/ce-rule/preset/", views.ce_rule_preset, name="ce_rule_preset"),
    path(f"{P}/ce-rule/subjects/", views.ce_subject_edit, name="ce_subject_new"),
    path(f"{P}/ce-rule/subjects/<int:pk>/", views.ce_subject_edit, name="ce_subject_edit"),
    path(f"{P}/cohorts/<int:cohort_pk>/trainees/<int:pk>/assess/", views.assess, name="assess"),
    path(f"{P}/cohorts/<int:cohort_pk>/trainees/<int:pk>/decide/", views.decide, name="decide"),
    path(f"{P}/people/<int:pk>/", views.record, name="record"),
    path(f"{P}/certificates/<int:pk>/", views.certificate, name="certificate"),
    path(f"{P}/certificates/<int:pk>/revoke/", views.certificate_revoke, name="certificate_revoke"),
    path(f"{P}/certificates/<int:pk>/renew/", views.certificate_renew, name="certificate_renew"),
    path(f"{P}/certificates/<int:pk>/certificate.pdf", views.certificate_pdf_view, name="certificate_pdf"),
    path(f"{P}/certificates/<int:pk>/openbadge.jwt", views.certificate_badge, name="certificate_badge"),
    path(f"{P}/continuing-education/<int:pk>/", views.ce_review, name="ce_review"),
    path(f"{P}/continuing-education/<int:pk>/evidence/", views.ce_evidence, name="ce_evidence"),
    path(f"{MY}/continuing-education/", views.my_ce, name="my_ce"),
    path(f"{MY}/continuing-education/new/", views.my_ce_edit, name="my_ce_new"),
    path(f"{MY}/continuing-education/rule/", views.my_ce_rule, name="my_ce_rule"),
    path(f"{MY}/continuing-education/<int:pk>/", views.my_ce_edit, name="my_ce_edit"),
    path(f"{MY}/continuing-education/<int:pk>/evidence/", views.my_ce_evidence, name="my_ce_evidence"),
    path(f"{MY}/certificates/<int:pk>/certificate.pdf", views.my_certificate_pdf, name="my_certificate_pdf"),
    path(f"{MY}/certificates/<int:pk>/openbadge.jwt", views.my_certificate_badge, name="my_certificate_badge"),
    path("verify/<str:identifier>/", views.verify, name="verify"),
    path("credentials/<slug:program_slug>/jwks.json", views.jwks, name="jwks"),
    path("credentials/<slug:program_slug>/issuer.json", views.issuer, name="issuer"),
    path("credentials/<slug:program_slug>/achievement.json", views.achievement, name="achievement"),
]
