"""What the room sees: the presenter view, the keys, the iceberg and the prediction moment.

- :func:`apply_layout` sizes the session's pictures for the normal view or for the presenter
  view (org view and every chart inside one 1280x720 screen, larger text);
- :class:`KeyListener` hears Space (Play/Pause), Right arrow / PageDown (Step) and R (Reset) on
  the whole page, as a presenter's clicker sends them, but never while someone types in a field;
- :func:`iceberg_html` draws seen and unseen churn from the run's own metrics (complaints and
  customers who left after complaining above the waterline, silent departures below);
- :func:`prediction_rows` compares the room's guesses with what happened.

No Solara in the layout and the numbers (tested without a browser); the components are small.
"""

from __future__ import annotations

import html
import math
from collections.abc import Callable
from dataclasses import dataclass

import ipyvue
import pandas as pd
import solara
import traitlets

#: The presenter view's CSS: a 1280x720 screen holds the bar, the cards, the org view and every
#: chart. Body text 20 px, key figures 34 px, black on white.
PRESENTER_CSS = """
.orgsim-presenter .col:has(.orgsim-controls), .orgsim-presenter .orgsim-controls {
  display: none !important; }
.orgsim-presenter .col:has(.orgsim-live) { max-width: 100% !important; flex: 1 1 100% !important;
  padding: 0 !important; }
.orgsim-presenter .row { margin: 0 !important; }
.orgsim-presenter .v-input--switch { margin: 0 0 0 12px !important; padding: 0 !important; }
.orgsim-presenter .v-input--switch .v-messages { display: none; }
.orgsim-presenter .orgsim-error { font-size: 20px; }
.orgsim-presenter { font-size: 20px; color: #000; background: #fff; padding: 4px 10px; }
.orgsim-presenter .week-counter { font-size: 34px; font-weight: 800; color: #000; }
.orgsim-presenter .v-btn { font-size: 20px !important; height: 40px !important; }
.orgsim-presenter .v-label, .orgsim-presenter label { font-size: 20px !important; color: #000; }
.orgsim-presenter .orgsim-cards { flex-wrap: nowrap; gap: 6px; margin: 2px 0; }
.orgsim-presenter .orgsim-card { min-width: 0; flex: 1 1 auto; padding: 2px 8px;
  border: 2px solid #222; background: #fff; }
.orgsim-presenter .orgsim-card .t { font-size: 20px; color: #000; white-space: nowrap; }
.orgsim-presenter .orgsim-card .v { font-size: 34px; line-height: 1.1; white-space: nowrap; }
.orgsim-presenter .orgsim-card .v .a { color: #0b3d91; }
.orgsim-presenter .orgsim-card .v .b { color: #b35900; margin-left: 8px; }
.orgsim-presenter .orgsim-card .n { display: none; }
.orgsim-presenter .orgsim-card.churn .v { font-size: 32px; }
.orgsim-presenter .pres-main { display: grid; grid-template-columns: 1fr 1fr; gap: 8px;
  height: calc(100vh - 168px); min-height: 0; }
.orgsim-presenter .pres-col { display: flex; flex-direction: column; min-height: 0;
  min-width: 0; overflow: hidden; }
.orgsim-presenter .pres-col img.orgsim-img { width: auto !important; height: auto;
  max-width: 100%; display: block; }
.orgsim-presenter .n1 img.org-view { max-height: calc(100vh - 300px); }
.orgsim-presenter .n2 img.org-view { max-height: calc((100vh - 300px) / 2); }
.orgsim-presenter .n1 img.charts { max-height: calc(100vh - 175px); }
.orgsim-presenter .luck img.charts { max-height: calc(100vh - 250px); }
.orgsim-presenter .n2.luck img.charts { max-height: calc((100vh - 250px) * 0.57); }
.orgsim-presenter .n2.luck img.diff-chart { max-height: calc((100vh - 250px) * 0.41); }
.orgsim-presenter .n2 img.charts { max-height: calc((100vh - 175px) * 0.57); }
.orgsim-presenter .n2 img.diff-chart { max-height: calc((100vh - 175px) * 0.41); }
.orgsim-presenter .orgsim-caption { font-size: 20px; color: #000; margin: 0; }
.orgsim-presenter .orgsim-iceberg { font-size: 20px; flex: 0 0 auto; margin: 0; }
.orgsim-presenter .orgsim-iceberg .above, .orgsim-presenter .orgsim-iceberg .below {
  line-height: 1.1; }
"""

#: Shared by both views: the iceberg panel.
ICEBERG_CSS = """
.orgsim-iceberg { display: flex; gap: 14px; align-items: stretch; font-size: 15px; color: #000;
  margin: 4px 0; }
.orgsim-iceberg .berg { display: flex; flex-direction: column; gap: 2px; min-width: 0; flex: 1; }
.orgsim-iceberg .above, .orgsim-iceberg .below { display: flex; align-items: center; gap: 8px; }
.orgsim-iceberg .bar { height: 18px; border-radius: 3px; min-width: 2px; }
.orgsim-iceberg .above .bar { background: #a0a0a0; }
.orgsim-iceberg .below .bar { background: #3f007d; }
.orgsim-iceberg .line { border-top: 3px solid #1f78b4; margin: 1px 0; }
.orgsim-iceberg .name { font-weight: 700; }
.orgsim-predict table { border-collapse: collapse; font-size: 16px; }
.orgsim-predict td, .orgsim-predict th { border: 1px solid #999; padding: 2px 8px; }
"""

