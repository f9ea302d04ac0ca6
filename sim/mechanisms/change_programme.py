"""Kotter's eight steps as scheduled interventions.

Seed 001 lists the steps: create awareness (urgency); assemble a team (guiding coalition);
develop a vision; communicate it; remove obstacles; achieve quick wins; drive changes until
anchored (consolidate); ensure changes are not undermined by tradition (anchor). Kotter (1995,
1996) argues that skipping steps undermines later ones; here a step's strength is the programme's
intensity times ``step_floor + step_foundation_gain`` x the share of the steps canonically before
it that have already fired (``change_programme.step_floor``, ``step_foundation_gain``, 0.5 and 0.5
by default), so any subset and any order can be simulated and a skipped foundation weakens what
follows.
"""

from __future__ import annotations

from sim.coefficients.programme import DEFAULT_PROGRAMME, ProgrammeCoefficients
from sim.scenario import KOTTER_STEPS

#: The schema defaults, used when a caller (a unit test) passes no coefficients; the model passes
#: the scenario's ``change_programme`` section.


def step_strength(
    step: str, done: list[str], intensity: float, *, p: ProgrammeCoefficients = DEFAULT_PROGRAMME
) -> float:
    """Strength of a step given the steps already done (see module docstring)."""
    before = KOTTER_STEPS[: KOTTER_STEPS.index(step)]
    if not before:
        return intensity
    share = sum(1 for s in before if s in done) / len(before)
    return intensity * (p.step_floor + p.step_foundation_gain * share)


def due_steps(schedule: list[tuple[str, int]], week: int) -> list[str]:
    """Steps scheduled for this week, in the order given."""
    return [s for s, w in schedule if w == week]


# What each step does, read by the model (kept here so the ODD and the code agree):
EFFECTS = {
    "urgency": "felt urgency (fading by urgency_retention a week) raises intention and initiative",
    "coalition": "champions (most customer-oriented staff) adopt and use the CRM fully",
    "vision": "raises the customer-orientation norm and the usefulness people see",
    "communication": "lowers adoption thresholds and raises ease of use",
    "remove_obstacles": "executive commitment moves decision rights, sharing, incentives",
    "quick_wins": "fixes reported problems at once and boosts perceived usefulness",
    "consolidate": "extends project reinforcement (consolidate_weeks, 26 by default)",
    "anchor": "habit: usage decay slowed; newcomers socialised into CRM use; safety up",
}
