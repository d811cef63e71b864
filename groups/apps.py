from importlib import import_module

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GroupsConfig(AppConfig):
    name = "groups"
    verbose_name = _("Groups")

    def import_models(self) -> None:
        super().import_models()
        # Meetings and reflection sessions are models of this app in a module of their own;
        # loading it here registers them without groups.models importing the module that
        # imports it.
        import_module("groups.meetings.models")
        import_module("groups.webhooks.models")
