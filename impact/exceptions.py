"""Domain exceptions shared by every app; the API handler maps each to one HTTP answer."""

from django.utils.translation import gettext_lazy as _


class Conflict(Exception):
    """The request is valid but clashes with the current state (answered with 409)."""

    default_message = _("This conflicts with the current state.")

    def __init__(self, message=None, *, code: str = "conflict"):
        self.message = message or self.default_message
        self.code = code
        super().__init__(str(self.message))


class DeliveryDeferred(Exception):
    """A transient delivery failure: try the notification again after `countdown` seconds."""

    def __init__(self, countdown: int):
        self.countdown = countdown
        super().__init__(f"retry in {countdown}s")
