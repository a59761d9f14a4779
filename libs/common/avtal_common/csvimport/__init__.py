"""CSV import engine: decode, sniff, map headers, validate into typed rows, stage with COPY, merge."""

from avtal_common.csvimport.engine import ImportTarget, run_import
from avtal_common.csvimport.mapping import Column, resolve_mapping
from avtal_common.csvimport.reading import ENCODINGS, sniff_delimiter
from avtal_common.csvimport.report import (
    FileProblem,
    ImportOptions,
    ImportReport,
    MappingProblem,
    Mode,
    RowError,
)
from avtal_common.csvimport.staging import reject

__all__ = [
    "ENCODINGS",
    "Column",
    "FileProblem",
    "ImportOptions",
    "ImportReport",
    "ImportTarget",
    "MappingProblem",
    "Mode",
    "RowError",
    "reject",
    "resolve_mapping",
    "run_import",
    "sniff_delimiter",
]
