"""Exports: the CSV logs of actions and measurements, and the zips of a person's own data and
of a whole network (each kind of data as CSV and JSON, with a README; docs/export-schema.md).

- log_csv.py: a group's or a person's log as one streamed CSV (/groups/<id>/export.csv,
  /me/export.csv)
- archive.py: tables, their CSV and JSON, and the zip streamed as it is written
- columns.py: the columns of each kind of data both zips hold, once per model
- personal.py, network.py: which tables each zip holds, their rows and columns
- readme.py: the zip's README.txt
"""

from metrics.exports.log_csv import HEADER, _safe, export_rows

__all__ = ["HEADER", "_safe", "export_rows"]