#: The presenter view's picture sizes (inches at 80 dpi) and text scale: one design gets the org
#: view on the left and the six charts in three rows on the right; two designs get both org views
#: stacked on the left and the charts and the difference stacked on the right.
PRESENTER = {
    1: {"org": (8.0, 5.2), "charts": ((8.0, 6.9), (3, 2)), "diff": None},
    2: {"org": (8.0, 3.5), "charts": ((8.0, 4.4), (2, 3)), "diff": ((8.0, 3.2), (2, 3))},
}
PRESENTER_FONT = 1.25


def apply_layout(session: object, presenter: bool) -> None:
    """Size the session's pictures for the normal or the presenter view (cheap when unchanged).

    Sets the org view size the session uses for new views (instance attributes shadowing the
    class defaults) and resizes the views and charts that exist.
    """
    from app.session import Session

    n = len(session.runs)  # type: ignore[attr-defined]
    if presenter:
        spec = PRESENTER[2 if n > 1 else 1]
        org, font = spec["org"], PRESENTER_FONT
        charts, diff = spec["charts"], spec["diff"]
    else:
        org = Session.ORG_SIZE_COMPARE if n > 1 else Session.ORG_SIZE
        font, charts, diff = 1.0, ((11.0, 4.4), (2, 3)), ((11.0, 4.4), (2, 3))
    session.ORG_SIZE = session.ORG_SIZE_COMPARE = org  # type: ignore[attr-defined]
    for r in session.runs:  # type: ignore[attr-defined]
        if r.view is not None:
            r.view.resize(org, font)
    if session.charts is not None:  # type: ignore[attr-defined]
        session.charts.resize(charts[0], charts[1], font)  # type: ignore[attr-defined]
    if session.diff is not None and diff is not None:  # type: ignore[attr-defined]
        session.diff.resize(diff[0], diff[1], font)  # type: ignore[attr-defined]


# ---------------------------------------------------------------------------- keys
KEYS_TEMPLATE = """
<template><span class="orgsim-keys" style="display:none"></span></template>
<script>
module.exports = {
  mounted() {
    this.onKey = (e) => {
      const t = e.target;
      const tag = (t && t.tagName) || "";
      // never while someone types in a field (the seed, a guess)
      if (tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT" || (t && t.isContentEditable)) {
        return;
      }
      if (e.ctrlKey || e.metaKey || e.altKey) { return; }
      let k = null;
      if (e.key === " " || e.code === "Space") { k = "play"; }
      else if (e.key === "ArrowRight" || e.key === "PageDown") { k = "step"; }
      else if (e.key === "r" || e.key === "R") { k = "reset"; }
      if (k === null) { return; }
      e.preventDefault();  // no page scroll, no second click on a focused button
      if (e.repeat) { return; }
      this.key(k);
    };
    this.onKeyUp = (e) => {
      const tag = (e.target && e.target.tagName) || "";
      if ((e.key === " " || e.code === "Space") && tag === "BUTTON") { e.preventDefault(); }
    };
    document.addEventListener("keydown", this.onKey, true);
    document.addEventListener("keyup", this.onKeyUp, true);
  },
  destroyed() {
    document.removeEventListener("keydown", this.onKey, true);
    document.removeEventListener("keyup", this.onKeyUp, true);
  },
};
</script>
"""


class KeyListener(ipyvue.VueTemplate):
    """A hidden widget that hears the page's keys and calls ``on_key("play"|"step"|"reset")``."""

    template = traitlets.Unicode(KEYS_TEMPLATE).tag(sync=True)
    on_key = traitlets.Any(None)

    def vue_key(self, data: object) -> None:
        """Called from the page with the key's action."""
        if callable(self.on_key) and data in ("play", "step", "reset"):
            self.on_key(data)


@solara.component
def Keys(on_key: Callable[[str], None]):
    """The page's keyboard: Space, Right arrow / PageDown and R."""
    KeyListener.element(on_key=on_key)


# ---------------------------------------------------------------------------- iceberg
@dataclass(frozen=True)
class Iceberg:
    """Seen and unseen churn of one design so far (from its per-week results)."""

    complaints: int
    left_complained: int
    left_silent: int

    @classmethod
    def of(cls, df: pd.DataFrame) -> Iceberg:
        """From ``model.results()``: ``complaints_total``, ``churned_total``, ``*_silent_total``."""
        if not len(df):
            return cls(0, 0, 0)
        last = df.iloc[-1]
        lost, silent = float(last["churned_total"]), float(last["churned_silent_total"])
        return cls(int(last["complaints_total"]), int(round(lost - silent)), int(round(silent)))


