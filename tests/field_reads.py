"""Which scenario fields a run reads while it is built and which while it steps.

A test helper (tests/test_interventions.py): ``record_reads`` wraps the pydantic sections'
``__getattribute__`` (``sim.parameters._Section``) for the duration of a ``with`` block and
records each field read as a dotted path (``culture.responsiveness``). A section's path is
learnt when it is read from its parent, starting from a root scenario, so a section object kept
aside at build and read later is recorded under ``STALE`` (a cache that an intervention would
not reach) rather than under its path.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

from pydantic import BaseModel

from sim import model as model_module
from sim.parameters import _Section
from sim.scenario import KOTTER_STEPS, Scenario

#: Where reads of a section object not reached from a root scenario are recorded.
STALE = "<stale>"


class Recorder:
    """The dotted fields read while ``phase`` was set, per phase."""

    def __init__(self) -> None:
        self.reads: dict[str, set[str]] = {}
        self.phase: str | None = None
        self.models: list[Any] | None = None  # None: any Scenario is a root
        self._path: dict[int, str] = {}
        self._keep: list[Any] = []  # keeps registered objects alive, so ids are not reused

    def restart(self, phase: str, models: list[Any] | None) -> None:
        """Record into ``phase`` from now on; only the scenarios in force in ``models`` (any
        scenario if None) are roots."""
        self.phase = phase
        self.models = models
        self._path = {}
        self._keep = []

    def prefix(self, obj: Any) -> str | None:
        p = self._path.get(id(obj))
        if p is not None:
            return p
        if isinstance(obj, Scenario) and (
            self.models is None or any(obj is x.ctx.scenario for x in self.models)
        ):
            return ""
        return None

    def saw(self, obj: Any, name: str, value: Any) -> None:
        prefix = self.prefix(obj)
        if prefix is None:
            self.reads.setdefault(self.phase or "", set()).add(
                f"{STALE}{type(obj).__name__}.{name}"
            )
            return
        path = prefix + name
        if isinstance(value, BaseModel):
            self._path[id(value)] = path + "."
            self._keep.append(value)
            return  # reading a section is not reading a field
        if isinstance(value, (list, tuple)):
            for item in value:
                if isinstance(item, BaseModel):
                    self._path[id(item)] = path + "[]."
                    self._keep.append(item)
        self.reads.setdefault(self.phase or "", set()).add(path)


@contextlib.contextmanager
def record_reads() -> Iterator[Recorder]:
    """Record scenario field reads inside the block (not inside intervene's own machinery)."""
    rec = Recorder()
    original = _Section.__getattribute__
    paused = [False]

    def getattribute(self: Any, name: str) -> Any:
        value = original(self, name)
        if not paused[0] and rec.phase is not None and name in type(self).model_fields:
            paused[0] = True
            try:
                rec.saw(self, name, value)
            finally:
                paused[0] = False
        return value

    def quiet(fn: Any) -> Any:
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            was, paused[0] = paused[0], True
            try:
                return fn(*args, **kwargs)
            finally:
                paused[0] = was

        return wrapped

    # intervene's own machinery reads fields to check a change or to move the draws it rescales
    # (sim.interventions.RESCALED), not to act on them week by week
    kept = {name: getattr(model_module, name) for name in ("plan_change", "rescale_draws")}
    _Section.__getattribute__ = getattribute  # type: ignore[method-assign]
    for name, fn in kept.items():
        setattr(model_module, name, quiet(fn))
    try:
        yield rec
    finally:
        _Section.__getattribute__ = original  # type: ignore[method-assign]
        for name, fn in kept.items():
            setattr(model_module, name, fn)


def leaf_fields(model: type[BaseModel] = Scenario, prefix: str = "") -> list[str]:
    """Every dotted field a ``--set`` key or an intervention can name (sections expanded)."""
    out: list[str] = []
    for name, info in model.model_fields.items():
        ann = info.annotation
        if isinstance(ann, type) and issubclass(ann, BaseModel):
            out.extend(leaf_fields(ann, prefix + name + "."))
        else:
            out.append(prefix + name)
    return out


def step_reads(
    scenario: Scenario, weeks: int, seed: int = 1, build: Recorder | None = None
) -> tuple[set[str], set[str]]:
    """Fields read building ``scenario`` (with its burn-in) and over ``weeks`` steps after.

    The scenario in force (the model's and its twin's) is replaced by an equal copy before the
    steps, so reads through a section kept from the build show as ``STALE``.
    """
    from sim import OrgModel

    with record_reads() as rec:
        rec.restart("build", None)
        m = OrgModel(scenario, rng=seed)
        models = [m] + ([m.counterfactual] if m.counterfactual is not None else [])
        for x in models:
            x.ctx.scenario = x.ctx.scenario.model_copy(deep=True)
        rec.restart("step", models)
        for _ in range(weeks):
            m.step()
    return rec.reads.get("build", set()), rec.reads.get("step", set())


#: Every programme step, one a week, so every branch of the programme process runs.
ALL_STEPS = [{"step": s, "week": i} for i, s in enumerate(KOTTER_STEPS)]


def survey(weeks: int = 12) -> tuple[set[str], set[str]]:
    """Fields read at build and in ``weeks`` steps, over every preset (100 people, 600
    customers, 8 burn-in weeks), each with a CRM going live in week 2 and one live since week
    -2, every programme step and a scheduled culture intervention in week 3 (with the twins),
    and the example proposed design (examples/acme), which changes from its base in week 0."""
    from sim.inputs import load_scenario
    from sim.scenario import preset_names

    # a structure, a norm and the coaching dial: each half-life is read while a dial moves
    iv = [
        {
            "week": 3,
            "set": {
                "culture.decision_rights": 0.9,
                "culture.information_sharing": 0.8,
                "culture.supportive_leadership": 0.8,
            },
        }
    ]
    build: set[str] = set()
    step: set[str] = set()
    for name in preset_names():
        for go_live in (2, -2):
            sc = load_scenario(name).with_overrides(
                {
                    "organisation.employees": 100,
                    "customers.count": 600,
                    "burn_in_weeks": 8,
                    "crm.enabled": True,
                    "crm.go_live_week": go_live,
                    "change_programme.steps": ALL_STEPS,
                    "interventions": iv,
                }
            )
            b, s = step_reads(sc, weeks)
            build |= b
            step |= s
    # a proposed design reached from its base with a restructuring (sim/design.py, ODD 8.H):
    # its change week runs the restructuring's fields
    from pathlib import Path

    proposed = Path(__file__).resolve().parent.parent / "examples" / "acme" / "proposed.toml"
    sc = load_scenario(proposed).with_overrides({"burn_in_weeks": 8})
    b, s = step_reads(sc, weeks)
    return build | b, step | s


def main() -> None:
    """Print the fields intervene accepts that no weekly step reads (``python -m
    tests.field_reads``), with what intervene does with each."""
    from sim.interventions import FIXED, LEVER_OF, RESCALED, STARTING

    build, step = survey()
    for key in leaf_fields():
        if key in FIXED or any(key.startswith(f + ".") for f in FIXED) or key in step:
            continue
        how = (
            "refused: starting state"
            if key in STARTING
            else "moves its lever"
            if key in LEVER_OF
            else "rescales draws"
            if key in RESCALED
            else "recomputes authority"
            if key == "decisions.rights_reach"
            else "SILENT NO-OP"
        )
        print(f"{key}\t{'build' if key in build else 'never read'}\t{how}")
    for key in sorted(r for r in step if r.startswith(STALE)):
        print(f"{key}\tread in a step through a section kept from the build")


if __name__ == "__main__":
    main()
