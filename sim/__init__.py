"""Agent-based simulator of organisations adopting a CRM.

The public API is re-exported lazily so that light sub-packages (``sim.classic``,
``sim.structures``) import without pulling in the whole model.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__all__ = [
    "OrgModel",
    "Scenario",
    "calibrate",
    "evaluate",
    "load_scenario",
    "ScenarioError",
    "__version__",
]
__version__ = "0.1.0"

if TYPE_CHECKING:  # pragma: no cover
    from sim.calibration import calibrate
    from sim.evaluation import evaluate
    from sim.inputs import load_scenario
    from sim.model import OrgModel
    from sim.scenario import Scenario, ScenarioError


def __getattr__(name: str) -> Any:
    if name == "OrgModel":
        from sim.model import OrgModel

        return OrgModel
    if name == "calibrate":
        from sim.calibration import calibrate

        return calibrate
    if name == "evaluate":
        from sim.evaluation import evaluate

        return evaluate
    if name == "load_scenario":
        from sim.inputs import load_scenario

        return load_scenario
    if name in ("Scenario", "ScenarioError"):
        from sim import scenario

        return getattr(scenario, name)
    raise AttributeError(f"module 'sim' has no attribute {name!r}")
