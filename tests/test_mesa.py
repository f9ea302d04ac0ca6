"""``OrgModel`` as a Mesa model in practice (issue 17, "Mesa conventions"; issue 13).

Mesa's own tools on the model: ``mesa.batch_run`` with dotted dials as parameters and a list of
seeds, the model's ``DataCollector``, ``model.agents`` with ``select``/``groupby``/``agg`` and
agent reporters, and the constructor's overrides. Small organisations and a few weeks.
"""

from __future__ import annotations

import mesa
import numpy as np
import pandas as pd
import pytest

import sim
from sim import metrics
from sim.agents import Customer, Employee, Manager
from sim.model import OrgModel
from sim.scenario import ScenarioError

TINY = {"organisation.employees": 60, "customers.count": 600}
WEEKS = 6


def _model(**overrides: object) -> OrgModel:
    return OrgModel(
        "command_and_control",
        rng=3,
        counterfactual=False,
        **{**TINY, "horizon_weeks": WEEKS},
        **overrides,
    )


def test_batch_run_with_dotted_dials_and_seeds_gives_the_models_own_numbers() -> None:
    params = {
        "scenario": "command_and_control",
        "culture.decision_rights": [0.2, 0.8],
        "counterfactual": False,
        **TINY,
    }
    rows = mesa.batch_run(
        sim.OrgModel,
        parameters=params,
        rng=[1, 2],
        max_steps=WEEKS,
        data_collection_period=1,
        display_progress=False,
    )
    df = pd.DataFrame(rows)
    assert len(df) == 2 * 2 * WEEKS
    assert set(metrics.COLUMNS) <= set(df.columns)
    for (dial, seed), g in df.groupby(["culture.decision_rights", "rng"]):
        alone = OrgModel(
            "command_and_control",
            rng=seed,
            counterfactual=False,
            **{**TINY, "culture.decision_rights": dial},
        )
        table = alone.run(WEEKS)
        got = g.sort_values("Step")
        assert got["Step"].tolist() == list(range(1, WEEKS + 1))
        for col in metrics.COLUMNS:
            np.testing.assert_array_equal(got[col].to_numpy(), table[col].to_numpy(), err_msg=col)
    fcr = df[df["Step"] == WEEKS].groupby("culture.decision_rights")["first_contact_resolution"]
    assert fcr.mean()[0.8] > fcr.mean()[0.2]  # the dial reached the runs


def test_running_turns_false_at_the_horizon_and_datacollector_matches_results() -> None:
    m = _model()
    while m.running:
        m.step()
    assert m.week == WEEKS and m.steps == WEEKS
    dc = m.datacollector.get_model_vars_dataframe()
    table = m.results()
    assert list(dc.columns) == list(metrics.COLUMNS)
    assert len(dc) == WEEKS
    for col in metrics.COLUMNS:
        np.testing.assert_array_equal(dc[col].to_numpy(), table[col].to_numpy(), err_msg=col)
    latest = m.latest
    assert latest.pop("week") == WEEKS
    pd.testing.assert_series_equal(pd.Series(latest), table.iloc[-1], check_names=False)


def test_latest_before_the_first_week_says_so() -> None:
    with pytest.raises(LookupError, match="no week"):
        _ = _model().latest


def test_agents_hold_every_employee_and_customer_and_mesa_tools_work_on_them() -> None:
    m = _model()
    m.run()
    ever = int(np.count_nonzero(m.state.cust.exists))
    assert ever > TINY["customers.count"]  # customers were won during the run
    assert len(m.agents) == m.state.emp.n + ever
    by_type = m.agents_by_type
    assert len(by_type[Customer]) == ever
    assert len(by_type[Employee]) + len(by_type[Manager]) == m.state.emp.n
    counts = m.agents.groupby(type).count()
    assert counts[Customer] == ever
    active = m.agents.select(lambda a: isinstance(a, Customer) and a.active)
    assert len(active) == int(m.state.cust.active.sum())
    mean_sat = active.agg("satisfaction", np.mean)
    assert mean_sat == pytest.approx(m.latest["satisfaction_mean"])
    # an agent reporter over model.agents (Mesa's DataCollector reads model.agents)
    dc = mesa.DataCollector(agent_reporters={"morale": lambda a: getattr(a, "morale", None)})
    dc.collect(m)
    morale = dc.get_agent_vars_dataframe()["morale"].dropna()
    assert len(morale) == m.state.emp.n
    # the same row gives the same agent object; reading model.agents again adds nobody
    assert m.customers[5] is m.customers[5]
    assert len(m.agents) == m.state.emp.n + ever


def test_no_agent_is_made_until_someone_asks() -> None:
    m = _model()
    m.run()
    assert m.employees.materialised == m.customers.materialised == 0


def test_overrides_as_keywords_dotted_or_double_underscore_validated_like_with_overrides() -> None:
    a = _model(**{"culture.decision_rights": 0.7})
    b = _model(culture__decision_rights=0.7)
    assert a.scenario.culture.decision_rights == b.scenario.culture.decision_rights == 0.7
    pd.testing.assert_frame_equal(a.run(), b.run())
    with pytest.raises(ScenarioError, match="culture.decision_rights"):
        _model(**{"culture.decision_rights": 7.0})
    with pytest.raises(ScenarioError, match="culture.no_such_dial"):
        _model(**{"culture.no_such_dial": 0.5})


def test_scenario_by_name_is_the_loaded_preset() -> None:
    by_name = OrgModel("kotter_programme", rng=4, counterfactual=False, **TINY, horizon_weeks=3)
    loaded = sim.load_scenario("kotter_programme").with_overrides({**TINY, "horizon_weeks": 3})
    by_obj = OrgModel(loaded, rng=4, counterfactual=False)
    pd.testing.assert_frame_equal(by_name.run(), by_obj.run())


def test_solaraviz_plot_component_draws_the_models_metrics_and_steps_it() -> None:
    """Mesa's ``make_plot_component`` and ``ModelController`` (SolaraViz's parts) on OrgModel."""
    solara = pytest.importorskip("solara")
    ipyvuetify = pytest.importorskip("ipyvuetify")
    ipywidgets = pytest.importorskip("ipywidgets")
    from mesa.visualization import make_plot_component
    from mesa.visualization.solara_viz import ModelController

    model = solara.reactive(_model())
    plot, _page = make_plot_component(["adoption_rate", "churn_rate"])

    @solara.component
    def Page() -> None:
        ModelController(
            model,
            play_interval=solara.reactive(100),
            render_interval=solara.reactive(1),
            use_threads=solara.reactive(False),
        )
        plot(model.value)

    _box, rc = solara.render(Page(), handle_error=False)
    step = [b for b in rc.find(ipyvuetify.Btn).widgets if b.children == ["Step"]]
    assert len(step) == 1
    before = rc.find(ipywidgets.Image).widgets[0].value
    for _ in range(3):
        step[0].click()
    assert model.value.steps == 3
    collected = model.value.datacollector.get_model_vars_dataframe()
    assert len(collected) == 3
    pd.testing.assert_series_equal(
        collected["churn_rate"].reset_index(drop=True),
        model.value.results()["churn_rate"].reset_index(drop=True),
        check_names=False,
    )
    images = rc.find(ipywidgets.Image).widgets
    assert len(images) == 1 and images[0].value[:8] == b"\x89PNG\r\n\x1a\n"
    assert images[0].value != before  # the plot was redrawn with the new weeks
