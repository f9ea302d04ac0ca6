"""The debrief: what happened in this run and why, in plain words, from the run's own data.

``ChurnLedger`` watches a model week by week (it only reads the state arrays) and keeps the books
the per-week table cannot: for every customer who leaves, how much of their leaving the base
hazard explains (moves, mergers: they would have gone anyway) and how much their dissatisfaction
does; and how much satisfaction each kind of bad experience took from customers:

- waiting on an escalated decision (the issue needed a decision above the handler's authority),
- waiting on an ordinary call-back,
- sales calls that landed on customers already angry about an issue sales had not heard of,
- everyday service below the customer's expectations (the weekly drift down towards a low level).

The hazard split uses the model's own churn formula (``sim.mechanisms.customers``), so the base
share of each departure is exact; the split of the unhappy departures among the experiences is in
proportion to the satisfaction each took, an estimate the text calls "about".
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from sim.mechanisms import customers as cm

CHANNELS = ("escalation", "callback", "angry_call", "everyday")
CHANNEL_WORDS = {
    "escalation": "waiting for escalated decisions",
    "callback": "waiting for call-backs",
    "angry_call": "sales calls to customers already angry about an open issue",
    "everyday": "everyday service below customers' expectations",
    "base": "base churn (moves, mergers: customers who would have left anyway)",
}


@dataclass
class ChurnLedger:
    """Per-week bookkeeping around ``model.step()`` (call :meth:`before` then :meth:`after`).

    Attributes:
        base_churn: expected number of departures explained by the base hazard alone.
        churned: departures seen.
        damage: satisfaction taken by each channel, summed over customers and weeks.
        angry_calls_seen: angry sales calls counted so far.
    """

    base_churn: float = 0.0
    churned: int = 0
    damage: dict[str, float] = field(default_factory=lambda: dict.fromkeys(CHANNELS, 0.0))
    angry_calls_seen: float = 0.0
    _pre: dict[str, np.ndarray] = field(default_factory=dict, repr=False)

    def before(self, model: object) -> None:
        """Snapshot what the week will change."""
        c = model.state.cust  # type: ignore[attr-defined]
        self._pre = {
            "active": c.active.copy(),
            "open": c.issue_open.copy(),
            "days": c.issue_days.copy(),
            "sat": c.satisfaction.copy(),
        }

    def after(self, model: object, row: Mapping[str, float]) -> None:
        """Book the week's departures and satisfaction damage.

        Args:
            model: the ``OrgModel`` just stepped.
            row: this week's row of ``model.results()``.
        """
        if not self._pre:
            return
        st, sc = model.state, model.scenario  # type: ignore[attr-defined]
        c = st.cust
        pre = self._pre
        # departures: base share of each from the churn hazard at the satisfaction they left with
        gone = pre["active"] & ~c.active
        self.churned += int(gone.sum())
        if gone.any():
            hb = cm.weekly_hazard(sc.customers.base_churn_annual)
            pivot = sc.customers.churn_pivot
            gap = np.clip((pivot - c.satisfaction[gone]) / pivot, 0.0, 1.0)
            hd = sc.customers.dissatisfied_churn_annual / 52.0 * gap**2
            tot = hb + hd
            self.base_churn += float(np.where(tot > 0, hb / np.where(tot > 0, tot, 1), 1).sum())
        # waiting: days added to an issue this week, beyond the first two, times (1 + severity)
        was_open = pre["open"] & pre["active"]
        waited = np.where(
            was_open,
            c.issue_days - pre["days"],
            np.where(c.issue_days != pre["days"], c.issue_days, 0),
        )
        waited = np.clip(waited, 0.0, 7.0)
        pc = sc.customers
        wd = (
            pc.wait_cost_per_day
            * np.maximum(waited - pc.wait_grace_days, 0.0)
            * (1.0 + c.issue_severity)
        )
        escalated = c.issue_severity > model.authority[c.handler]  # type: ignore[attr-defined]
        self.damage["escalation"] += float(wd[escalated].sum())
        self.damage["callback"] += float(wd[~escalated].sum())
        # angry sales calls: counted by the model
        calls = float(row["upsell_to_angry_total"])
        self.damage["angry_call"] += sc.sales.angry_call_cost * (calls - self.angry_calls_seen)
        self.angry_calls_seen = calls
        # everyday: the drift down towards a target below where the customer stood
        act = pre["active"]
        if act.any():
            quality = float(row["service_quality"])
            # the owners' care behaviour as the model's sales process computed it this week
            care = model.last_week.sales.owner_care  # type: ignore[attr-defined]
            target = cm.satisfaction_target(quality, care[c.owner[act]], c.expectation[act], p=pc)
            self.damage["everyday"] += float(
                (pc.satisfaction_drift * np.maximum(pre["sat"][act] - target, 0)).sum()
            )
        self._pre = {}

    def attribution(self) -> dict[str, float]:
        """Departures attributed to the base hazard and to each channel (sums to ``churned``)."""
        base = min(self.base_churn, float(self.churned))
        unhappy = self.churned - base
        total = sum(self.damage.values())
        out = {"base": base}
        for ch in CHANNELS:
            out[ch] = unhappy * self.damage[ch] / total if total > 0 else 0.0
        return out


def _pct(x: float) -> str:
    return f"{100 * x:.0f}%"


def _num(x: float) -> str:
    return f"{x:,.0f}"


def debrief(
    df: pd.DataFrame,
    scenario: object,
    ledger: ChurnLedger | None = None,
    programme_log: list[tuple[int, str, float]] | None = None,
    reinforce_until: int | None = None,
) -> list[str]:
    """Plain-language paragraphs about one run.

    Args:
        df: the run's per-week table (``model.results()``).
        scenario: its scenario (for the starting book and the go-live week).
        ledger: the run's ``ChurnLedger`` (for what drove the churn); optional.
        programme_log: ``model.programme_log``.
        reinforce_until: week the CRM project team left (``state.levers.reinforce_until``).

    Returns:
        A list of short paragraphs, most important first.
    """
    if df.empty:
        return ["Nothing has happened yet: press Step or Play."]
    last = df.iloc[-1]
    weeks = int(df.index[-1])
    start_book = int(scenario.customers.count)  # type: ignore[attr-defined]
    out: list[str] = []
    lost = float(last["churned_total"])
    silent = float(last["churned_silent_total"])
    complained = lost - silent
    silent_share = silent / lost if lost else 0.0
    para = (
        f"In {weeks} weeks the organisation lost {_num(lost)} customers "
        f"({_pct(lost / start_book)} of the starting book) and won {_num(last['acquired_total'])}."
    )
    if lost:
        para += (
            f" {_pct(silent_share)} of those who left never complained: management, watching "
            f"complaints, saw only {_num(complained)} of the {_num(lost)} departures coming."
        )
    out.append(para)
    if ledger is not None and ledger.churned:
        att = ledger.attribution()
        ranked = sorted(att.items(), key=lambda kv: kv[1], reverse=True)
        top, top_n = ranked[0]
        para = f"What drove the churn: mostly {CHANNEL_WORDS[top]} (about {_num(top_n)} customers)"
        rest = [(k, v) for k, v in ranked[1:] if v >= 0.5]
        if rest:
            para += ", then " + ", ".join(f"{CHANNEL_WORDS[k]} (about {_num(v)})" for k, v in rest)
        para += "."
        esc_share = ledger.damage["escalation"] / max(sum(ledger.damage.values()), 1e-12)
        if esc_share > 0.2:
            para += (
                f" Waiting on escalated decisions took {_pct(esc_share)} of the satisfaction "
                "customers lost: decisions climb the hierarchy and queue on managers' desks."
            )
        out.append(para)
    adoption = df["adoption_rate"].to_numpy(dtype=float)
    if np.nanmax(adoption) > 0:
        peak_i = int(np.nanargmax(adoption))
        peak, peak_week, final = adoption[peak_i], int(df.index[peak_i]), adoption[-1]
        if peak_week >= weeks - 2 and final >= peak - 0.01:
            para = f"CRM adoption reached {_pct(final)} of the front line by week {weeks}"
            if len(adoption) > 8 and final > adoption[-9] + 0.02:
                para += " and was still rising"
        else:
            para = f"CRM adoption peaked at {_pct(peak)} of the front line in week {peak_week}"
            if peak - final >= 0.05:
                para += f" and decayed to {_pct(final)} by week {weeks}"
                if reinforce_until is not None and 0 <= reinforce_until <= peak_week + 10:
                    para += (
                        f": the project team's reinforcement had ended in week {reinforce_until}"
                        ", and habits slid back towards what people actually intended"
                    )
            else:
                para += f" and held at {_pct(final)} by week {weeks}"
        para += "."
        out.append(para)
    else:
        crm = scenario.crm  # type: ignore[attr-defined]
        if not crm.enabled:
            out.append("No CRM was rolled out in this design.")
        elif weeks <= crm.go_live_week:
            out.append(f"The CRM goes live in week {crm.go_live_week}; nobody could use it yet.")
        else:
            out.append("Nobody took up the CRM.")
    lat = df["decision_latency_days"].to_numpy(dtype=float)
    fin = lat[np.isfinite(lat)]
    if fin.size:
        early, late = float(np.mean(fin[: min(8, fin.size)])), float(np.mean(fin[-8:]))
        morale0, morale1 = float(df["morale_mean"].iloc[0]), float(last["morale_mean"])
        trend = (
            "rose" if morale1 > morale0 + 0.02 else "fell" if morale1 < morale0 - 0.02 else "held"
        )
        out.append(
            f"A customer decision took {early:.1f} days on average in the first weeks and "
            f"{late:.1f} days at the end; staff morale {trend} ({morale0:.2f} to {morale1:.2f}) "
            f"and {_num(last['quits_total'])} people quit."
        )
    if programme_log:
        steps = ", ".join(f"{s.replace('_', ' ')} (week {w})" for w, s, _ in programme_log)
        out.append(f"Change-programme steps carried out: {steps}.")
    roi = float(last["roi"])
    if np.isfinite(roi):
        verdict = "paid back" if roi > 0 else "has not paid back yet"
        out.append(
            f"Against the same organisation without the change (same random numbers), the "
            f"investment of {_num(last['investment_total'])} {verdict}: ROI {roi:+.2f}."
        )
    return out


def _gap(what: str, a: float, b: float, digits: int, unit: str = "", scale: float = 1.0) -> str:
    """One outcome of both designs in words: "no difference" below the shown rounding."""
    va, vb = round(a * scale, digits), round(b * scale, digits)
    fa, fb = f"{va:.{digits}f}{unit}", f"{vb:.{digits}f}{unit}"
    if fa == fb:
        return f"{what}: no difference ({fa} in both)"
    d = abs(vb - va)
    more = "higher" if vb > va else "lower"
    points = " points" if unit == "%" else unit
    return f"{what}: {d:.{digits}f}{points} {more} in B ({fb} against {fa} in A)"


def compare_debrief(
    label_a: str,
    df_a: pd.DataFrame,
    label_b: str,
    df_b: pd.DataFrame,
    what_differs: str = "",
) -> list[str]:
    """Plain-language differences between two designs run on the same random numbers.

    Args:
        label_a, label_b: the designs' names ("A: kotter_programme").
        df_a, df_b: their per-week results.
        what_differs: how B differs from A in plain words (empty: not said).

    Differences are rounded as they are shown; one that rounds to nothing is "no difference",
    never "-0 points".
    """
    k = min(len(df_a), len(df_b))
    if k == 0:
        return []
    a, b = df_a.iloc[k - 1], df_b.iloc[k - 1]
    d_lost = round(float(b["churned_total"] - a["churned_total"]))
    if d_lost == 0:
        first = f"By week {k} both designs had lost the same number of customers."
    else:
        verb = "lost" if d_lost > 0 else "kept"
        first = f"By week {k}, B {verb} {_num(abs(d_lost))} more customers than A."
    intro = (
        "Both designs ran on the same random numbers, so the difference is the design, not luck."
    )
    intro += (
        f" B differs from A in: {what_differs}." if what_differs
        else f" A is {label_a}; B is {label_b}."
    )  # fmt: skip
    gaps = [
        _gap("Adoption", float(a["adoption_rate"]), float(b["adoption_rate"]), 0, "%", 100),
        _gap("morale", float(a["morale_mean"]), float(b["morale_mean"]), 2),
        _gap(
            "decision latency",
            float(a["decision_latency_days"]),
            float(b["decision_latency_days"]),
            1,
            " days",
        ),  # fmt: skip
    ]
    return [intro + " " + first, "; ".join(gaps) + "."]
