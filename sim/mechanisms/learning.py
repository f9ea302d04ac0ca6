"""Psychological safety, learning from reported problems, and culture transmission.

Seed 000 ("Psychological safety is not merely a 'nice to have'; it is fundamental to the
functionality of teams"; "a 'responsive organization' ... intelligently utilize feedback").
People report the problems they meet in proportion to their felt safety (Edmondson 1999); reported
problems are fixed in proportion to responsiveness; fixed problems raise service quality and ease
of use. Safety itself drifts towards the team climate: the culture dial, the manager's style and
whether speaking up has been worth it. Customer orientation spreads by socialisation towards the
team and leader (March 1991 mutual learning; Harrison & Carroll 1991 cultural transmission under
hiring, socialisation and turnover).
"""

from __future__ import annotations

import numpy as np

from sim.coefficients.learning import DEFAULT_LEARNING, Learning
from sim.rng import binomial_from_uniform, poisson_from_uniform


def problem_scale(n_front: int, *, p: Learning = DEFAULT_LEARNING) -> float:
    """Teams' worth of front-line staff: the problem stock and its inflow are per team.

    Each block of ``p.problems_reference_front`` front-line positions works its own processes with
    their own snags, so an organisation twice the size has twice the problems (and twice the
    inflow), each met by the people who work that process; the stock is then a count of many
    small problems, not a handful, and its share of the initial stock is size-invariant.
    """
    return max(n_front, 1) / max(p.problems_reference_front, 1.0)


def initial_problems(tool_quality: float, n_front: int, *, p: Learning = DEFAULT_LEARNING) -> float:
    """``P0``: problems latent when nobody reports or fixes (per team, times the teams)."""
    base = p.problems_base + p.problems_tool_gap * (1.0 - tool_quality)
    return problem_scale(n_front, p=p) * base


def encounter_and_report(
    active_front: np.ndarray,
    safety: np.ndarray,
    problems_latent: float,
    problems_queue: float,
    problems_initial: float,
    *,
    rng,
    p: Learning = DEFAULT_LEARNING,
) -> tuple[int, int]:
    """(problems met, distinct new problems reported) this week.

    Each active front-line person meets Poisson(``encounter_rate x unreported / P0``) problems a
    week (``encounter_rate`` when every problem of their team is unreported) and reports each one
    with their felt safety. Drawn in aggregate, exactly: the total met is Poisson(active x that
    mean) and, each meeting falling on any active person alike, the reports are Binomial(met,
    mean felt safety of the active front line). Two uniforms a week whatever the state
    (``sim.rng``); distinct reports are capped by what is there.
    """
    u_meet, u_report = rng.random(2)
    unreported = max(problems_latent - problems_queue, 0.0)
    n_act = int(np.count_nonzero(active_front))
    if n_act == 0:
        return 0, 0
    per_person = p.encounter_rate * unreported / max(problems_initial, 1.0)
    meets = poisson_from_uniform(float(u_meet), n_act * per_person)
    s_mean = float(np.clip(safety[active_front].mean(), 0.0, 1.0))
    reports = binomial_from_uniform(float(u_report), meets, s_mean)
    return meets, int(min(reports, np.floor(unreported)))


def fix_problems(
    queue: float, responsiveness: float, *, rng, p: Learning = DEFAULT_LEARNING
) -> int:
    """Reported problems fixed this week (each with chance proportional to responsiveness).

    One uniform a week whatever the queue (``sim.rng.binomial_from_uniform``), so paired runs with
    different queues stay on common random numbers.
    """
    return binomial_from_uniform(rng.random(), int(queue), min(p.fix_rate * responsiveness, 1.0))


def new_problems(turbulence: float, *, rng, scale: float = 1.0) -> int:
    """Problems arising from a changing market, products and processes (one uniform a week):
    Poisson(``turbulence`` a team x ``scale`` teams, :func:`problem_scale`)."""
    return poisson_from_uniform(rng.random(), turbulence * scale)


