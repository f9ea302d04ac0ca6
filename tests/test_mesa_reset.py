"""SolaraViz's Reset on ``OrgModel``: ``model.scenario`` is a Mesa ``Scenario`` (OrgScenario)."""

from __future__ import annotations

import pandas as pd
import pytest
from mesa.experimental.scenarios import Scenario as MesaScenario

import sim
from sim.mesa_scenario import OrgScenario
from sim.model import OrgModel
from sim.scenario import ScenarioError

TINY = {"organisation.employees": 60, "customers.count": 600, "horizon_weeks": 6}


def test_org_scenario_is_a_mesa_scenario_reading_the_validated_scenario() -> None:
    s = OrgScenario(base="matrix", rng=4, **{"culture.decision_rights": 0.3}, **TINY)
    assert isinstance(s, MesaScenario) and s.rng == 4
    assert s.culture.decision_rights == 0.3  # read from the validated scenario
    assert s.organisation.structure == sim.load_scenario("matrix").organisation.structure
    assert s.overrides == {"culture.decision_rights": 0.3, **TINY}
    with pytest.raises(ScenarioError, match="culture.decision_rights"):
        _ = OrgScenario(**{"culture.decision_rights": 7.0}).culture
    with pytest.raises(TypeError, match="base"):
        OrgScenario(base=3)


def test_a_model_from_an_org_scenario_is_the_model_from_its_settings() -> None:
    over = {"culture.decision_rights": 0.3, **TINY}
    by_scenario = OrgModel(scenario=OrgScenario(base="matrix", rng=4, **over), counterfactual=False)
    by_args = OrgModel("matrix", rng=4, counterfactual=False, **over)
    assert by_scenario.seed == 4
    pd.testing.assert_frame_equal(by_scenario.run(), by_args.run())
    with pytest.raises(ValueError, match="rng and scenario.rng"):
        OrgModel(scenario=OrgScenario(rng=1), rng=2)


def test_model_scenario_carries_the_models_settings_for_reset() -> None:
    model = OrgModel("kotter_programme", rng=5, counterfactual=False, **TINY)
    sc = model.scenario
    assert isinstance(sc, OrgScenario) and sc.model is model and sc.rng == 5
    assert sc.validated == sim.load_scenario("kotter_programme").with_overrides(TINY)
    assert sc.horizon_weeks == 6 and sc.name == "kotter_programme"
    again = type(sc)(rng=5)  # what Reset builds: the class's defaults are this model's settings
    pd.testing.assert_frame_equal(OrgModel(scenario=again, counterfactual=False).run(), model.run())


def test_solaraviz_reset_rebuilds_the_organisation_with_the_pages_parameters() -> None:
    """Mesa's ``ModelController`` Reset (as SolaraViz renders it) on OrgModel."""
    solara = pytest.importorskip("solara")
    ipyvuetify = pytest.importorskip("ipyvuetify")
    from mesa.visualization.solara_viz import ModelController

    model = solara.reactive(OrgModel("kotter_programme", rng=5, counterfactual=False, **TINY))
    params = solara.reactive({"rng": 9, "counterfactual": False, "culture.decision_rights": 0.9})

    @solara.component
    def Page() -> None:
        ModelController(
            model,
            model_parameters=params,
            play_interval=solara.reactive(100),
            render_interval=solara.reactive(1),
            use_threads=solara.reactive(False),
        )

    _box, rc = solara.render(Page(), handle_error=False)
    buttons = {b.children[0]: b for b in rc.find(ipyvuetify.Btn).widgets if b.children}
    for _ in range(2):
        buttons["Step"].click()
    first = model.value
    assert first.steps == 2
    buttons["Reset"].click()
    fresh = model.value
    assert fresh is not first and fresh.steps == 0 and fresh.seed == 9
    # the same organisation (preset and overrides kept), with the page's dial and seed
    assert fresh.scenario.name == "kotter_programme" and fresh.scenario.horizon_weeks == 6
    assert fresh.scenario.culture.decision_rights == 0.9
    ref = OrgModel(
        "kotter_programme", rng=9, counterfactual=False, **TINY, **{"culture.decision_rights": 0.9}
    )
    pd.testing.assert_frame_equal(fresh.run(), ref.run())
