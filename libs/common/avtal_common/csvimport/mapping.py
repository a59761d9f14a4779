"""Header mapping: which CSV column feeds which field, by alias or by a saved/chosen mapping."""

from __future__ import annotations

import re
from dataclasses import dataclass

from avtal_common.csvimport.report import MappingProblem


@dataclass(frozen=True)
class Column:
    """A field the import reads; `aliases` are header spellings exported by other systems."""

    field: str
    aliases: tuple[str, ...] = ()
    required: bool = True
    decimal: bool = False  # read with the decimal comma when the user says so


def normalise(header: str) -> str:
    """'List Price (EUR)' and 'list_price' compare equal-ish: lower case, words joined by '_'."""
    return re.sub(r"[^0-9a-zåäöüé]+", "_", header.strip().lower()).strip("_")


def resolve_mapping(header: list[str], columns: tuple[Column, ...], chosen: dict[str, str]) -> dict[str, int]:
    """field → column index. `chosen` maps a header to a field and wins over the aliases; a required
    field no header feeds is a MappingProblem naming what was found."""
    known = {c.field for c in columns}
    unknown = sorted(f for f in chosen.values() if f not in known)
    if unknown:
        raise MappingProblem(f"the mapping names unknown fields {unknown}; known: {sorted(known)}")
    index: dict[str, int] = {}
    chosen_norm = {normalise(h): f for h, f in chosen.items()}
    # Aliases fill only the fields the chosen mapping leaves open.
    open_columns = [c for c in columns if c.field not in chosen.values()]
    by_alias = {normalise(a): c.field for c in open_columns for a in (c.field, *c.aliases)}
    for i, name in enumerate(header):
        field = chosen_norm.get(normalise(name)) or by_alias.get(normalise(name))
        if field is None:
            continue
        if field in index:
            raise MappingProblem(
                f"columns {header[index[field]]!r} and {name!r} both map to {field!r}; map one of them"
            )
        index[field] = i
    missing = [c.field for c in columns if c.required and c.field not in index]
    if missing:
        raise MappingProblem(
            f"no column for {missing}; the header has {header}. Rename the columns or choose a mapping"
        )
    return index
