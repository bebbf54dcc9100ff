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
    path(f"{MY}/qualifications/", views.mine, name="mine"),
    path(f"{MY}/qualifications/<int:pk>/sign/", views.sign, name="sign"),
]
