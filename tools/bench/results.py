"""Figures measured by the bench scenarios, handed to the report through a JSON file.

The scenarios run in a pytest process and the table is printed by the parent process, so each
figure is appended to the file named by ``AXLE_BENCH_RESULTS``. Without that variable (a scenario
run by hand) the figures are printed as they come.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
import json
import math
import os
from pathlib import Path
import statistics
from typing import Any

RESULTS_ENV = "AXLE_BENCH_RESULTS"


@dataclass(slots=True, kw_only=True)
class Figure:
    """One line of the table: either samples (median and p99 shown) or a single value."""

    section: str
    name: str
    unit: str
    samples: list[float] = field(default_factory=list)
    value: float | str | None = None
    target: str = ""
    met: bool | None = None  # None: no target to meet
    note: str = ""


def percentile(samples: list[float], pct: float) -> float:
    """Return the nearest-rank percentile: the smallest sample with ``pct`` % at or below it."""
    ordered = sorted(samples)
    rank = max(1, math.ceil(pct / 100 * len(ordered)))
    return ordered[rank - 1]


def record(figure: Figure) -> None:
    """Append a figure to the results file, or print it when there is none."""
    target = os.environ.get(RESULTS_ENV)
    if not target:
        print(f"[bench] {figure.section} / {figure.name}: {format_figure(figure)}")
        return
    path = Path(target)
    existing: list[dict[str, Any]] = json.loads(path.read_text()) if path.exists() else []
    existing.append(asdict(figure))
    path.write_text(json.dumps(existing))


def load(path: Path) -> list[Figure]:
    """Read back the figures written by ``record``."""
    if not path.exists():
        return []
    return [Figure(**raw) for raw in json.loads(path.read_text())]


def _number(value: float) -> str:
    if value >= 100:
        return f"{value:,.0f}"
    if value >= 10:
        return f"{value:.1f}"
    return f"{value:.2f}"


def format_figure(figure: Figure) -> str:
    """Describe a figure in one short string (for printing without the table)."""
    if figure.samples:
        median, p99 = statistics.median(figure.samples), percentile(figure.samples, 99)
        return (
            f"median {_number(median)} {figure.unit}, p99 {_number(p99)} {figure.unit}"
            f" (n={len(figure.samples)})"
        )
    if isinstance(figure.value, float | int):
        return f"{_number(float(figure.value))} {figure.unit}"
    return f"{figure.value} {figure.unit}".strip()


def table(figures: list[Figure]) -> str:
    """Render the figures as a fixed-width text table, grouped by section."""
    header = ("Measure", "Median", "p99", "n / value", "Target", "")
    rows: list[tuple[str, ...]] = []
    section = None
    for figure in figures:
        if figure.section != section:
            section = figure.section
            rows.append((f"[{section}]",))
        verdict = "" if figure.met is None else ("ok" if figure.met else "MISSED")
        name = f"  {figure.name}" + (f" ({figure.unit})" if figure.unit else "")
        if figure.samples:
            median, p99 = statistics.median(figure.samples), percentile(figure.samples, 99)
            rows.append(
                (
                    name,
                    _number(median),
                    _number(p99),
                    str(len(figure.samples)),
                    figure.target,
                    verdict,
                )
            )
        else:
            value = figure.value
            shown = _number(float(value)) if isinstance(value, float | int) else str(value)
            rows.append((name, "", "", shown, figure.target, verdict))
        if figure.note:
            rows.append((f"      {figure.note}",))
    table_rows = [row for row in rows if len(row) == len(header)]
    widths = [max(len(row[i]) for row in [header, *table_rows]) for i in range(len(header))]
    lines = []
    for index, row in enumerate([header, *rows]):
        if len(row) == 1:  # a section title or a note: free width
            lines.append(row[0])
            continue
        cells = [
            cell.ljust(width) if column == 0 else cell.rjust(width)
            for column, (cell, width) in enumerate(zip(row, widths, strict=True))
        ]
        lines.append("  ".join(cells).rstrip())
        if index == 0:
            lines.append("  ".join("-" * width for width in widths))
    return "\n".join(lines)
