"""Figures: printed beside their limit or target, and written to bench/results/latest.json."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Figure:
    name: str
    value: float
    unit: str
    limit: float | None = None  # measured in the same run, same unit as the value
    target: float | None = None  # a fixed goal, not measured
    min_ratio: float | None = None  # value/limit must reach this
    note: str = ""

    @property
    def ratio(self) -> float | None:
        base = self.limit if self.limit is not None else self.target
        return None if base is None else self.value / base

    @property
    def meets(self) -> bool | None:
        if self.limit is not None and self.min_ratio is not None:
            return self.ratio is not None and self.ratio >= self.min_ratio
        if self.target is not None:
            return self.value <= self.target
        return None

    def as_json(self) -> dict[str, object]:
        out: dict[str, object] = {"value": round(self.value, 3), "unit": self.unit}
        if self.limit is not None:
            out |= {"limit": round(self.limit, 3), "ratio": round(self.ratio or 0.0, 4)}
            if self.min_ratio is not None:
                out |= {"min_ratio": self.min_ratio, "meets": self.meets}
        if self.target is not None:
            out |= {"target": self.target, "ratio": round(self.ratio or 0.0, 4), "meets": self.meets}
        return out

    def line(self) -> str:
        head = f"{self.name:<24} {self.value:>12,.2f} {self.unit}"
        if self.limit is not None:
            verdict = (
                ""
                if self.meets is None or self.min_ratio is None
                else (f"; target ratio ≥ {self.min_ratio:.2f}: {'MET' if self.meets else 'NOT MET'}")
            )
            head += f"   limit (measured now) {self.limit:,.2f} {self.unit}   ratio {self.ratio:.3f}{verdict}"
        if self.target is not None:
            head += (
                f"   target (fixed goal, not a measured limit) ≤ {self.target:g} {self.unit}"
                f"   ratio {self.ratio:.3f}: {'MET' if self.meets else 'NOT MET'}"
            )
        return head + (f"\n{'':<26}{self.note}" if self.note else "")


def report(figures: list[Figure], path: Path) -> None:
    print("\nAvtal bench results")
    for f in figures:
        print(f.line())
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({f.name: f.as_json() for f in figures}, indent=2) + "\n")
    print(f"\nwritten to {path}")
