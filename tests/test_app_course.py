"""Changing course mid-run, design B's dials and names, keeping a session: no browser.

The runs are deterministic for one seed, so the checks are exact (no replicates needed): a
change at week N leaves weeks 1..N untouched and the unchanged path equals the run without it.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

pytest.importorskip("solara", reason="the app extra is not installed (pip install -e '.[app]')")

from app.debrief import compare_debrief  # noqa: E402
from app.keep import from_query, read_scenario_upload, saved_from_scenario, to_query  # noqa: E402
from app.session import (  # noqa: E402
    PROGRAMME,
    Change,
    Config,
    Restart,
    Session,
    design_names,
)
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


# --------------------------------------------------------------------------- the changed course
def test_the_course_scenario_is_the_live_run_with_its_changes() -> None:
    """The band's scenario (changes as interventions at their weeks) replays the live run."""
    from sim.model import OrgModel

    s = Session(_cfg(seed=4))
    s.step(3)
    s.change(0, RIGHTS, 0.8)
    s.step(2)
    s.change(0, PROGRAMME, True)
    s.step(2)
    course = s.course_scenario(0)
    assert [iv.week for iv in course.interventions] == [3, 5]
    pd.testing.assert_frame_equal(OrgModel(course, rng=4).run(steps=7), s.runs[0].df)
    fresh = Session(_cfg(seed=4))
    assert fresh.course_scenario(0) == fresh.runs[0].scenario  # no change: the design itself


class _Luck:
    """A band source that has every band at once (the worker process is app.luck's concern)."""

    def __init__(self) -> None:
        from app.luck import LuckBands

        self.real = LuckBands()
        self.asked: list[str] = []

    def request(self, scenario: object, seed: int) -> str:
        k = self.real.key(scenario, seed)  # type: ignore[arg-type]
        self.asked.append(k)
        return k

    def result(self, key: str) -> dict:
        weeks = np.arange(1, 5)
        level = 0.2 if 'interventions":[]' in key else 0.6
        return {"adoption_rate": (weeks, np.zeros(4), np.full(4, level))}

    def status(self, keys: list[str], changed: bool = False) -> str:
        return "changed" if changed else "design"


def test_after_a_change_the_band_is_that_of_the_changed_course() -> None:
    from app.page import _bands

    s = Session(_cfg())
    s.step(2)
    luck = _Luck()
    assert _bands(s, luck, True) == "design"  # type: ignore[arg-type]
    ch = s.charts
    assert ch is not None and ch.bands[0]["adoption_rate"][2][0] == 0.2
    s.change(0, RIGHTS, 0.8)
    assert _bands(s, luck, True) == "changed"  # type: ignore[arg-type]
    assert len(set(luck.asked)) == 2  # a new band was asked for: the course with the change
    assert ch.bands[0]["adoption_rate"][2][0] == 0.6
    assert len(ch.axes[0].collections) == 1  # the old band is gone, not drawn beneath


def test_a_band_not_yet_started_for_a_course_left_behind_is_cancelled() -> None:
    from concurrent.futures import Future

    from app.luck import LuckBands

    luck = LuckBands()
    old, new = Future(), Future()  # type: ignore[var-annotated]
    luck._jobs = {"old": old, "new": new}
    luck.keep_only(["new"])
    assert old.cancelled() and "old" not in luck._jobs and luck.pending() == ("new",)
    new.set_result({})
    assert luck.pending() == ()


# --------------------------------------------------------------------------- restarts
def test_another_seed_replays_the_changes_at_their_weeks() -> None:
    s = Session(_cfg())
    s.step(3)
    s.change(0, RIGHTS, 0.8)
    s.step(4)
    said = s.reconfigure(replace(s.config, seed=7))
    assert s.week == 7 and s.changes == (Change(3, 0, RIGHTS, 0.8),)
    assert "replayed 1 change" in said
    direct = Session(_cfg(seed=7), (Change(3, 0, RIGHTS, 0.8),), 7)
    pd.testing.assert_frame_equal(s.runs[0].df, direct.runs[0].df)


