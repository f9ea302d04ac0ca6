"""Scenario files the operator offers in the app: ``python run.py app --scenario FILE ...``.

No Solara here. ``run.py`` loads and validates each file before the server starts
(:func:`load_files`: a bad file, or a name that clashes with a preset or another file, is refused
with a message naming the file and the field, exit 2); the server runs in a process of its own
(``app.server.serve`` execs ``app.launch``), so the files' absolute paths reach it through the
environment (:data:`SCENARIOS_VAR`, a JSON list, set by ``app.server.environment``) and the app
reads them once (:func:`registered`). Each file is then a choice under its scenario ``name``,
after the presets.

Unlike a browser upload (``app.keep.read_scenario_upload``), a file named here may name other
files (a ``base``, an org chart, a customer file): the operator chose it on the command line.
"""

from __future__ import annotations

import functools
import json
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from app.server import SCENARIOS_VAR
from sim.inputs import load_scenario
from sim.scenario import Scenario, ScenarioError, preset_names

__all__ = ["SCENARIOS_VAR", "ScenarioFile", "from_env", "load_files", "registered"]


@dataclass(frozen=True)
class ScenarioFile:
    """One offered scenario file.

    Attributes:
        name: its scenario's ``name`` (the choice the page shows and the address holds).
        path: the file's absolute path.
        scenario: the validated scenario (base files, org chart and customer file resolved).
    """

    name: str
    path: Path
    scenario: Scenario


def load_files(paths: Sequence[str | Path]) -> tuple[ScenarioFile, ...]:
    """Load and validate the scenario files, in the order given.

    Raises:
        ScenarioError: for a path that is not a scenario file (a preset name is refused: the
            presets are offered already), an invalid file (``sim.inputs.load_scenario``'s
            message, naming the file and the field), or a scenario ``name`` that is a preset's
            or another file's.
        InputError: for an invalid org chart, customer file or transformation.
    """
    presets = set(preset_names())
    out: list[ScenarioFile] = []
    for given in paths:
        p = Path(given)
        if p.suffix != ".toml" and not p.exists():
            # load_scenario would read a bare name as a preset: here only files are offered
            raise ScenarioError(
                f"--scenario {given}: no such scenario file (the presets are offered already; "
                "give the path of a .toml file)"
            )
        scenario = load_scenario(p)  # names the file and the field when it is invalid
        path = p.resolve()
        name = scenario.name
        if name in presets:
            raise ScenarioError(
                f"{given}: name = {name!r} is a built-in preset's name; the app offers the "
                "presets already: give the file's scenario another name"
            )
        other = next((f for f in out if f.name == name), None)
        if other is not None:
            same = " (the same file given twice)" if other.path == path else ""
            raise ScenarioError(
                f"{given}: name = {name!r} is also the name of {other.path}{same}; each "
                "scenario offered in the app needs a name of its own"
            )
        out.append(ScenarioFile(name, path, scenario))
    return tuple(out)


def from_env(value: str) -> tuple[ScenarioFile, ...]:
    """The files named by a :data:`SCENARIOS_VAR` value (none for an empty value).

    Raises:
        ScenarioError: for a value that is not a JSON list of paths, or a file refused by
            :func:`load_files` (changed since the server was started, say).
    """
    if not value.strip():
        return ()
    try:
        paths = json.loads(value)
    except json.JSONDecodeError as e:
        raise ScenarioError(
            f"{SCENARIOS_VAR}: not JSON ({e.msg}); expected a list of paths"
        ) from None
    if not isinstance(paths, list) or not all(isinstance(p, str) for p in paths):
        raise ScenarioError(f"{SCENARIOS_VAR}: expected a JSON list of scenario file paths")
    return load_files(paths)


@functools.cache
def registered() -> tuple[ScenarioFile, ...]:
    """The files this server offers, read once from :data:`SCENARIOS_VAR` (none when unset).

    Raises:
        ScenarioError: as :func:`from_env`.
    """
    return from_env(os.environ.get(SCENARIOS_VAR, ""))
