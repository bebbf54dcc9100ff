import datetime as dt

from django.apps import AppConfig


class VoiceConfig(AppConfig):
    name = "peerpath.voice"
    label = "voice"
    verbose_name = "The participant's voice"

    def ready(self) -> None:
        from peerpath.voice import notice_kinds

        notice_kinds.register()
        from django.utils.translation import gettext_lazy as _

        from peerpath.core.account_links import register_link
        from peerpath.core.navigation import PEOPLE, SUPPORT, register_home_panel, register_nav, register_settings
        from peerpath.core.scheduler import register_periodic
        from peerpath.support.extensions import register_participant_export
        from peerpath.support.sections import register_relationship_section
        from peerpath.voice import links, panels, queries, tasks

        # A participant's address rests in no queued e-mail: each is read as the e-mail leaves.
        register_link(links.KIND, links.build_for_delivery, links.prefix, links.recipient_for_delivery)
        register_link(links.INVITATION, links.invitation_url, recipient=links.invitation_recipient)
        register_nav(_("Participant feedback"), "voice:feedback", "voice.view_feedback", group=SUPPORT.key, order=40)
        register_nav(
            _("Former participants"),
            "voice:former_participants",
            "voice.invite_former_participants",
            group=PEOPLE.key,
            order=40,
        )
        register_settings(
            _("Participant feedback and outcomes"),
            "voice:settings",
            "voice.edit_settings",
            description=_("Feedback links to participants, outcome measures and how often they are asked."),
            order=55,
        )
        register_home_panel("voice_supporter", panels.supporter_panel, order=5, cached=True)
        register_home_panel("voice_coordinator", panels.coordinator_panel, order=12, cached=True)
        register_relationship_section("voice", panels.relationship_section, order=50)
        register_participant_export("voice", queries.participant_voice)
        register_periodic("voice.send_links", tasks.send_due_links, dt.timedelta(hours=6))
