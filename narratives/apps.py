from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NarrativesConfig(AppConfig):
    name = "narratives"
    verbose_name = _("Narratives")

    def ready(self) -> None:
        # Registers the spin-out copier for the adopted narrative.
        from narratives import services  # noqa: F401
