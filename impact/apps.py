from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ImpactConfig(AppConfig):
    name = "impact"
    verbose_name = _("Accounts and notifications")

    def ready(self) -> None:
        from django.urls import register_converter

        from impact import shared, tasks  # noqa: F401 (registers the tasks outbox_dispatch sends)
        from impact.ids import IdConverter

        shared.connect()
        # Before any URLconf is read: every app's routes name their ids `<id:...>`.
        register_converter(IdConverter, "id")
