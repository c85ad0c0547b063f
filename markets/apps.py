from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class MarketsConfig(AppConfig):
    name = "markets"
    verbose_name = _("Markets")

    def ready(self) -> None:
        # Campaigns never imports markets: the adapted-campaign gate is registered here.
        from campaigns.launch_checks import launch_check_register
        from markets.adapt import adaptation_enforce

        launch_check_register(adaptation_enforce)
        # A test flush empties the seeded table; put the markets back after each migrate.
        from markets.seed import markets_ensure

        post_migrate.connect(markets_ensure, sender=self, dispatch_uid="markets.markets_ensure")
