from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SegmentsConfig(AppConfig):
    name = "segments"
    verbose_name = _("Segments")

    def ready(self) -> None:
        # The `event` leaf: events sits below segments. The other behaviour leaves are
        # registered by the apps above that keep their tables (segments/leaves.py).
        from segments.event_leaf import event_leaf_register

        event_leaf_register()

        # "Add to a list" in the creators list's bulk bar (creators sits below segments).
        from common.sections import page_section_register
        from segments.views import bulk_add_to_list_section

        page_section_register(page="creator-bulk", section=bulk_add_to_list_section)
