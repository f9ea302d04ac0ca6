"""The effect of each change of a proposed design: each one alone, and the proposal without it.

A proposed design is the current one plus a list of transformations (``sim.design``). The
bundled comparison hides which change carries the result: in the Acme example removing the
regional-director layer alone is harmful (VPs go from 3 to 16-18 reports) and pays only beside
delegated decision rights. For each of the proposed file's own transformations ``i`` the report
runs two more designs, on the same replicate seeds as the pair (common random numbers):

- **alone**: the current design plus transformation ``i`` only (``sim.design.variant``);
- **without**: the proposal with transformation ``i`` left out.

and tabulates, per outcome (:data:`OUTCOMES`), paired by replicate:

- ``alone`` = alone_i - current: what the change does on its own;
- ``without`` = without_i - current: what the rest of the proposal does;
- ``contribution`` = proposed - without_i: what the proposal loses if the change is dropped.

Each with its mean and 95% Student-t confidence interval over the replicates
(``sim.experiment.paired_differences``). With no interaction the alone effects add up to the
proposal's effect and each contribution equals its alone effect; the difference is the
interaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sim.errors import InputError
from sim.experiment import paired_differences
from sim.scenario import Scenario

#: Outcomes the breakdown follows (proposed minus current, as in the report's headline).
OUTCOMES = ("net_benefit_total", "annual_churn")
#: The three effects per outcome (see the module docstring).
EFFECTS = ("alone", "without", "contribution")


def breakdown_columns() -> list[str]:
    """Columns of the breakdown table (and of ``STEM-breakdown.csv``)."""
    cols = ["change", "kind", "label", "replicates", "note"]
    for o in OUTCOMES:
        for e in EFFECTS:
            cols += [f"{e}_{o}", f"{e}_{o}_ci_low", f"{e}_{o}_ci_high"]
    return cols


def describe(t: Any) -> str:
    """A transformation in a few plain words (a table row's label)."""
    if t.kind == "remove_layer":
        what = f"'{t.title}'" if t.title else f"level {t.level}"
        where = f" in {', '.join(t.units)}" if t.units else ""
        return f"Remove the {what} layer{where}"
    if t.kind == "merge_units":
        return f"Merge {' + '.join(t.units)} into {t.into}"
    if t.kind == "decision_rights":
        where = f" in {', '.join(t.units)}" if t.units else ""
        return f"Decision rights: {', '.join(t.roles)}{where} settle up to {t.authority:.2f}"
    if t.kind == "incentives":
        return f"Bonus rules: incentive alignment {t.incentive_alignment:.2f}"
    if t.kind == "change_programme":
        return f"Change programme ({len(t.steps)} steps)"
    if t.kind == "move":
        where = " and ".join(
            x for x in (f"to {t.to_manager}" if t.to_manager else "", t.unit or "") if x
        )
        return f"Move {', '.join(t.ids[:3])}{' ...' if len(t.ids) > 3 else ''} {where}"
    if t.kind == "split_team":
        return f"Split the team of {t.manager} in {t.teams}"
    if t.kind == "merge_teams":
        return f"Merge the teams of {' + '.join(t.managers)}"
    if t.kind == "add_positions":
        return f"Add {t.count} {t.title} under {t.manager}"
    if t.kind == "remove_positions":
        return f"Remove {', '.join(t.ids[:3])}{' ...' if len(t.ids) > 3 else ''}"
    return str(t.kind)


@dataclass(frozen=True)
class Change:
    """One of the proposed file's own transformations and its two designs.

    ``alone`` and ``without`` are None when the design cannot be built (``note`` says why: a
    merge of a unit only an earlier transformation makes, say); that row then has no numbers.
    """

    index: int
    kind: str
    label: str
    alone: Scenario | None
    without: Scenario | None
    note: str = ""

    @property
    def names(self) -> tuple[str, str]:
        """Design names of the two runs in the report's results."""
        return f"alone:{self.index}", f"without:{self.index}"


def changes_of(
    proposed_path: str | Path, proposed: Scenario, overrides: dict[str, Any] | None = None
) -> list[Change]:
    """The proposed file's own transformations, each with its alone and left-out designs.

    Args:
        proposed_path: the proposed design's scenario file.
        proposed: that design as loaded (its transformations give the labels).
        overrides: the report's ``--set`` values, applied to every variant as to the pair.
    """
    from sim.design import own_transformations, resolve_inputs, variant

    n = len(own_transformations(proposed_path))
    first = len(proposed.transformations) - n
    out: list[Change] = []
    for i in range(n):
        t = proposed.transformations[first + i]
        built: list[Scenario | None] = []
        notes: list[str] = []
        for tag, keep in (("alone", [i]), ("without", [j for j in range(n) if j != i])):
            try:
                s = variant(proposed_path, keep, name=f"{proposed.name}/{tag}-{i + 1}")
                if overrides:
                    s = resolve_inputs(s.with_overrides(overrides))
                built.append(s)
            except InputError as e:  # ScenarioError is an InputError
                built.append(None)
                notes.append(f"{tag}: cannot be built ({e})")
        out.append(Change(i, t.kind, describe(t), built[0], built[1], "; ".join(notes)))
    return out


def breakdown_designs(changes: list[Change]) -> dict[str, Scenario]:
    """Name -> scenario of every breakdown run (those that could be built)."""
    out: dict[str, Scenario] = {}
    for c in changes:
        for name, s in zip(c.names, (c.alone, c.without)):
            if s is not None:
                out[name] = s
    return out


def _effect(heads: pd.DataFrame, design: str, baseline: str, outcome: str) -> tuple[float, ...]:
    """Mean and 95% CI of design minus baseline, paired by replicate (NaN when not run)."""
    if not (heads["scenario"] == design).any() or not (heads["scenario"] == baseline).any():
        return (np.nan, np.nan, np.nan)
    sub = heads[heads["scenario"].isin([design, baseline])]
    d = paired_differences(sub, baseline=baseline, outcomes=[outcome]).iloc[0]
    return float(d["diff"]), float(d["ci_low"]), float(d["ci_high"])


def breakdown_table(
    heads: pd.DataFrame,
    changes: list[Change],
    replicates: int,
    current: str = "current",
    proposed: str = "proposed",
) -> pd.DataFrame:
    """One row per transformation: alone, without and contribution effects with 95% CIs.

    Args:
        heads: headline outcomes per (scenario, replicate), the pair and the breakdown runs.
        changes: from :func:`changes_of`.
        replicates: paired replicates per design.
        current: design name of the current design in ``heads``.
        proposed: design name of the proposal in ``heads``.
    """
    rows = []
    for c in changes:
        alone, without = c.names
        row: dict[str, Any] = {
            "change": c.index + 1,
            "kind": c.kind,
            "label": c.label,
            "replicates": replicates,
            "note": c.note,
        }
        for o in OUTCOMES:
            for e, (design, base) in zip(
                EFFECTS, ((alone, current), (without, current), (proposed, without))
            ):
                m, lo, hi = _effect(heads, design, base, o)
                row.update({f"{e}_{o}": m, f"{e}_{o}_ci_low": lo, f"{e}_{o}_ci_high": hi})
        rows.append(row)
    return pd.DataFrame(rows, columns=breakdown_columns())


def breakdown_path(out: Path) -> Path:
    """``STEM-breakdown.csv`` beside the report."""
    out = Path(out)
    return out.with_name(f"{out.stem}-breakdown.csv")


__all__ = [
    "Change",
    "OUTCOMES",
    "breakdown_designs",
    "breakdown_path",
    "breakdown_table",
    "changes_of",
    "describe",
]