def problems_at_rest(
    n_front: int,
    safety_mean: float,
    responsiveness: float,
    problems_initial: float,
    turbulence: float,
    *,
    p: Learning = DEFAULT_LEARNING,
) -> tuple[float, float]:
    """(latent, queued) problems where inflow balances reporting and fixing (the stock at rest).

    Balance of ``encounter_and_report``, ``fix_problems`` and ``new_problems`` in expectation:
    unreported problems U are reported at ``n_front * encounter_rate * safety / problems_initial``
    per problem per week, queued problems Q are fixed at ``fix_rate * responsiveness``; at rest
    both flows equal the inflow ``turbulence`` (a week, all teams: ``new_problems``' mean), so
    U = turbulence / report rate and
    Q = turbulence / fix rate. Each stock is capped at ``problems_initial`` (the starting stock
    when nobody reports or fixes: with no inflow nothing changes; with no outflow it only grows).
    With nothing fixed there is no balance: the stock is ``problems_initial``, of which the
    reported part (P0 - U) waits in the queue, so the latent total does not depend on safety.
    """
    p0 = max(problems_initial, 1.0)
    report = n_front * p.encounter_rate * safety_mean / p0
    fix = min(p.fix_rate * responsiveness, 1.0)
    cap = problems_initial
    u = min(turbulence / report, cap) if report > 0 else cap
    q = min(turbulence / fix, cap) if fix > 0 else cap
    if turbulence <= 0:  # nothing arises: the initial stock is only ever worked down
        u, q = cap, 0.0
    elif fix <= 0:  # nothing is fixed: no balance; the stock is the initial one, the reported
        # part queued (so reporting alone changes no quality)
        return float(cap), float(np.rint(max(cap - u, 0.0)))
    q = float(np.rint(q))  # the queue is a count
    return u + q, q


def safety_at_rest(
    dial: float,
    manager_supportive: np.ndarray,
    responsiveness: float,
    *,
    p: Learning = DEFAULT_LEARNING,
) -> float:
    """Mean felt safety at rest: the mean safety climate with voice efficacy at its balance.

    At rest a week fixes ``fix_rate x responsiveness`` of the queue, so voice efficacy settles
    near ``min(1, voice_gain x fix_rate x responsiveness)`` (:func:`voice_efficacy`) and felt
    safety at the climate (:func:`safety_climate`). Used to start the problem stock at its balance.
    """
    if manager_supportive.size == 0:
        return 0.0
    voice = min(1.0, p.voice_gain * min(p.fix_rate * responsiveness, 1.0))
    return float(safety_climate(dial, manager_supportive, voice, p=p).mean())


def service_quality(
    problems_latent: float, problems_initial: float, *, p: Learning = DEFAULT_LEARNING
) -> float:
    """Quality of service processes in [quality_floor, 1]: lower with more unfixed problems."""
    loss = p.quality_slope * problems_latent / max(problems_initial, 1.0)
    return float(np.clip(1.0 - loss, p.quality_floor, 1.0))


def safety_climate(
    dial: float,
    manager_supportive: np.ndarray,
    voice_efficacy: float,
    *,
    p: Learning = DEFAULT_LEARNING,
) -> np.ndarray:
    """The climate each person's felt safety drifts towards."""
    return np.clip(
        p.climate_dial_weight * dial
        + p.climate_manager_weight * manager_supportive
        + p.climate_voice_weight * voice_efficacy,
        0.0,
        1.0,
    )


def newcomer_fade(tenure: np.ndarray | float, tenure_weeks: float) -> np.ndarray:
    """How much of a newcomer's extra malleability is left at ``tenure``: e^(-tenure / weeks).

    A scale of 0 (allowed by the schema) is the limit: only a person of tenure 0 is a newcomer
    (1 there, 0 after), instead of the 0/0 that would make every orientation NaN.
    """
    t = np.asarray(tenure, dtype=float)
    if tenure_weeks <= 0.0:
        return (t <= 0.0).astype(float)
    return np.exp(-t / tenure_weeks)


def socialise(
    trait: np.ndarray,
    norm: np.ndarray,
    strength: float,
    tenure: np.ndarray,
    *,
    p: Learning = DEFAULT_LEARNING,
) -> np.ndarray:
    """Move a culture trait towards the local norm; newcomers are the most malleable."""
    rate = strength * (
        p.socialise_base + p.socialise_newcomer * newcomer_fade(tenure, p.socialise_tenure_weeks)
    )
    return np.clip(trait + rate * (norm - trait), 0.0, 1.0)


