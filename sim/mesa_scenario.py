"""``OrgScenario``: a model's settings as a Mesa experimental ``Scenario``, for SolaraViz's Reset.

Mesa 3.5's SolaraViz Reset (``mesa.visualization.solara_viz._build_model_init_kwargs``) rebuilds
a model from ``model.scenario``: it must be an instance of a subclass of
``mesa.experimental.scenarios.Scenario``, and the new model gets ``type(model.scenario)(**params)``,
a new instance of that class built from its *class-level* defaults and the page's parameters
whose names are among those defaults. So:

- :class:`OrgScenario` is that subclass: a base (preset name, scenario file or validated
  ``sim.Scenario``) and dotted overrides (``"culture.decision_rights": 0.8``), validated once
  with ``Scenario.with_overrides`` when first needed (:attr:`OrgScenario.validated`). Any other
  attribute is read from the validated scenario (``s.culture.decision_rights``,
  ``s.horizon_weeks``), so code that read ``model.scenario`` as the validated scenario still
  does.
- :meth:`OrgScenario.defaults` makes a subclass whose class-level defaults are one base and its
  overrides; ``OrgModel.scenario`` is an instance of such a class (made the first time the
  attribute is read, so runs that never read it pay nothing), so Reset rebuilds the same
  organisation, with the page's parameters (a slider on ``culture.decision_rights``, ``rng``)
  applied over it.

Example::

    from sim import OrgModel
    from sim.mesa_scenario import OrgScenario

    model = OrgModel(scenario=OrgScenario(base="matrix", rng=4, **{"culture.decision_rights": 0.3}))
    model.scenario.culture.decision_rights  # 0.3, read from the validated scenario
"""

from __future__ import annotations

import os
from typing import Any, ClassVar

from mesa.experimental.scenarios import Scenario as MesaScenario

from sim.scenario import Scenario


class OrgScenario(MesaScenario):
    """A base scenario and dotted overrides, as a Mesa ``Scenario`` (see the module docstring).

    Args:
        rng: the run's seed, as Mesa's scenarios carry it (``OrgModel`` uses it when it is given
            no ``rng`` of its own).
        base: a preset name, a scenario file or a validated ``sim.Scenario`` (default: the
            class's, ``command_and_control`` for this class).
        **overrides: dotted scenario fields and their values (a double underscore also stands
            for the dot).

    Attributes:
        base: the base scenario.
        validated: the validated ``sim.Scenario`` (base with the overrides), built when first read.
    """

    base: Any = "command_and_control"
    __slots__ = ("_validated",)
    #: Made by :meth:`defaults` for one model's settings (SolaraViz Reset rebuilds from them).
    _made_for_model: ClassVar[bool] = False

    def __init__(self, *, rng: Any = None, **kwargs: Any) -> None:
        kwargs = {k.replace("__", ".") if "." not in k else k: v for k, v in kwargs.items()}
        super().__init__(rng=rng, **kwargs)
        base = self.__dict__.get("base")
        if not isinstance(base, (str, os.PathLike, Scenario)):
            raise TypeError(
                "OrgScenario base: expected a preset name, a scenario file or a sim.Scenario "
                f"(got {type(base).__name__})"
            )

    @classmethod
    def defaults(cls, base: Any, overrides: dict[str, Any] | None = None) -> type[OrgScenario]:
        """A subclass whose class-level defaults are ``base`` and ``overrides``.

        SolaraViz's Reset builds ``type(model.scenario)(**params)``: with this class the new
        scenario starts from the same base and overrides, and the page's parameters named like
        one of them replace it.
        """
        overrides = dict(overrides or {})
        namespace: dict[str, Any] = {
            "__annotations__": {"base": Any, **dict.fromkeys(overrides, Any)},
            "base": base,
            "_made_for_model": True,
            "__module__": __name__,
            "__qualname__": cls.__qualname__,
            **overrides,
        }
        return type(cls.__name__, (cls,), namespace)

    @property
    def overrides(self) -> dict[str, Any]:
        """The dotted overrides (every parameter but ``base`` and ``rng``)."""
        return {k: v for k, v in self.__dict__.items() if k not in ("base", "rng")}

    @property
    def validated(self) -> Scenario:
        """The validated ``sim.Scenario``: the base with the overrides applied (cached).

        Raises:
            ScenarioError: for an unknown base or a bad override, naming it.
        """
        try:
            return self._validated
        except AttributeError:
            pass
        base = self.__dict__["base"]
        if not isinstance(base, Scenario):
            from sim.inputs import load_scenario

            base = load_scenario(base)
        over = self.overrides
        sc = base.with_overrides(over) if over else base
        object.__setattr__(self, "_validated", sc)
        return sc

    def __getattr__(self, name: str) -> Any:
        # only reached when normal lookup fails: a field of the validated scenario
        if name.startswith("_") or name in ("model",):
            raise AttributeError(name)
        return getattr(self.validated, name)

    def __repr__(self) -> str:
        base = self.__dict__.get("base")
        shown = base.name if isinstance(base, Scenario) else str(base)
        over = ", ".join(f"{k!r}: {v!r}" for k, v in self.overrides.items())
        return f"OrgScenario(base={shown!r}, rng={self.__dict__.get('rng')!r}, {{{over}}})"
