from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProgramsConfig(AppConfig):
    name = "programs"
    verbose_name = _("Programs")

    def ready(self) -> None:
        # Campaigns never imports programs: the launch gate and who is enrolled (for
        # sequence conditions) are registered here.
        from campaigns.launch_checks import launch_check_register
        from campaigns.sequence_conditions import enrolment_source_register
        from programs.enrolment_source import ENROLMENT_SOURCE
        from programs.readiness import campaign_readiness_enforce
        from programs.segment_leaves import segment_leaves_register

        launch_check_register(campaign_readiness_enforce)
        enrolment_source_register(ENROLMENT_SOURCE)
        # Segment rules on enrolments and metrics (segments/leaves.py).
        segment_leaves_register()
