from django.urls import path

from peerpath.credentials import views

app_name = "credentials"

P = "p/<slug:program_slug>/credentials"
MY = "p/<slug:program_slug>/my"

urlpatterns = [
    path(f"{P}/qualifications/", views.qualifications, name="qualifications"),
    path(f"{P}/qualifications/kinds/new/", views.type_edit, name="type_new"),
    path(f"{P}/qualifications/kinds/<int:pk>/", views.type_edit, name="type_edit"),
    path(f"{P}/qualifications/people/<int:pk>/", views.person, name="person"),
    path(f"{P}/qualifications/records/<int:pk>/evidence/", views.evidence, name="evidence"),
    path(f"{P}/credential/", views.setup, name="setup"),
    path(f"{P}/credential/domains/new/", views.domain_edit, name="domain_new"),
    path(f"{P}/credential/domains/<int:pk>/", views.domain_edit, name="domain_edit"),
    path(f"{P}/progress/<int:pk>/", views.person_progress, name="progress"),
    path(f"{P}/progress/<int:pk>/packet.<str:kind>", views.packet, name="packet"),
    path(f"{P}/learning/", views.learning, name="learning"),
    path(f"{P}/learning/settings/", views.learning_settings, name="learning_settings"),
    path(f"{P}/learning/new/", views.module_edit, name="module_new"),
    path(f"{P}/learning/<int:pk>/", views.module, name="module"),
    path(f"{P}/learning/<int:pk>/edit/", views.module_edit, name="module_edit"),
    path(f"{P}/learning/materials/<int:pk>/file/", views.material_file, name="material_file"),
    path(f"{P}/learning/progress/", views.learning_progress, name="learning_progress"),
    path(f"{P}/learning/progress/<int:pk>/", views.learner, name="learner"),
    path(f"{MY}/learning/", views.my_learning, name="my_learning"),
    path(f"{MY}/learning/<int:pk>/", views.my_module, name="my_module"),
    path(f"{MY}/learning/materials/<int:pk>/file/", views.my_material_file, name="my_material_file"),
    path(f"{MY}/credential/", views.my_progress, name="my_progress"),
    path(f"{MY}/credential/packet.<str:kind>", views.my_packet, name="my_packet"),
    path(f"{MY}/qualifications/", views.mine, name="mine"),
    path(f"{MY}/qualifications/<int:pk>/sign/", views.sign, name="sign"),
]
