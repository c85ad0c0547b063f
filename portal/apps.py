from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = _("Creator portal")

    def ready(self) -> None:
        # The creator page's "Portal" card (creators sits below portal).
        from common.sections import page_section_register
        from portal.ops import creator_portal_section

        page_section_register(page="creator", section=creator_portal_section)
