"""Changing course mid-run, design B's dials and names, keeping a session: no browser.

The runs are deterministic for one seed, so the checks are exact (no replicates needed): a
change at week N leaves weeks 1..N untouched and the unchanged path equals the run without it.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

pytest.importorskip("solara", reason="the app extra is not installed (pip install -e '.[app]')")

from app.debrief import compare_debrief  # noqa: E402
from app.keep import from_query, read_scenario_upload, saved_from_scenario, to_query  # noqa: E402
from app.session import PROGRAMME, Config, Session, design_names  # noqa: E402
from sim.scenario import ScenarioError  # noqa: E402

RIGHTS = "culture.decision_rights"


def _cfg(**kw: object) -> Config:
    return Config.for_preset("command_and_control", **kw)


def test_a_change_at_week_n_keeps_weeks_up_to_n_and_the_unchanged_path() -> None:
    plain, changed = Session(_cfg()), Session(_cfg())
    plain.step(4)
    changed.step(4)
    assert changed.change(0, RIGHTS, 0.8) is True
    assert changed.week == 4
    plain.step(8)
    changed.step(8)
    a, b = plain.runs[0].df, changed.runs[0].df
    pd.testing.assert_frame_equal(a.iloc[:4], b.iloc[:4])
    assert not np.allclose(a.iloc[4:].to_numpy(float), b.iloc[4:].to_numpy(float), equal_nan=True)
    ghost = changed.runs[0].ghost_df()
    assert ghost is not None
    pd.testing.assert_frame_equal(ghost, a)  # the faint line is the run without the change
    changed.frame()  # the charts are drawn with the frame
    marks = changed.charts.changes  # type: ignore[union-attr]
    assert marks == {(4, "decision rights 0.8", 0)}
    assert any(t.get_text().strip() == "decision rights 0.8" for t in changed.charts.strip.texts)  # type: ignore[union-attr]


def test_a_change_at_week_0_sets_the_start_and_reset_drops_changes() -> None:
    s = Session(_cfg())
    assert s.change(0, RIGHTS, 0.7) is False  # week 0: a setting, not a change during the run
    assert dict(s.config.dials)[RIGHTS] == 0.7 and s.changes == ()
    s.step(2)
    s.change(0, PROGRAMME, True)
    assert s.setting(0, PROGRAMME) is True
    s.reset()
    assert s.week == 0 and s.changes == () and s.setting(0, PROGRAMME) is False


def test_a_refused_change_leaves_the_run() -> None:
    s = Session(_cfg())
    s.step(2)
    with pytest.raises(ScenarioError, match="expected a finite number in"):
        s.change(0, RIGHTS, 1.5)
    assert s.changes == () and s.runs[0].ghost is None


def test_b_has_its_own_dials_and_is_named_by_what_differs() -> None:
    c = _cfg(compare=True).copy_a()
    assert design_names(c) == ("command_and_control", "same as A")
    c = c.with_dial(RIGHTS, 0.8, design=1)
    assert dict(c.dials_of(0))[RIGHTS] == 0.15 and dict(c.dials_of(1))[RIGHTS] == 0.8
    assert design_names(c)[1] == "A + decision rights 0.8"
    s = Session(c)
    s.step(3)
    s.change(1, PROGRAMME, True)
    assert s.labels[1] == "B: A + decision rights 0.8, change programme on from week 3"
    s.step(2)
    text = " ".join(s.debrief()["Difference"])
    assert "B differs from A in: decision rights 0.8, change programme on from week 3" in text


def test_compare_debrief_says_no_difference_below_rounding() -> None:
    df = pd.DataFrame(
        {
            "churned_total": [10.0],
            "adoption_rate": [0.301],
            "morale_mean": [0.6601],
            "decision_latency_days": [2.0],
        }  # fmt: skip
    )
    other = df.assign(adoption_rate=0.299, morale_mean=0.6598)
    text = " ".join(compare_debrief("A", df, "B", other, "nothing"))
    assert "Adoption: no difference (30% in both)" in text
    assert "morale: no difference (0.66 in both)" in text
    assert "-0" not in text and "+0" not in text


def test_the_address_replays_the_same_run() -> None:
    s = Session(_cfg(seed=3, compare=True).with_dial(RIGHTS, 0.6, design=1))
    s.step(2)
    s.change(0, "culture.responsiveness", 0.7)
    s.step(3)
    s.change(1, PROGRAMME, True)
    s.step(1)
    saved = from_query(to_query(s.config, s.changes, s.week, ("presenter",)))
    assert saved is not None and saved.week == 6
    again = Session(saved.config, saved.changes, saved.week)
    for a, b in zip(s.runs, again.runs):
        pd.testing.assert_frame_equal(a.df, b.df)
    assert again.labels == s.labels
    assert s.csv() == again.csv()


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("seed=-1", "address seed: expected a whole number >= 0, got '-1'"),
        ("preset=nope", "address preset: 'nope' is not a preset"),
        ("change=3:A:decision_rights:2", "expected a finite number in [0.0, 1.0], got '2'"),
        ("change=2:B:decision_rights:0.5", "B only with compare=1"),
        ("colour=red", "address: unknown key 'colour'"),
    ],
)
def test_a_bad_address_is_refused_with_its_reason(query: str, message: str) -> None:
    with pytest.raises(ScenarioError) as e:
        from_query(query)
    assert message in str(e.value)


def test_a_scenario_file_round_trips_and_bad_files_are_refused() -> None:
    s = Session(_cfg())
    s.step(2)
    s.change(0, RIGHTS, 0.8)
    s.step(1)
    raw = s.scenario_toml(0).encode()
    saved = saved_from_scenario(read_scenario_upload("a.toml", raw), _cfg(seed=1), 0)
    again = Session(saved.config, saved.changes, 3)
    pd.testing.assert_frame_equal(again.runs[0].df, s.runs[0].df)
    bad = {
        "too_big.toml": (b"#" * 300_000, "300000 bytes"),
        "latin.toml": (b"name = '\xe9'", "not UTF-8 text"),
        "based.toml": (b'name = "matrix"\nbase = "/etc/passwd"\n', "may not name other files"),
        "other.toml": (raw.replace(b"span_of_control = 6", b"span_of_control = 9"),
                       "organisation.span_of_control: 9 differs from the preset"),
        "nopreset.toml": (b'name = "mine"\n', "named after a preset"),
    }  # fmt: skip
    for name, (body, message) in bad.items():
        with pytest.raises(ScenarioError) as e:
            saved_from_scenario(read_scenario_upload(name, body), _cfg(), 0)
        assert message in str(e.value) and str(e.value).startswith(
            (name, "organisation", "name =")
        ), str(e.value)


def test_csv_carries_seed_dials_and_changes_row_by_row() -> None:
    s = Session(_cfg(seed=9))
    s.step(2)
    s.change(0, RIGHTS, 0.8)
    s.step(2)
    t = s.settings_table(0)
    assert list(t[RIGHTS]) == [0.15, 0.15, 0.8, 0.8]  # the change at week 2 shows from row 3
    assert list(t["changes"]) == ["", "", "decision rights 0.8", ""]
    assert (t["seed"] == 9).all()
    assert s.export_name("data", "csv") == "orgsim_command_and_control-A_week4_data.csv"
