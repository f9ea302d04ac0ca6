"""The input layer: every file a scenario needs is read here, once, before any model is built.

:func:`load_scenario` (``sim.load_scenario``) reads a scenario file, its base files and the org
chart and customer CSVs it names, validates all of them and returns a ``Scenario`` that carries
the resolved tables (``Scenario.inputs``, see :mod:`sim.design`). ``OrgModel``, sweeps and Dask
workers receive that scenario and never open a file.

Imports go one way, so there is no import cycle: ``sim.inputs`` -> ``sim.design`` (base files,
transformations, CSV tables) -> ``sim.scenario`` (the schema and the TOML file reader).
"""

from __future__ import annotations

from pathlib import Path

from sim.design import prepare_scenario
from sim.scenario import Scenario, read_toml, resolve_scenario_path

__all__ = ["load_scenario"]


def load_scenario(name_or_path: str | Path) -> Scenario:
    """Load and validate a scenario from a preset name (``"command_and_control"``) or a TOML path.

    Base files, transformations, the org chart and the customer file are resolved too
    (:func:`sim.design.prepare_scenario`); a file without them is simply validated.

    Raises:
        ScenarioError: for a missing, unreadable, malformed or invalid file; the message names the
            file, the dotted field path and the accepted range.
        InputError: for an invalid org chart, customer file or transformation (file, row, column).
    """
    path = resolve_scenario_path(name_or_path)
    return prepare_scenario(read_toml(path), path)
