from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MetricsConfig(AppConfig):
    name = "metrics"
    verbose_name = _("Metrics")

    def ready(self) -> None:
        # Registers the spin-out copier for metric definitions.
        from metrics import services  # noqa: F401
