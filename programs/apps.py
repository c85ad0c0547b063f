from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProgramsConfig(AppConfig):
    name = "programs"
    verbose_name = _("Programs")

    def ready(self) -> None:
        # Campaigns never imports programs: the launch gate is registered here.
        from campaigns.launch_checks import launch_check_register
        from programs.readiness import campaign_readiness_enforce

        launch_check_register(campaign_readiness_enforce)
