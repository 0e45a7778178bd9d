"""Exports of survey tools and ticket systems, loaded as they come (``format:`` in a source config).

A format knows its tool's layout (header rows, nested JSON, value labels, one row per call
leg), maps the tool's standard columns to the contract, carries its code lists and the
columns of personal data it drops. What is left to the user is what is theirs: their
question ids (``rename``) and custom fields. Every row then takes the normal path:
validation, quarantine with file and line, the load log.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from tpnb.contracts.formats import FORMATS
from tpnb.ingest.errors import RejectedFile
from tpnb.ingest.exports import surveys, tickets
from tpnb.ingest.exports.table import Table, read_csv_table
from tpnb.ingest.options import SourceOptions

READERS: dict[str, Callable[[Path, str, SourceOptions], Table]] = {
    "qualtrics": surveys.read_qualtrics,
    "surveymonkey": surveys.read_surveymonkey,
    "limesurvey": surveys.read_limesurvey,
    "spss": surveys.read_spss,
    "zendesk": tickets.read_zendesk,
    "freshdesk": tickets.read_freshdesk,
    "salesforce_case": tickets.read_salesforce_case,
    "call_records": tickets.read_call_records,
}
assert set(READERS) == set(FORMATS), "every format has its reader"


def read_export(path: Path, kind: str, options: SourceOptions) -> Table:
    """The file read by its format's reader (or as a CSV with header_rows / skip_rows), personal columns dropped."""
    if options.format:
        fmt = FORMATS[options.format]
        if path.suffix.lower() not in fmt.suffixes:
            raise RejectedFile(
                f"{path.name}: format '{fmt.name}' reads {', '.join(fmt.suffixes)} files, not '{path.suffix}'"
            )
        table = READERS[fmt.name](path, kind, options)
    else:
        table, _ = read_csv_table(path, options)
    table.drop(options.drop)
    return table
