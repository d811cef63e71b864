"""docs/export-schema.md describes every file and column the two zips hold."""

import re
from pathlib import Path

from groups.models import Network
from impact.models import User
from metrics.exports.network import network_tables
from metrics.exports.personal import personal_tables

DOC = Path(__file__).resolve().parents[2] / "docs" / "export-schema.md"


def _documented(doc: str, part: str) -> dict[str, list[str]]:
    """{file: [columns]} of one part of the doc ("## ..." up to the next "## ")."""
    body = doc.split(f"## {part}", 1)[1].split("\n## ", 1)[0]
    files = {}
    for section in body.split("\n### ")[1:]:
        name, _rest = section.split("\n", 1)
        files[name.strip()] = re.findall(r"^\| `([a-z_]+)` \|", section, flags=re.M)
    return files


def test_the_schema_doc_lists_every_file_and_column_of_my_data():
    doc = DOC.read_text()
    tables = personal_tables(User(pk=1, username="someone"))

    assert _documented(doc, "Download my data") == {t.name: t.header for t in tables}


def test_the_schema_doc_lists_every_file_and_column_of_a_network():
    doc = DOC.read_text()
    tables = network_tables(Network(pk=1, name="n", slug="n"))

    assert _documented(doc, "A network's export") == {t.name: t.header for t in tables}
