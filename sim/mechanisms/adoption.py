"""CRM adoption as a social and cultural decision.

Seeds 000, 002 and 004 (adoption is cultural, "the system is underused" after go-live); published
grounding: Bass (1969) diffusion, Granovetter (1978) thresholds, Centola & Macy (2007) complex
contagion, and TAM/UTAUT (Davis 1989; Venkatesh et al. 2003) for what builds the intention to use.

The adoption decision of one non-adopter in one step of length ``dt`` is::

    adopt with certainty            if exposure >= threshold        (Granovetter)
    else adopt with prob 1 - exp(-(p + q * exposure) * dt)          (Bass hazard)

where ``exposure`` is the fraction of the person's contacts who already use the system. With
thresholds above 1 the rule is the agent form of Bass diffusion; with ``p = q = 0`` it is the
threshold model. The full model sets ``p``, ``q`` and the thresholds from the intention (see
``intention``).
"""

from __future__ import annotations

import numpy as np
from scipy.special import expit

from sim.coefficients.adoption import DEFAULT_ADOPTION, Adoption


def adoption_probability(
    p: np.ndarray | float,
    q: np.ndarray | float,
    exposure: np.ndarray,
    threshold: np.ndarray | float,
    dt: float = 1.0,
) -> np.ndarray:
    """Probability that a non-adopter adopts during one step.

    Args:
        p: Innovation (external influence) hazard per unit time, >= 0.
        q: Imitation (social influence) hazard per unit time at full exposure, >= 0.
        exposure: Fraction in [0, 1] of each person's contacts who have adopted.
        threshold: Granovetter threshold: at or above this exposure the person adopts for sure.
            Use ``np.inf`` to switch the threshold rule off.
        dt: Length of the step in the hazard's time unit.

    Returns:
        Array of probabilities in [0, 1], one per person.
    """
    exposure = np.asarray(exposure, dtype=float)
    hazard = np.maximum(np.asarray(p, dtype=float) + np.asarray(q, dtype=float) * exposure, 0.0)
    prob = -np.expm1(-hazard * dt)
    return np.where(exposure >= threshold, 1.0, prob)


def adopt_step(
    adopted: np.ndarray,
    p: np.ndarray | float,
    q: np.ndarray | float,
    exposure: np.ndarray,
    threshold: np.ndarray | float,
    *,
    rng: np.random.Generator,
    dt: float = 1.0,
) -> np.ndarray:
    """One synchronous adoption step: returns the new boolean adoption array.

    Adopters stay adopters here (discontinuance is a separate rule in ``decay``). One uniform
    number is drawn per person whatever their state, so random streams stay aligned between
    paired runs (common random numbers).
    """
    u = rng.random(adopted.shape[0])
    prob = adoption_probability(p, q, exposure, threshold, dt)
    return adopted | (u < prob)


def training_order(front: np.ndarray, manager: np.ndarray) -> np.ndarray:
    """Order in which the rollout trains positions: managers first, then team by team.

    Training leaders first and then whole teams together is how a wave rollout runs (a team
    learns the tool together); teams are the positions sharing a line manager, in position
    order. Deterministic: no random numbers, so paired runs stay aligned.
    """
    n = front.shape[0]
    return np.lexsort((np.arange(n), manager, front))


def train_step(
    trained: np.ndarray,
    waiting: np.ndarray,
    order: np.ndarray,
    rollout_weeks: float,
    posts: int,
) -> np.ndarray:
    """One week of the rollout's training capacity: the next posts in ``order`` are trained.

    The capacity is ``ceil(posts / rollout_weeks)`` people a week (the whole organisation is
    trained in ``rollout_weeks`` weeks; 0 trains everyone waiting at once). Assumption (no
    published figure): a few trainers, classroom sessions in waves by team (docs/ODD.md 8.D).

    Args:
        trained: (n,) bool, already trained.
        waiting: (n,) bool, in post and not yet trained.
        order: (n,) training order of the positions (``training_order``).
        rollout_weeks: ``crm.rollout_weeks``.
        posts: positions in the organisation (the capacity's base).

    Returns:
        The new ``trained`` array.
    """
    queue = order[waiting[order]]
    if rollout_weeks > 0:
        queue = queue[: int(np.ceil(posts / rollout_weeks))]
    out = trained.copy()
    out[queue] = True
    return out


def exposure(adjacency, adopted: np.ndarray, degree: np.ndarray) -> np.ndarray:
    """Share of each person's collaboration contacts who use the CRM (0 for isolates)."""
    users = adjacency @ adopted.astype(float)
    return np.where(degree > 0, users / np.maximum(degree, 1.0), 0.0)


