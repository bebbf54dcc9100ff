from django.apps import AppConfig


class RecruitmentConfig(AppConfig):
    name = "peerpath.recruitment"
    label = "recruitment"

    def ready(self) -> None:
        from peerpath.recruitment import notice_kinds

        notice_kinds.register()
        from django.utils.translation import gettext_lazy as _

        from peerpath.core.navigation import MINE, PEOPLE, register_home_panel, register_nav, register_settings
        from peerpath.programs.signals import program_created
        from peerpath.recruitment import defaults, panels

        program_created.connect(defaults.seed_screening, dispatch_uid="recruitment.seed_screening")

        register_nav(_("Recruitment"), "recruitment:board", "recruitment.view_board", group=PEOPLE.key, order=10)
        register_nav(_("My pathway"), "recruitment:my_pathway", "recruitment.view_own_pathway", group=MINE.key, order=5)
        register_settings(
            _("Screening"),
            "recruitment:setup",
            "recruitment.edit_screening_setup",
            description=_("The screening questions asked in interviews and the red flags to watch for."),
            order=30,
        )
        register_home_panel("recruitment", panels.coordinator_panel, order=10, cached=True)
        register_home_panel("my_pathway", panels.my_pathway_panel, order=5, cached=True)
