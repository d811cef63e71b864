from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ImpactConfig(AppConfig):
    name = "impact"
    verbose_name = _("Accounts and notifications")

    def ready(self) -> None:
        from impact import pagecache

        pagecache.connect()
