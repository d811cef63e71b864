"""README.txt of an export zip: what the files are, in the reader's language."""

from datetime import datetime

from django.conf import settings
from django.utils.translation import gettext as _

from metrics.exports.archive import Table


def readme_text(title: str, tables: list[Table], *, stamp: datetime) -> str:
    """The zip's README: its title, how to read the files, and each file with its columns."""
    lines = [
        title,
        _("Exported from %(site)s on %(when)s (UTC).")
        % {"site": settings.SITE_NAME, "when": stamp.strftime("%Y-%m-%d %H:%M")},
        "",
        _(
            "Each kind of data is here twice: as a CSV file in csv/ (one file per kind, for "
            "spreadsheets) and as a JSON file in json/ (the same rows as a list of objects, "
            "for programs)."
        ),
        _(
            "Times are in UTC (ISO 8601), days are written YYYY-MM-DD and decimal values "
            "with a point. An empty cell (null in JSON) means no value."
        ),
        _(
            "In the CSV files a cell that starts with =, +, -, @ or a tab begins with an "
            "apostrophe, so that spreadsheets do not run it as a formula; the JSON files keep "
            "the text as it was written."
        ),
        _("Every column is described in docs/export-schema.md of the project's source."),
        "",
        _("Files:"),
    ]
    for table in tables:
        lines += [
            "",
            f"csv/{table.name}.csv, json/{table.name}.json",
            "  " + table.about,
            "  " + _("Columns: %(columns)s") % {"columns": ", ".join(table.header)},
        ]
    return "\n".join(lines) + "\n"
