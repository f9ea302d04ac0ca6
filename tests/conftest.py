"""Shared helpers: replicated, paired runs on common random numbers; the command line in a
subprocess and its one-line errors; test inputs written on the fly."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sim.experiment import headlines_table, run_replicates
from sim.inputs import load_scenario
from sim.model import OrgModel
from sim.scenario import Scenario


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Make ``--dist loadgroup`` (pyproject's addopts) group by ``xdist_group`` on pytest 9.2.

    pytest-xdist tells the controller an item's group by appending ``@group`` to its node id,
    and does it by setting ``item._nodeid``, which pytest 9.2 no longer reads (its ids are
    structured: pytest-xdist issue 1386), so the marks were silently ignored and each worker
    built the shared batches again. This sets the id where pytest 9.2 keeps it; it does nothing
    without ``--dist loadgroup``, on a pytest whose ids xdist can still set, or once xdist has
    set them itself (the id already carries ``@``).
    """
    if not getattr(config.option, "loadgroup", False):
        return
    try:
        from _pytest.nodeid import coerce_node_id
    except ImportError:  # pytest < 9.2: xdist's own suffix works
        return
    for item in items:
        names = {
            str(m.args[0] if m.args else m.kwargs.get("name", "default"))
            for m in item.iter_markers("xdist_group")
        }
        if names and "@" not in item.nodeid and hasattr(item, "_id"):
            item._id = coerce_node_id(f"{item.nodeid}@{'_'.join(sorted(names))}")


# Small enough for CI, big enough for the mechanisms to act: 150 people, 1,500 customers.
SMALL = {"organisation.employees": 150, "customers.count": 1500}


ROOT = Path(__file__).resolve().parent.parent
RUN = [sys.executable, str(ROOT / "run.py")]


def cli(
    *args: str,
    cwd: Path | None = None,
    env: dict[str, str] | None = None,
    timeout: int = 600,
) -> subprocess.CompletedProcess[str]:
    """``python run.py ARGS`` in a subprocess (text output captured).

    Args:
        args: the command line after ``run.py``.
        cwd: the working folder (default: the repository root).
        env: variables added to this process's environment for the command.
        timeout: seconds before the test fails as hung (a deadline, not a timing).
    """
    return subprocess.run(
        [*RUN, *args],
        capture_output=True,
        text=True,
        cwd=cwd or ROOT,
        env={**os.environ, **env} if env else None,
        timeout=timeout,
    )


def one_error_line(res: subprocess.CompletedProcess[str]) -> str:
    """The refusal of a command that must exit 2 with one line on stderr and no traceback."""
    assert res.returncode == 2, res.stderr
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in res.stderr, res.stderr
    return lines[0]


def write_big_chart(path: Path, n: int, managers: int) -> None:
    """A valid org chart of ``n`` people: a CEO, ``managers`` managers each heading a unit, and
    sales and service people dealt round them."""
    lines = ["id,manager_id,role,unit", "P0,,CEO,HQ"]
    lines += [f"P{i},P0,Manager,U{i}" for i in range(1, managers + 1)]
    lines += [
        f"P{i},P{1 + i % managers},{'Account Executive' if i % 2 else 'Support Agent'},"
        f"U{1 + i % managers}"
        for i in range(managers + 1, n)
    ]
    path.write_text("\n".join(lines) + "\n")


def small(name: str, **overrides: object) -> Scenario:
    """A preset at test size with dotted overrides (``culture__x`` spelled ``culture.x``)."""
    o = {**SMALL, **{k.replace("__", "."): v for k, v in overrides.items()}}
    return load_scenario(name).with_overrides(o)


def paired(
    designs: dict[str, Scenario],
    replicates: int = 10,
    seed: int = 7,
    *,
    counterfactual: bool = False,
) -> pd.DataFrame:
    """Headline outcomes per design and replicate; replicate r shares its seed across designs.

    Args:
        designs: design name -> scenario.
        replicates: paired replicates per design.
        seed: root seed of the replicate seeds.
        counterfactual: also run each design's no-change twin. Off by default because only
            ``roi`` reads the twin (every other column is the same without it,
            ``sim.experiment.run_replicates``) and the twin costs the whole horizon again: a
            test of ``roi`` asks for it (without it ``roi`` is NaN, so such a test fails
            loudly rather than passing on nothing).
    """
    weekly = run_replicates(designs, replicates, seed, counterfactual=counterfactual)
    heads = headlines_table(weekly)
    heads.attrs["weekly"] = weekly
    return heads


def run_with_change(
    scenario: Scenario, seed: int, week: int, changes: dict[str, object] | None
) -> OrgModel:
    """A whole run of ``scenario`` with ``model.intervene(changes)`` after ``week`` weeks (none
    when ``changes`` is empty or None)."""
    m = OrgModel(scenario, rng=seed)
    m.run(steps=week)
    if changes:
        m.intervene(changes)
    m.run()
    return m


def column(heads: pd.DataFrame, design: str, outcome: str) -> np.ndarray:
    """Outcome of one design ordered by replicate."""
    g = heads[heads["scenario"] == design].sort_values("replicate")
    return g[outcome].to_numpy(dtype=float)


@pytest.fixture(scope="session")
def presets_small() -> pd.DataFrame:
    """All seven presets at test size, 8 replicates each (shared by several tests)."""
    names = [
        "command_and_control",
        "technology_only_rollout",
        "culture_first_rollout",
        "kotter_programme",
        "functional_silos",
        "matrix",
        "self_organised",
    ]
    return paired({n: small(n) for n in names}, replicates=8, seed=11)


# The browser test modules' shared fixtures: one app server and one Chromium per module, made only
# for the modules that ask for them (tests/test_app_browser.py, tests/test_app_presenter.py).
@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    """``python run.py app`` on 127.0.0.1 and a free port; yields its address."""
    from tests.browser_support import app_server

    with app_server() as s:
        yield s.url


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    """One headless Debian Chromium for the module."""
    from tests.browser_support import chromium

    with chromium() as b:
        yield b
