"""Published models that the main model's mechanisms are validated against.

* :mod:`sim.classic.march1991` -- March (1991), mutual learning of an organisational code and its
  members (the main model's "playbook").
* :mod:`sim.classic.bass` -- Bass (1969) diffusion: closed form and the agent form obtained from
  :func:`sim.mechanisms.adoption.adopt_step`.
* :mod:`sim.classic.granovetter` -- Granovetter (1978) threshold cascades, sorting form and agent
  form obtained from :func:`sim.mechanisms.adoption.adopt_step`.

Sub-modules are imported on first access (so ``python -m sim.classic.bass`` runs cleanly).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__all__ = ["bass", "granovetter", "march1991"]

if TYPE_CHECKING:  # pragma: no cover
    from sim.classic import bass, granovetter, march1991


def __getattr__(name: str) -> Any:
    if name in __all__:
        return importlib.import_module(f"sim.classic.{name}")
    raise AttributeError(f"module 'sim.classic' has no attribute {name!r}")
