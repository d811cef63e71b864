from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MetricsConfig(AppConfig):
    name = "metrics"
    verbose_name = _("Metrics")

    def ready(self) -> None:
        # Registers the spin-out copier for metric definitions and the quick log's part of
        # a group's page.
        from metrics import services, views  # noqa: F401
