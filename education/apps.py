from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EducationConfig(AppConfig):
    name = "education"
    verbose_name = _("Education")

    def ready(self) -> None:
        # Segment rules on lesson progress (segments sits below education: a hook it offers).
        from education.segment_leaves import segment_leaves_register

        segment_leaves_register()