def socialisation_gap_share(
    strength: float, quit_weekly: np.ndarray | float, *, p: Learning = DEFAULT_LEARNING
) -> np.ndarray:
    """``A``: the share of a newcomer's gap to the norm still left, averaged over the tenures
    of the people in a post at rest (one value per quit chance in ``quit_weekly``).

    A newcomer starts at the hiring pool's orientation; each week of the learning process at
    tenure ``k`` (0, 1, ...) closes the share
    ``r_k = strength x (socialise_base + socialise_newcomer e^(-k/socialise_tenure_weeks))`` of
    the gap to the norm (:func:`socialise`), so after ``j`` weeks in post the gap left is
    ``D_j = prod_{k<j} (1 - r_k)``. With a weekly quit chance ``h`` the tenures of the people in
    post at rest are geometric, ``pi_j = h (1 - h)^j`` (a post is refilled by a newcomer at
    tenure 0), so ``A = sum_j pi_j D_j``. Beyond ``J = 30 socialise_tenure_weeks`` the newcomer
    term has faded (``e^-30``) and the rest of the sum is geometric,
    ``h (1 - h)^J D_J / (1 - (1 - h)(1 - strength x socialise_base))``. ``A`` is 0 without
    turnover (nobody comes in from the pool) and 1 without socialisation.
    """
    h_all = np.clip(np.atleast_1d(np.asarray(quit_weekly, dtype=float)), 0.0, 1.0)
    weeks = max(int(np.ceil(30.0 * max(p.socialise_tenure_weeks, 0.0))), 1)
    k = np.arange(weeks)
    rate = strength * (
        p.socialise_base + p.socialise_newcomer * newcomer_fade(k, p.socialise_tenure_weeks)
    )
    decay = np.concatenate([[1.0], np.cumprod(1.0 - rate)])  # D_0 .. D_J
    tail_keep = 1.0 - strength * p.socialise_base
    h_vals, inverse = np.unique(h_all, return_inverse=True)
    a = np.zeros(h_vals.shape[0])
    for i, h in enumerate(h_vals):
        if h <= 0.0:
            continue  # nobody leaves, so nobody comes in from the pool
        survive = (1.0 - h) ** np.arange(weeks + 1)
        head = h * float(np.dot(survive[:-1], decay[:-1]))
        # 1 - (1 - h) * tail_keep written without the cancellation that makes it 0 for a tiny h
        # (then h / den is 1, not 0/0)
        tail = h * survive[-1] * decay[-1] / (h + (1.0 - h) * (1.0 - tail_keep))
        a[i] = head + tail
    return a[inverse].reshape(h_all.shape)


def orientation_at_rest(
    organisation_norm: float,
    pool: float,
    strength: float,
    quit_weekly: np.ndarray | float,
    *,
    p: Learning = DEFAULT_LEARNING,
) -> float:
    """Mean customer orientation of the staff at rest: hiring from the pool, turnover and
    socialisation in balance (Harrison & Carroll 1991), for a homogeneous organisation.

    Derivation (mean field, in expectation). Let ``q`` be the hiring pool's mean orientation,
    ``o`` the organisation's norm, ``m`` the staff's mean and ``N`` the mean norm people are
    socialised to (:func:`orientation_norm` with the team's and the manager's orientation at the
    staff mean): ``N = (w_team + w_manager) m + w_org o``. At rest the mean gap to the norm is
    ``A (q - N)`` with ``A`` the mean of :func:`socialisation_gap_share` over the staff (one quit
    chance per person in ``quit_weekly``, or one for all), so ``m = N + A (q - N)``, whose fixed
    point is

        m = ((1 - A) w_org o + A q) / (1 - (1 - A)(w_team + w_manager)).

    ``A`` is 0 without turnover (``m = o`` when the three weights sum to 1) and 1 without
    socialisation (``m = q``); in between ``m`` lies between ``q`` and ``o``, equals ``o`` when
    ``q == o`` and moves towards ``o`` as ``strength`` rises. Clipping of the traits to 0-1 is
    ignored; :func:`orientation_at_rest_by_person` solves the same balance on the chart (teams
    and managers with their own quit chances).
    """
    a = socialisation_gap_share(strength, quit_weekly, p=p)
    if a.size == 0:
        return float(organisation_norm)
    big_a = float(a.mean())
    den = 1.0 - (1.0 - big_a) * (p.norm_team_weight + p.norm_manager_weight)
    if den <= 0.0:  # no turnover and no organisational anchor: any mean is at rest
        return float(organisation_norm)
    value = ((1.0 - big_a) * p.norm_org_weight * organisation_norm + big_a * pool) / den
    # orientation lives in [0, 1] (``socialise`` clips): norm weights summing above 1, which the
    # schema allows, would otherwise put the balance outside it
    return float(np.clip(value, 0.0, 1.0))


