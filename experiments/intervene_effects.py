"""Which fields accepted mid-run change nothing when changed (docs/ODD.md 8.I), end to end.

    .venv/bin/python experiments/intervene_effects.py [preset ...]

A check from the other side of tests/field_reads.py (which records reads): each preset (default
``command_and_control`` and ``matrix``) at 100 people and 600 customers, 8 burn-in weeks, a CRM
live in week 2 and all eight programme steps in weeks 0-7, is run to week 3; then, for every
scalar field that ``intervene`` accepts, a copy of the model takes a changed value (half-way to
the top of its range, or flipped) and runs 30 more weeks. A field is listed when the state arrays,
levers, organisation scalars and the per-week table are bit-identical to the run without the
change. Listed fields are not necessarily no-ops: most act only in a branch these 30 weeks do not
reach (a cap that does not bind, a step that already fired); ODD 8.I says which is which.
"""

from __future__ import annotations

import copy
import hashlib
import math
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sim import OrgModel  # noqa: E402
from sim.inputs import load_scenario  # noqa: E402
from sim.interventions import FIXED, STARTING  # noqa: E402
from sim.scenario import ScenarioError, field_specs  # noqa: E402
from tests.field_reads import ALL_STEPS  # noqa: E402


def fingerprint(m: OrgModel) -> str:
    """A hash of everything the run holds and reports."""
    h = hashlib.sha256()
    st = m.state
    for obj in (st.emp, st.cust):
        for v in vars(obj).values():
            if isinstance(v, np.ndarray):
                h.update(v.tobytes())
    h.update(repr(vars(st.levers)).encode())
    h.update(
        repr({k: v for k, v in vars(st.org).items() if not isinstance(v, np.ndarray)}).encode()
    )
    h.update(m.results().to_numpy(dtype=float).tobytes())
    return h.hexdigest()


def changed_value(spec, current):
    if spec.kind == "bool":
        return not current
    hi = spec.hi if spec.hi is not None and math.isfinite(spec.hi) else current * 2 + 1
    if spec.kind == "int":
        hi = min(hi, current * 3 + 10)
    new = current + 0.5 * (hi - current) if hi > current else current / 2
    if spec.kind == "int":
        new = int(round(new)) if int(round(new)) != current else current + 1
    return new


def survey(name: str, weeks: int = 30) -> tuple[list, list]:
    sc = load_scenario(name).with_overrides(
        {
            "organisation.employees": 100,
            "customers.count": 600,
            "burn_in_weeks": 8,
            "crm.enabled": True,
            "crm.go_live_week": 2,
            "change_programme.steps": ALL_STEPS,
        }
    )
    m0 = OrgModel(sc, rng=1)
    m0.run(steps=3)
    base = copy.deepcopy(m0)
    base.run(steps=weeks)
    b = fingerprint(base)
    same, refused = [], []
    for spec in field_specs():
        key = spec.path
        if key in FIXED or any(key.startswith(f + ".") for f in FIXED) or key in STARTING:
            continue
        section, _, attr = key.rpartition(".")
        current = getattr(getattr(sc, section) if section else sc, attr)
        new = changed_value(spec, current)
        m = copy.deepcopy(m0)
        try:
            m.intervene({key: new})
        except ScenarioError as e:
            refused.append((key, str(e)))
            continue
        m.run(steps=weeks)
        if fingerprint(m) == b:
            same.append((key, current, new))
    return same, refused


def main() -> None:
    for name in sys.argv[1:] or ["command_and_control", "matrix"]:
        same, refused = survey(name)
        for key, old, new in same:
            print(f"{name}\tno effect\t{key}\t{old} -> {new}")
        for key, msg in refused:
            print(f"{name}\trefused\t{key}\t{msg}")


if __name__ == "__main__":
    main()