def iceberg_html(bergs: list[tuple[str, Iceberg]]) -> str:
    """The iceberg panel: per design, what management sees above the line, silent churn below.

    Bars share one scale across designs (the largest count is the full width), so two designs can
    be compared at a glance.
    """
    top = max([1] + [max(b.complaints, b.left_complained, b.left_silent) for _, b in bergs])

    def bar(n: int) -> str:
        return f'<span class="bar" style="width:{max(2.0, 100.0 * n / top):.1f}px"></span>'

    parts = []
    for name, b in bergs:
        parts.append(
            '<div class="berg">'
            f'<div class="name">{html.escape(name)}</div>'
            f'<div class="above">{bar(b.complaints)}<span>{b.complaints:,} complaints</span></div>'
            f'<div class="above">{bar(b.left_complained)}<span>{b.left_complained:,} left after '
            "complaining</span></div>"
            '<div class="line" title="what management sees is above this line"></div>'
            f'<div class="below">{bar(b.left_silent)}<span>{b.left_silent:,} left silently'
            "</span></div></div>"
        )
    return "".join(parts)


@solara.component
def IcebergPanel(bergs: list[tuple[str, Iceberg]]):
    """Seen churn above the waterline, silent churn below (one block per design)."""
    solara.HTML(tag="div", unsafe_innerHTML=iceberg_html(bergs), classes=["orgsim-iceberg"])


# ---------------------------------------------------------------------------- prediction
@dataclass(frozen=True)
class Guess:
    """The room's guesses before Play (None: not given)."""

    lost_52: int | None = None
    adoption_peak: float | None = None  # percent of the front line
    roi_positive: bool | None = None


def prediction_rows(guess: Guess, df: pd.DataFrame) -> list[tuple[str, str, str]]:
    """(question, the room's guess, what happened) for each guess, from design A's results.

    "What happened" is read at week 52 when the run got there, else "so far, week N".
    """
    weeks = len(df)
    at = min(weeks, 52)
    when = "by week 52" if weeks >= 52 else f"so far (week {weeks})"

    def col(name: str) -> pd.Series:
        return df[name].iloc[:at] if weeks else pd.Series(dtype=float)

    rows = []
    lost = float(col("churned_total").iloc[-1]) if weeks else math.nan
    rows.append(
        (
            "Customers lost by week 52",
            "–" if guess.lost_52 is None else f"{guess.lost_52:,}",
            "–" if lost != lost else f"{lost:,.0f} {when}",
        )
    )
    peak = 100.0 * float(df["adoption_rate"].max()) if weeks else math.nan
    rows.append(
        (
            "Adoption peak",
            "–" if guess.adoption_peak is None else f"{guess.adoption_peak:.0f}%",
            "–" if peak != peak else f"{peak:.0f}% (week {int(df['adoption_rate'].argmax()) + 1})",
        )
    )
    roi = float(df["roi"].iloc[-1]) if weeks else math.nan
    sign = "–" if roi != roi else ("positive" if roi > 0 else "negative") + f" ({roi:+.2f})"
    rows.append(
        (
            "ROI sign",
            "–" if guess.roi_positive is None else ("positive" if guess.roi_positive else "negative"),
            f"{sign} at week {weeks}" if weeks else "–",
        )
    )
    return rows


def prediction_html(rows: list[tuple[str, str, str]]) -> str:
    """The reveal: a small table of guesses against what happened."""
    body = "".join(
        f"<tr><td>{html.escape(q)}</td><td>{html.escape(g)}</td><td>{html.escape(a)}</td></tr>"
        for q, g, a in rows
    )
    return (
        "<table><tr><th>Question</th><th>The room guessed</th><th>What happened</th></tr>"
        f"{body}</table>"
    )


@solara.component
def Prediction(df: pd.DataFrame, week: int):
    """Before Play: the room's guesses; Reveal shows them against what happened."""
    guess, set_guess = solara.use_state(Guess())
    shown, set_shown = solara.use_state(False)
    with solara.Details("A prediction moment: the room's guesses", expand=False):
        with solara.Row(style={"flex-wrap": "wrap", "align-items": "center"}):
            solara.InputInt(
                "Customers lost by week 52",
                value=guess.lost_52,
                optional=True,
                on_value=lambda v: set_guess(Guess(v, guess.adoption_peak, guess.roi_positive)),
            )
            solara.InputFloat(
                "Adoption peak (%)",
                value=guess.adoption_peak,
                optional=True,
                on_value=lambda v: set_guess(Guess(guess.lost_52, v, guess.roi_positive)),
            )
            solara.Select(
                "ROI sign",
                value={None: "", True: "positive", False: "negative"}[guess.roi_positive],
                values=["", "positive", "negative"],
                on_value=lambda v: set_guess(
                    Guess(guess.lost_52, guess.adoption_peak, {"": None}.get(v, v == "positive"))
                ),
            )
            solara.Button(
                "Hide" if shown else "Reveal", on_click=lambda: set_shown(not shown), outlined=True
            )
        if shown:
            solara.HTML(
                tag="div",
                unsafe_innerHTML=prediction_html(prediction_rows(guess, df)),
                classes=["orgsim-predict"],
            )
    del week  # re-render each week so the reveal follows the run
