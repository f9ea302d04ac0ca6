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


# ---------------------------------------------------------------- costs and lags of a dial move
#: Dials that are norms (shared habits that shift slowly: Kotter 1995, Schein); the others are
#: structure, rules and leaders' own decisions, which take effect faster.
NORM_LEVERS = ("psychological_safety", "orientation_norm", "information_sharing")
#: Dials that are leaders' own behaviour: moving them takes managers' time, not the front line's
#: (the people affected are the managers).
LEADER_LEVERS = ("executive_commitment", "executive_support", "supportive_leadership")
#: Dials that are a skill managers learn on the job (coaching): ``coaching_half_life_weeks``.
#: Socialisation (onboarding and mentoring) is a practice, so it is structure-like: set up within
#: a quarter or so, and from then on it acts on each person (docs/ODD.md 6.7, 8.G).
COACHING_LEVERS = ("supportive_leadership",)
#: Gap (dial units) below which a lagged dial is taken to have reached its target (numerical).
SNAP = 1e-6


def half_life(lever: str, *, p: ProgrammeCoefficients = DEFAULT_PROGRAMME) -> float:
    """Half-life in weeks of a move of ``lever`` (norm dials slower than structural ones; the
    share of coaching managers with its own, ``coaching_half_life_weeks``)."""
    if lever in COACHING_LEVERS:
        return p.coaching_half_life_weeks
    return p.norm_half_life_weeks if lever in NORM_LEVERS else p.structure_half_life_weeks


def lag_retention(half_life_weeks: float) -> float:
    """Share of the remaining gap to the target kept after one week: 0.5 ** (1 / half-life).

    0 for a half-life of 0 (the move takes effect at once).
    """
    return 0.0 if half_life_weeks <= 0 else float(0.5 ** (1.0 / half_life_weeks))


def value_in_force(current: float, target: float, half_life_weeks: float) -> float:
    """The dial in force after one more week of a first-order move from ``current`` to ``target``.

    The gap halves every ``half_life_weeks`` weeks; within ``SNAP`` of the target it is the
    target. A half-life of 0 gives the target at once (the old instant change).
    """
    value = target - (target - current) * lag_retention(half_life_weeks)
    return target if abs(target - value) < SNAP else value


def change_cost(
    moved: float, n_affected: int, *, p: ProgrammeCoefficients = DEFAULT_PROGRAMME
) -> tuple[float, float, int]:
    """Money and time away of moving a dial by ``moved`` (dial units) for ``n_affected`` people.

    Returns ``(money, away_share, weeks)``: ``money`` = ``change_cost_per_person_point`` x
    |moved| x people; each affected person spends ``change_away_weeks_per_point`` x |moved|
    weeks away from customers, spread evenly over ``change_away_spread_weeks`` weeks, so
    ``away_share`` of their time is away in each of those ``weeks`` weeks (capped at 1).
    """
    size = abs(float(moved))
    money = p.change_cost_per_person_point * size * n_affected
    weeks = max(int(round(p.change_away_spread_weeks)), 1)
    away = min(1.0, p.change_away_weeks_per_point * size / weeks)
    return money, away, weeks


# ---------------------------------------------------------------- restructuring a proposed design
def restructure_cost(
    n_moved: int,
    n_removed: int,
    manager_pay_annual: float,
    *,
    p: ProgrammeCoefficients = DEFAULT_PROGRAMME,
    n_removed_staff: int = 0,
    staff_pay_annual: float = 0.0,
) -> float:
    """One-off money of a restructuring (docs/ODD.md 8.H; both sizes are assumptions).

    ``restructure_cost_per_person`` per person whose manager or unit changes, plus
    ``restructure_severance_weeks`` weeks of pay for each removed position: manager pay for
    the ``n_removed`` managers, staff pay for the ``n_removed_staff`` positions without
    reports (``remove_positions``; 0 adds exactly nothing, so manager-only removals cost what
    they always did).
    """
    severance = p.restructure_severance_weeks / 52.0 * manager_pay_annual * n_removed
    if n_removed_staff:
        severance += p.restructure_severance_weeks / 52.0 * staff_pay_annual * n_removed_staff
    return p.restructure_cost_per_person * n_moved + severance


def restructure_away(
    n_moved_front: int, n_front: int, *, p: ProgrammeCoefficients = DEFAULT_PROGRAMME
) -> tuple[float, int]:
    """Share of front-line time away in each week of a restructuring's transition, and weeks.

    Each moved front-line person spends ``restructure_away_weeks`` weeks away from customers,
    spread over ``change_away_spread_weeks`` weeks like a culture change's training time; as a
    share of all front-line time, capped at 1.
    """
    weeks = max(int(round(p.change_away_spread_weeks)), 1)
    if n_front <= 0:
        return 0.0, weeks
    return min(1.0, p.restructure_away_weeks * n_moved_front / (weeks * n_front)), weeks