def social_influence(
    exposure_: np.ndarray,
    manager_example: np.ndarray,
    executive_support: float,
    *,
    p: Adoption = DEFAULT_ADOPTION,
) -> np.ndarray:
    """Peers (complex contagion), the line manager's example and executives' words."""
    return np.clip(
        p.social_peers * exposure_
        + p.social_manager * manager_example
        + p.social_executive * executive_support,
        0,
        1,
    )


def facilitating_conditions(
    executive_commitment: float,
    reinforcing: np.ndarray | bool,
    training: float,
    *,
    p: Adoption = DEFAULT_ADOPTION,
) -> np.ndarray:
    """Resources and follow-up that let people use the CRM (UTAUT's facilitating conditions).

    Two sources: the decisions of committed executives, which last (staff and time set aside
    for logging, a CRM owner, help after the project team has gone; ``facilitating_commitment``,
    the mechanism through which executive commitment reaches use), and the project team's
    coaching, which is temporary (seed 002). Facilitating conditions act on USE, not on the
    intention (Venkatesh et al. 2003): see ``update_usage``.
    """
    project = np.where(reinforcing, p.project_base + p.project_training * training, p.project_after)
    return p.facilitating_commitment * executive_commitment + p.facilitating_project * project


def own_belief(shown: np.ndarray | float, offset: np.ndarray) -> np.ndarray:
    """A person's own belief in [0, 1] around what the organisation shows them.

    The offset is the person's disposition on the logit scale (``adoption.usefulness_belief_sd``
    or ``ease_belief_sd`` times a standard-normal draw): personal innovativeness and
    self-efficacy shape beliefs about a system's usefulness and ease (Agarwal & Prasad 1998;
    Lewis, Agarwal & Sambamurthy 2003; Venkatesh 2000), so the same tool and the same
    colleagues leave some people convinced and others not. On the logit scale a belief stays
    inside (0, 1) without piling up at the bounds; a zero offset, or a belief already at 0 or 1
    (logit -inf or +inf), returns ``shown`` unchanged.

    Args:
        shown: what the organisation shows the person (``perceived_usefulness`` or
            ``ease_of_use``), in [0, 1].
        offset: (n,) the person's disposition on the logit scale.

    Returns:
        (n,) beliefs in [0, 1].
    """
    shown = np.broadcast_to(np.asarray(shown, dtype=float), np.shape(offset))
    # a belief at a bound is certain (logit +-inf): no disposition moves it
    inside = (shown > 0.0) & (shown < 1.0) & (offset != 0.0)
    x = np.where(inside, shown, 0.5)
    moved = expit(np.log(x) - np.log1p(-x) + offset)
    return np.where(inside, moved, shown)


def intention(
    usefulness: np.ndarray,
    ease: np.ndarray | float,
    social: np.ndarray,
    incentive: float,
    orientation: np.ndarray,
    urgency: float = 0.0,
    affinity: np.ndarray | float = 0.0,
    *,
    p: Adoption = DEFAULT_ADOPTION,
) -> np.ndarray:
    """Intention to use the CRM in [0, 1]: UTAUT's three determinants plus the felt urgency.

    The determinants of intention are UTAUT's (Venkatesh et al. 2003): performance expectancy
    (usefulness), effort expectancy (ease) and social influence, weighted in UTAUT's order
    (performance expectancy strongest, the other two weaker; ``adoption.weight_*``), plus
    incentives and the customer-orientation trait (seed 000: adoption is a question of mindset).
    Facilitating conditions are NOT a determinant of intention in UTAUT; they act on use
    (``update_usage``).

    ``usefulness`` and ``ease`` are each person's own beliefs (``own_belief``: the same
    organisation convinces some and not others), so a UTAUT survey of the simulated staff finds
    performance expectancy the strong path and effort expectancy and social influence weak, as
    the meta-analyses do (experiments/utaut_survey.py; docs/ODD.md 8.D). ``affinity`` is each
    person's attitude to technology (TAM's attitude term, Davis 1989; a direct determinant of
    intention in meta-UTAUT, Dwivedi et al. 2019), the rest of what makes early and late
    adopters.
    """
    i = (
        p.weight_usefulness * usefulness
        + p.weight_ease * ease
        + p.weight_social * social
        + p.weight_incentive * incentive
        + p.weight_orientation * orientation
        + p.weight_urgency * urgency
        + affinity
    )
    return np.clip(i, 0.0, 1.0)


