"""The export zips: a person's own data, and a whole network for its organizers."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, StreamingHttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from groups.permissions import network_for_user
from impact.models import User
from metrics.exports.archive import tables_zip
from metrics.exports.network import network_tables
from metrics.exports.personal import personal_tables
from metrics.exports.readme import readme_text


def _zip_response(chunks, filename: str) -> StreamingHttpResponse:
    response = StreamingHttpResponse(chunks, content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    # A person's data: never kept by a cache on the way.
    response["Cache-Control"] = "private, no-store"
    return response


def my_data_response(user: User) -> StreamingHttpResponse:
    """The zip of "Download my data", for the page and the API alike."""
    stamp = timezone.now()
    tables = personal_tables(user)
    # The README is written now, in the request's language; the tables are read while sending.
    readme = readme_text(_("Your data: %(name)s") % {"name": user.public_name}, tables, stamp=stamp)
    return _zip_response(
        tables_zip(tables, readme=readme, stamp=stamp), f"my-data-{stamp:%Y%m%d}.zip"
    )


@login_required
@require_safe
def my_data_export(request: HttpRequest) -> StreamingHttpResponse:
    """Everything the person wrote and everything about them, as a zip of CSV and JSON."""
    return my_data_response(request.user)


@login_required
@require_safe
def network_export(request: HttpRequest, slug: str) -> StreamingHttpResponse:
    """Everything the network's groups hold, as a zip of CSV and JSON (organizers only)."""
    network, _role = network_for_user(request.user, slug, organize=True)
    stamp = timezone.now()
    tables = network_tables(network)
    readme = readme_text(
        _("The network %(network)s") % {"network": network.name}, tables, stamp=stamp
    )
    return _zip_response(
        tables_zip(tables, readme=readme, stamp=stamp),
        f"network-{network.slug}-{stamp:%Y%m%d}.zip",
    )