def orientation_at_rest_by_person(
    organisation_norm: float,
    pool: float,
    strength: float,
    quit_weekly: np.ndarray,
    unit: np.ndarray,
    manager: np.ndarray,
    *,
    p: Learning = DEFAULT_LEARNING,
    tol: float = 1e-12,
    max_iter: int = 2_000,
) -> np.ndarray:
    """Each position's mean orientation at rest on the chart: ``x_i = N_i + A_i (q - N_i)``.

    As :func:`orientation_at_rest`, but the norm ``N_i`` is :func:`orientation_norm` of the
    position's unit mean, its manager's value (its own without a manager, as the learning
    process does) and the organisation's norm, and ``A_i`` is the gap share at the position's
    own quit chance (:func:`socialisation_gap_share`): managers, who quit less, are more
    socialised and pull their teams' norm up. Solved by fixed-point iteration; the map is a
    contraction with factor ``max_i (1 - A_i)(w_team + w_manager) < 1`` when ``w_org > 0`` or
    there is turnover. With one quit chance and no managers it reduces to the closed form.
    Each iterate is clipped to [0, 1], as the weekly ``socialise`` clips: with norm weights summing
    above 1 (allowed by the schema) the unclipped map diverges; the clipped one is bounded and,
    if it does not settle, the last iterate after ``max_iter`` is returned.
    """
    n = unit.shape[0]
    a = socialisation_gap_share(strength, quit_weekly, p=p) * np.ones(n)
    x = np.full(n, orientation_at_rest(organisation_norm, pool, strength, quit_weekly, p=p))
    has_mgr = manager >= 0
    mgr = np.maximum(manager, 0)
    ones = np.ones(n)
    for _ in range(max_iter):
        norm = orientation_norm(
            unit_means(x, unit, ones), np.where(has_mgr, x[mgr], x), organisation_norm, p=p
        )
        new = np.clip(norm + a * (pool - norm), 0.0, 1.0)
        if float(np.max(np.abs(new - x), initial=0.0)) < tol:
            return new
        x = new
    return x


def playbook_rate(
    base_p1: float,
    strength: float,
    tenure: np.ndarray,
    newcomer_boost: float,
    *,
    p: Learning = DEFAULT_LEARNING,
) -> np.ndarray:
    """Each person's chance per week of taking up the playbook on a dimension (March's p1).

    Socialisation (``strength``) teaches the playbook to everyone, and fastest to newcomers
    (onboarding), whose pull fades with tenure like that of orientation (:func:`socialise`).
    """
    boost = 1.0 + newcomer_boost * newcomer_fade(tenure, p.socialise_tenure_weeks)
    return np.clip(base_p1 * strength * boost, 0.0, 1.0)


def unit_means(values: np.ndarray, unit: np.ndarray, weight: np.ndarray) -> np.ndarray:
    """Weighted mean of ``values`` within each unit, broadcast back to every member."""
    k = int(unit.max()) + 1 if unit.size else 0
    num = np.bincount(unit, weights=values * weight, minlength=k)
    den = np.bincount(unit, weights=weight, minlength=k)
    means = np.where(den > 0, num / np.maximum(den, 1e-12), 0.0)
    return means[unit]


def voice_efficacy(
    previous: float, fixed: int, queue_before: float, *, p: Learning = DEFAULT_LEARNING
) -> float:
    """Recent share of reported problems that got fixed (is speaking up worth it?)."""
    if queue_before <= 0:
        return previous
    # 1 - voice_weight: 1.0 - 0.1 == 0.9 exactly, so the default run is unchanged
    w = p.voice_weight
    return (1.0 - w) * previous + w * min(1.0, p.voice_gain * fixed / queue_before)


def orientation_norm(
    unit_mean: np.ndarray,
    manager_orientation: np.ndarray,
    organisation_norm: float,
    *,
    p: Learning = DEFAULT_LEARNING,
) -> np.ndarray:
    """The customer-orientation norm a person is socialised towards: team, leader, organisation."""
    return (
        p.norm_team_weight * unit_mean
        + p.norm_manager_weight * manager_orientation
        + p.norm_org_weight * organisation_norm
    )
