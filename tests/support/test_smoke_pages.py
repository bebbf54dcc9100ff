"""Every support page renders for the people it is for."""

from __future__ import annotations

from typing import Any

from django.urls import reverse


def test_pages_render_for_their_roles(support: Any) -> None:
    s = support
    slug = s.program.slug
    coordinator = s.client_for(s.coordinator)
    for name, args in [
        ("support:participants", []),
        ("support:participant_new", []),
        ("support:participant", [s.ana.pk]),
        ("support:participant_edit", [s.ana.pk]),
        ("support:participant_match", [s.waiting.pk]),
        ("support:participant_erase", [s.waiting.pk]),
        ("support:batch", []),
        ("support:relationship", [s.ana_rel.pk]),
        ("support:attention", []),
        ("support:supporters", []),
        ("support:supporter_profile", [s.uma.pk]),
        ("support:concerns", []),
        ("support:settings", []),
        ("programs:home", []),
    ]:
        response = coordinator.get(reverse(name, args=[slug, *args]))
        assert response.status_code == 200, name
    supporter = s.client_for(s.supporter)
    for name, args in [
        ("support:caseload", []),
        ("support:my_profile", []),
        ("support:relationship", [s.ana_rel.pk]),
        ("support:participant", [s.ana.pk]),
        ("support:contact_new", [s.ana_rel.pk]),
        ("support:concern_new", [s.ana_rel.pk]),
        ("support:adverse_event_new", [s.ana_rel.pk]),
        ("programs:home", []),
    ]:
        response = supporter.get(reverse(name, args=[slug, *args]))
        assert response.status_code == 200, name
    supervisor = s.client_for(s.supervisor)
    for name, args in [
        ("support:supervision", []),
        ("support:concerns", []),
        ("support:relationship", [s.ana_rel.pk]),
        ("programs:home", []),
    ]:
        response = supervisor.get(reverse(name, args=[slug, *args]))
        assert response.status_code == 200, name
