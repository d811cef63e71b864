import uuid
from decimal import Decimal

from django import template

register = template.Library()


@register.filter
def per_hour(series, effort) -> Decimal:
    """Impact per hour of the group's effort over the same weeks ("more impact with less effort")."""
    if not effort.minutes:
        return Decimal(0)
    return (series.period_total * 60 / effort.minutes).quantize(Decimal("0.01"))


@register.simple_tag
def new_client_key() -> str:
    """A fresh idempotency key for a form that creates an entry: the same form sent twice (a
    double tap, a retry after a lost answer, a phone's offline queue) makes one entry."""
    return uuid.uuid4().hex