def test_compare_and_copy_a_keep_as_changes_and_another_preset_clears_them() -> None:
    s = Session(_cfg())
    s.step(3)
    s.change(0, RIGHTS, 0.8)
    s.step(2)
    s.reconfigure(replace(s.config, compare=True))
    assert s.week == 5 and len(s.runs) == 2 and s.changes == (Change(3, 0, RIGHTS, 0.8),)
    s.change(1, PROGRAMME, True)
    said = s.reconfigure(s.config.copy_a(), copy_a=True)
    assert "1 of B's cleared" in said and "B got a copy of A's" in said
    assert s.runs[1].name == "same as A"
    pd.testing.assert_frame_equal(s.runs[0].df, s.runs[1].df)
    said = s.reconfigure(s.config.with_preset("kotter_programme"))
    assert s.week == 0 and s.changes == ()
    assert said.startswith("The run restarted at week 0") and "2 change(s)" in said
    assert s.reconfigure(replace(s.config, seed=3)) == ""  # nothing to keep or clear


# --------------------------------------------------------------------------- the seed in the file
def test_the_scenario_file_keeps_the_seed_and_the_page_reads_it_back() -> None:
    s = Session(_cfg(seed=9))
    s.step(2)
    s.change(0, RIGHTS, 0.8)
    s.step(1)
    raw = s.scenario_toml(0)
    assert "\n[run]\nseed = 9\n" in raw
    saved = saved_from_scenario(read_scenario_upload("a.toml", raw.encode()), _cfg(seed=1), 0)
    assert saved.config.seed == 9
    pd.testing.assert_frame_equal(Session(saved.config, saved.changes, 3).runs[0].df, s.runs[0].df)
    plain = raw.replace("\n[run]\nseed = 9\n", "\n")
    kept = saved_from_scenario(read_scenario_upload("a.toml", plain.encode()), _cfg(seed=5), 0)
    assert kept.config.seed == 5  # a file without a seed keeps the session's
    for bad, message in (("seed = -1", "run.seed"), ('seed = "x"', "run.seed")):
        with pytest.raises(ScenarioError) as e:
            read_scenario_upload("b.toml", raw.replace("seed = 9", bad).encode())
        assert str(e.value).startswith("b.toml") and message in str(e.value), str(e.value)


def test_a_restart_replayed_apart_then_adopted_equals_the_foreground_restart() -> None:
    """What the page does in the background (``Session.plan``, ``Restart.run`` in a session of
    its own, ``Session.adopt``) ends on the same run, week by week, as ``reconfigure``; the
    progress goes week by week to the week reached; a refused change leaves the session."""

    def made() -> Session:
        s = Session(_cfg(compare=True))
        s.step(3)
        s.change(0, RIGHTS, 0.8)
        s.step(2)
        s.change(1, PROGRAMME, True)
        s.step(4)
        return s

    for new, copy_a in ((lambda c: replace(c, seed=11), False), (lambda c: c.copy_a(), True)):
        fore, back = made(), made()
        said = fore.reconfigure(new(fore.config), copy_a=copy_a)
        plan = back.plan(new(back.config), copy_a=copy_a)
        assert plan is not None and plan.replays
        seen: list[tuple[int, int]] = []
        fresh = plan.run(lambda k, n, out=seen: out.append((k, n)))
        assert back.week == 9 and back.config != plan.config  # untouched until adopted
        version = back.version
        back.adopt(fresh)
        assert back.version > version  # the page draws a new frame
        assert seen == [(k, 9) for k in range(1, 10)]
        assert plan.message(back.week) == said
        assert back.config == fore.config and back.changes == fore.changes
        assert back.labels == fore.labels
        for a, b in zip(fore.runs, back.runs, strict=True):
            pd.testing.assert_frame_equal(a.df, b.df)
        assert back.csv() == fore.csv()
        assert back.frame().week == 9
    bad = Restart(_cfg(), (Change(3, 0, RIGHTS, 0.8), Change(2, 1, RIGHTS, 0.5)), 5)
    with pytest.raises(ScenarioError, match="switch on 'Compare with design B'"):
        bad.run()
