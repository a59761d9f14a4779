"""An import job as the services and the public API show it, and how a run is asked for."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field, field_validator

from avtal_common.csvimport.report import Encoding, ImportReport, Mode

JobStatus = Literal["queued", "running", "done", "failed"]


class ImportRun(BaseModel):
    """Options of one run over an uploaded file (a dry run first, then the real one)."""

    encoding: Encoding = "utf-8"
    decimal_comma: bool = False
    mode: Mode = "all_or_nothing"
    dry_run: bool = False
    # CSV header → field; overrides the aliases. Empty: use `mapping_name`'s saved mapping, if any.
    mapping: dict[str, str] = Field(default_factory=dict)
    mapping_name: str | None = Field(default=None, max_length=100)
    # Save the mapping used under this name for later files of the same kind.
    save_mapping_as: str | None = Field(default=None, max_length=100)

    @field_validator("mapping")
    @classmethod
    def _at_most_100_columns(cls, mapping: dict[str, str]) -> dict[str, str]:
        # A validator, not Field(max_length=...): Litestar's OpenAPI renders that on a dict as an array.
        if len(mapping) > 100:
            raise ValueError("a mapping names at most 100 columns")
        return mapping


class ImportJob(BaseModel):
    job_id: uuid.UUID
    kind: str
    status: JobStatus
    file_name: str
    size_bytes: int
    options: ImportRun
    bytes_done: int = 0
    rows_done: int = 0
    report: ImportReport | None = None
    error: str | None = None
    created_by: str
    created_at: datetime
    started_at: datetime | None = None
    finished_at: datetime | None = None

    @property
    def percent(self) -> int:
        return 100 if self.status == "done" else min(99, self.bytes_done * 100 // max(1, self.size_bytes))


class SavedMapping(BaseModel):
    kind: str
    name: str
    mapping: dict[str, str]
