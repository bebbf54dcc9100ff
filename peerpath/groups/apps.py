import datetime as dt

from django.apps import AppConfig


class GroupsConfig(AppConfig):
    name = "peerpath.groups"
    label = "groups"
    verbose_name = "Peer-led groups and events"

    def ready(self) -> None:
        from peerpath.groups import notice_kinds

        notice_kinds.register()
        from django.utils.translation import gettext_lazy as _

        from peerpath.core.navigation import MINE, SUPPORT, register_home_panel, register_nav, register_settings
        from peerpath.core.permissions import register_condition
        from peerpath.core.scheduler import register_periodic
        from peerpath.groups import panels, queries, retention, services, tasks
        from peerpath.groups.calendar import session_events
        from peerpath.programs.signals import program_created
        from peerpath.recruitment.access import not_while_in_training
        from peerpath.support import extensions
        from peerpath.support.offerings import register_group_offer
        from peerpath.training.extensions import register_feed_source

        program_created.connect(services.seed_kinds, dispatch_uid="groups.seed_kinds")
        register_group_offer("groups", services.offers_groups)
        register_condition(["groups.mine"], not_while_in_training)  # trainees do not facilitate yet

        register_nav(_("My groups"), "groups:mine", "groups.mine", group=MINE.key, order=22)
        register_nav(_("Events"), "groups:events", "groups.events", group=MINE.key, order=60)
        register_nav(_("Groups"), "groups:groups", "groups.manage", group=SUPPORT.key, order=25)
        register_settings(
            _("Groups"),
            "groups:settings",
            "groups.edit_settings",
            description=_("The public groups page, the competency required to facilitate, how far ahead to schedule."),
            order=55,
        )
        # A participant's groups show on their page and go into their own export.
        extensions.register_section("participant", "groups", panels.participant_section, order=40)
        extensions.register_participant_export("groups", queries.participant_export)
        # A facilitator raises a concern or crisis about a member with no relationship to them.
        extensions.register_concern_grounds("groups", queries.concern_grounds)
        # A person's own training calendar feed carries their group sessions and events too.
        register_feed_source("groups", lambda program, owner: session_events(queries.feed_sessions(program, owner)))
        register_home_panel("groups_supporter", panels.supporter_panel, order=5, cached=True)
        register_home_panel("groups_coordinator", panels.coordinator_panel, order=12, cached=True)
        register_periodic("groups.lay_out_series", tasks.lay_out_series, dt.timedelta(days=1))
        # People who asked only for a group are erased after the program's period once they left.
        retention.register()