def update_usage(
    usage: np.ndarray,
    adopted: np.ndarray,
    intention_: np.ndarray,
    *,
    reinforcing: np.ndarray | bool,
    anchored: bool,
    habit_decay: float,
    training: float,
    facilitating: float = 0.0,
    habit: np.ndarray | float = 0.0,
    peer_usage: np.ndarray | float = 1.0,
    p: Adoption = DEFAULT_ADOPTION,
) -> tuple[np.ndarray, np.ndarray]:
    """Move adopters' usage towards what their intention sustains; drop those who fall off.

    While the project reinforces use (coaching, checks), usage is pulled up beyond intention.
    Upwards, usage closes ``usage_rise`` x (``rise_alone`` + (1 - ``rise_alone``) x
    ``peer_usage``) of the gap a week: a logging routine is learnt from colleagues who already
    log (social learning), so the build is slow while few log and speeds up as use spreads
    (the S-curve); while the project reinforces use its coaches show how, as colleagues at
    usage ``coaching`` x training would. Downwards, usage slides towards the larger of what the
    intention sustains and
    the person's ``habit`` (the part of use that has become routine, ``update_habit``) at
    ``habit_decay`` a week: use that was propped up by the project but never became a habit is
    lost once the team leaves (seed 002: "the system is underused"; Speier & Venkatesh 2002:
    rejection six months after a sales-force rollout despite positive attitudes after
    training). Anchoring in the culture (Kotter's eighth step) slows the slide
    (``adoption.anchored_decay``). Facilitating conditions (resources, help; UTAUT's
    determinant of use) raise the usage that an intention sustains by
    ``adoption.usage_facilitating`` per unit.

    Returns (usage, adopted).
    """
    target = np.clip(
        p.usage_slope * intention_ - p.usage_offset + p.usage_facilitating * facilitating, 0.0, 1.0
    )
    # while the project reinforces a person's use (``reinforcing``, per person: each training
    # wave is followed up for ``crm.reinforcement_weeks``) it props the target up
    target = np.where(
        reinforcing, np.clip(target + p.usage_reinforced * training, 0.0, 1.0), target
    )
    floor = np.maximum(target, habit)  # the habitual part of use does not slide
    shown = np.clip(peer_usage, 0, 1)
    # the project team shows how, as a logging colleague would
    shown = np.where(reinforcing, np.maximum(shown, p.coaching * training), shown)
    rate_up = p.usage_rise * (p.rise_alone + (1.0 - p.rise_alone) * shown)
    rate_down = habit_decay * (p.anchored_decay if anchored else 1.0)
    up = target > usage
    new = np.where(
        up, usage + rate_up * (target - usage), usage + rate_down * np.minimum(floor - usage, 0)
    )
    new = np.where(adopted, new, 0.0)
    # a new adopter starts at a modest level, not at zero
    new = np.where(adopted & (usage == 0.0), np.maximum(new, p.start_usage), new)
    still = adopted & (new >= p.stop_usage)
    return np.where(still, new, 0.0), still


def update_habit(
    habit: np.ndarray, usage: np.ndarray, *, p: Adoption = DEFAULT_ADOPTION
) -> np.ndarray:
    """Habit strength moves towards current usage at ``habit_build`` a week (both ways).

    A habit forms by repeating a behaviour in a stable context (Lally et al. 2010: median 66
    days to 95% of the automaticity plateau, 18-254 days, longer for complex behaviours);
    logging customer interactions is a complex work routine, so it builds over months. A person
    who stops using the CRM loses the habit at the same rate.
    """
    return habit + p.habit_build * (usage - habit)


def ease_of_use(
    tool_quality: float,
    training: float,
    skill: np.ndarray,
    problem_share: float,
    communication: float,
    *,
    p: Adoption = DEFAULT_ADOPTION,
) -> np.ndarray:
    """Effort expectancy: the tool, training and skill, dented by unfixed process problems."""
    ease = (
        tool_quality
        * (p.ease_base + p.ease_training * training + p.ease_skill * skill)
        * (1 - p.ease_problems * problem_share)
    )
    return np.clip(ease + p.ease_communication * communication, 0, 1)


def push(
    urgency: float, reinforcing: np.ndarray | bool, *, p: Adoption = DEFAULT_ADOPTION
) -> np.ndarray:
    """Multiplier on own initiative from felt urgency and project reinforcement."""
    return (1.0 + p.push_urgency * urgency) * np.where(reinforcing, p.push_reinforcing, 1.0)


def own_hazard(
    innovation: float,
    intention_: np.ndarray,
    urgency: float,
    reinforcing: np.ndarray | bool,
    training: float,
    *,
    p: Adoption = DEFAULT_ADOPTION,
) -> np.ndarray:
    """Weekly hazard of starting to use the CRM on one's own or because the project asks (Bass p).

    Own initiative grows with the intention and the ``push``; while the project team reinforces
    use it also asks every trained person to try the system (``adoption.trial_reinforced`` x
    training a week, whatever their intention: a mandated go-live). That trial is what makes
    usage peak while the team is there and slide after it leaves when intention cannot hold it
    (Speier & Venkatesh 2002).
    """
    mandate = np.where(reinforcing, p.trial_reinforced * training, 0.0)
    return innovation * intention_ * push(urgency, reinforcing, p=p) + mandate
