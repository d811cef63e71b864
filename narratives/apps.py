from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NarrativesConfig(AppConfig):
    name = "narratives"
    verbose_name = _("Narratives")

    def ready(self) -> None:
        # Registers the spin-out copier for the adopted narrative and the open requests for
        # help on a group's page.
        from narratives import selectors, services  # noqa: F401
