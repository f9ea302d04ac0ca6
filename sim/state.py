"""The arrays the model owns: one row per employee position and one per customer slot.

Mesa agents (``sim.agents``) are thin handles onto these rows; mechanisms read and write the arrays
in bulk. Positions, not people, are the rows: when someone quits the position stays, vacant for the
hiring delay, and a newcomer fills it with fresh attributes.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field, fields

import numpy as np
import scipy.sparse as sp

from sim.design import customer_book
from sim.errors import InputError
from sim.mechanisms import escalation, learning, playbook
from sim.mechanisms import people as people_mech
from sim.scenario import Scenario
from sim.structures import LEADERS, OTHER, SALES, SERVICE, OrgStructure
from sim.structures.org_chart import CustomerBook

#: A week long before any run (no reinforcement, no training yet; go-lives may be negative).
NEVER = -(10**9)


@dataclass
class Employees:
    """Per-position arrays (length n)."""

    role: np.ndarray
    unit: np.ndarray
    manager: np.ndarray
    second_manager: np.ndarray
    base_authority: np.ndarray
    authority: np.ndarray  # effective authority: the base moved by the decision-rights lever
    ancestors: np.ndarray  # (n, depth) primary-line ancestors, -1 padded
    front: np.ndarray  # bool: front-line (sales, service, marketing)
    leader: np.ndarray  # bool: executive or manager (OTHER staff are neither front nor leader)
    other: np.ndarray  # bool: staff outside the customer-facing roles (role OTHER)
    fte: np.ndarray  # full-time equivalent of the position: scales salary and decision capacity
    salary: np.ndarray  # yearly full-time salary from the chart's salary column, NaN: the role's
    adjacency: sp.csr_matrix  # collaboration ties, row-normalised later where needed
    degree: np.ndarray
    filled: np.ndarray  # bool: position occupied
    vacant_weeks: np.ndarray  # weeks left before a newcomer arrives
    adopted: np.ndarray  # bool: uses the CRM at all
    trained: np.ndarray  # bool: trained by the rollout and given access (docs/ODD.md 8.D)
    trained_week: np.ndarray  # week of that training (its follow-up runs from it)
    usage: np.ndarray  # share of interactions logged in the CRM
    habit: np.ndarray  # usage that has become routine (kept without support; docs/ODD.md 6.4)
    intention: np.ndarray
    affinity: np.ndarray  # personal attitude to technology, added to the intention
    # standard-normal dispositions behind each person's own beliefs about the CRM's usefulness
    # and ease (scaled by adoption.usefulness_belief_sd / ease_belief_sd; docs/ODD.md 8.D)
    useful_disposition: np.ndarray
    ease_disposition: np.ndarray
    # this week's UTAUT determinants as the person sees them (what a survey would measure)
    usefulness: np.ndarray
    ease: np.ndarray
    social: np.ndarray
    threshold: np.ndarray  # Granovetter threshold on the share of contacts using the CRM
    skill: np.ndarray
    morale: np.ndarray
    safety: np.ndarray  # perceived psychological safety
    orientation: np.ndarray  # customer orientation (culture trait)
    tenure: np.ndarray  # weeks in the position
    workload: np.ndarray
    powerless: np.ndarray  # share of own customers' issues stuck in escalation
    supportive: np.ndarray  # bool: leadership style (managers; unused for others)
    champion: np.ndarray  # bool: member of the guiding coalition
    backlog: np.ndarray  # escalations waiting at this position (managers)
    beliefs: np.ndarray  # (n, m) int8 beliefs about customer-handling practice (March 1991)
    # the uniform behind ``supportive`` (supportive where style < the supportive-leadership share
    # in force), kept so that a move of the share re-sorts the managers in post (ODD 8.I, 8.G)
    style: np.ndarray

    @property
    def n(self) -> int:
        return self.role.shape[0]


@dataclass
class Customers:
    """Per-slot arrays (length capacity >= initial count; new customers fill unused slots)."""

    exists: np.ndarray  # bool: slot used (customer acquired at some point)
    active: np.ndarray  # bool: customer currently with us
    owner: np.ndarray  # sales account owner (employee position)
    handler: np.ndarray  # service handler (employee position)
    value: np.ndarray  # annual revenue
    satisfaction: np.ndarray
    issue_open: np.ndarray
    issue_severity: np.ndarray  # 0 when no decision is needed
    issue_days_left: np.ndarray
    issue_days: np.ndarray  # days the open issue has waited so far
    issue_logged: np.ndarray  # bool: the open issue was logged in the CRM
    complained: np.ndarray  # bool: ever complained
    record: np.ndarray  # CRM record completeness and freshness in [0, 1]
    expectation: np.ndarray  # how demanding the customer is (shifts their satisfaction level)
    joined_week: np.ndarray
    churned_week: np.ndarray  # -1 while active or never acquired
    same_group: np.ndarray  # bool: owner and handler share a unit or a second line
    tie: np.ndarray  # bool: owner and handler have a collaboration tie

    @property
    def capacity(self) -> int:
        return self.exists.shape[0]


@dataclass
class Levers:
    """Organisation-wide dials and programme effects; the change programme moves them."""

    decision_rights: float
    information_sharing: float
    incentive_alignment: float
    responsiveness: float
    executive_commitment: float
    executive_support: float
    psychological_safety: float
    orientation_norm: float
    socialisation: float  # culture strength in force (culture.socialisation, lagged: ODD 8.G)
    supportive_leadership: float  # share of managers who coach, in force (lagged: ODD 8.G)
    urgency: float = 0.0
    vision: float = 0.0
    communication: float = 0.0
    quick_win_boost: float = 0.0
    reinforce_until: int = NEVER  # no reinforcement yet (a go-live may be at a negative week)
    consolidate_until: int = NEVER  # reinforcement of everyone by a consolidation step
    anchored: bool = False
    steps_done: list[str] = field(default_factory=list)


@dataclass
class Org:
    """Organisation-level state that is not per agent."""

    problems_latent: float
    problems_initial: float
    voice_efficacy: float  # recent share of reported problems that got fixed
    problems_queue: float = 0.0
    duplicate_share: float = 0.0  # duplicated contacts in the CRM (silo symptom)
    lead_flood: float = 0.0  # sales workload still owed to unannounced campaigns' leads
    cross_unit_share: float = 0.0
    reality: np.ndarray | None = None  # (m,) what works with customers now (March's reality)
    code: np.ndarray | None = None  # (m,) the organisation's playbook (March's code)


@dataclass
class State:
    """Everything the mechanisms read and write."""

    emp: Employees
    cust: Customers
    levers: Levers
    org: Org
    week: int = 0


def _lognormal_values(rng: np.random.Generator, n: int, mean: float, sigma: float) -> np.ndarray:
    """Values with the given arithmetic mean (log-normal, so a few big accounts dominate)."""
    mu = np.log(max(mean, 1e-12)) - sigma**2 / 2
    return rng.lognormal(mu, sigma, n) if mean > 0 else np.zeros(n)


def customer_capacity(scenario: Scenario, n_sales: int) -> int:
    """Slots to preallocate: the initial book plus generous room for acquisitions."""
    c = scenario.customers
    return int(c.count + slots_for_weeks(scenario, n_sales, scenario.burn_in_weeks, 1.0))


def slots_for_weeks(scenario: Scenario, n_sales: int, weeks: int, rest_weeks: float) -> int:
    """Room for the acquisitions of the burn-in (``weeks``) and ``scenario.horizon_weeks``.

    The horizon counts at up to three times the rate (the at-rest balance can scale it up to
    3x, model.py), with a 1.5x margin; ``rest_weeks`` scales the burn-in part (0 when growing
    for weeks past the horizon, :func:`grow_customers`).
    """
    weekly = scenario.customers.acquisition_rate * max(n_sales, 1)
    expected = weekly * (rest_weeks * weeks + 3 * scenario.horizon_weeks)
    return int(1.5 * expected + 16)


def grow_customers(cust: Customers, emp: Employees, scenario: Scenario, extra: int, rng) -> None:
    """Append ``extra`` unused customer slots, their attributes drawn as the initial ones are.

    Slots are sized for the horizon (:func:`customer_capacity`); a run stepped past it (``run
    --weeks`` beyond ``horizon_weeks``, an intervention that extends the horizon) or winning more
    customers than the room kept gets more slots instead of losing acquisitions (issue 15,
    class 3). ``OrgModel`` grows at fixed weeks from the ``init`` stream, which nothing else
    draws from after the burn-in, so a model and its no-change twin grow alike.
    """
    sales = np.flatnonzero(emp.role == SALES)
    pc = scenario.customers
    owners = pick_positions(sales, emp.fte, extra, rng)
    handler, same_group, tie = assign_accounts(owners, emp, rng, local_share=pc.local_handler_share)
    value = _lognormal_values(rng, extra, pc.annual_value, pc.value_dispersion)
    satisfaction = np.clip(
        rng.beta(pc.initial_satisfaction_a, pc.initial_satisfaction_b, extra), 0, 1
    )
    expectation = rng.normal(0.0, pc.expectation_sd, extra)
    new = {
        "exists": np.zeros(extra, dtype=bool),
        "active": np.zeros(extra, dtype=bool),
        "owner": owners,
        "handler": handler,
        "value": value,
        "satisfaction": satisfaction,
        "issue_open": np.zeros(extra, dtype=bool),
        "issue_severity": np.zeros(extra),
        "issue_days_left": np.zeros(extra),
        "issue_days": np.zeros(extra),
        "issue_logged": np.zeros(extra, dtype=bool),
        "complained": np.zeros(extra, dtype=bool),
        "record": np.zeros(extra),
        "expectation": expectation,
        "joined_week": np.full(extra, -1),
        "churned_week": np.full(extra, -1),
        "same_group": same_group,
        "tie": tie,
    }
    assert set(new) == {f.name for f in fields(Customers)}, "a Customers array is not grown"
    for name, tail in new.items():
        old = getattr(cust, name)
        setattr(cust, name, np.concatenate([old, tail.astype(old.dtype, copy=False)]))


def pick_positions(
    pool: np.ndarray, fte: np.ndarray, k: int, rng: np.random.Generator
) -> np.ndarray:
    """``k`` positions drawn from ``pool``, each with probability proportional to its FTE.

    A part-timer is planned a book in proportion to their hours (issue 19: FTE scales capacity),
    so they are drawn that much less often. Where every FTE in the pool is 1 (generated
    structures, charts without part-timers) this is the uniform draw
    ``pool[rng.integers(0, len(pool), k)]`` itself, draw for draw, so those runs are unchanged.
    """
    w = fte[pool]
    if np.all(w == 1.0):
        return pool[rng.integers(0, pool.shape[0], k)]
    cw = np.cumsum(w)
    at = np.searchsorted(cw, rng.random(k) * cw[-1], side="right")
    return pool[np.minimum(at, pool.shape[0] - 1)]


def assign_accounts(
    owners: np.ndarray,
    emp: Employees,
    rng: np.random.Generator,
    *,
    local_share: float,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Pick a service handler for each account, preferring the owner's own unit or second line.

    Returns handler, same_group and tie arrays. Where the owner's group has service staff,
    ``local_share`` of accounts (``customers.local_handler_share``) are handled there (regional
    or circle teams); otherwise handlers come from the service function at large, which is what a
    functional silo means for the customer.
    """
    service = np.flatnonzero(emp.role == SERVICE)
    u = rng.random(owners.shape[0])
    handler = pick_positions(service, emp.fte, owners.shape[0], rng)
    # group key: the second line in a matrix, else the unit
    key = np.where(emp.second_manager >= 0, emp.second_manager + emp.n, emp.unit)
    skeys = key[service]
    order = np.argsort(skeys, kind="stable")
    sorted_keys = skeys[order]
    okeys = key[owners]
    lo = np.searchsorted(sorted_keys, okeys, side="left")
    hi = np.searchsorted(sorted_keys, okeys, side="right")
    has = hi > lo
    r = rng.random(owners.shape[0])
    w = emp.fte[service[order]]
    if np.all(w == 1.0):
        local = lo + (r * np.maximum(hi - lo, 1)).astype(np.int64)
    else:  # within the group, in proportion to FTE (as pick_positions)
        cw = np.concatenate([[0.0], np.cumsum(w)])
        local = np.searchsorted(cw, cw[lo] + r * (cw[hi] - cw[lo]), side="right") - 1
        local = np.maximum(local, lo)
    local = np.minimum(local, np.maximum(hi - 1, 0))
    use_local = has & (u < local_share)
    handler[use_local] = service[order[local[use_local]]]
    same_group = key[owners] == key[handler]
    tie = np.asarray(emp.adjacency[owners, handler]).ravel() > 0
    return handler, same_group, tie


def apply_customer_file(
    cust: Customers,
    emp: Employees,
    book: CustomerBook | None,
    count: int,
    structure: OrgStructure,
    rng: np.random.Generator,
    *,
    local_share: float,
) -> None:
    """Give the initial customers the owners and annual values of the customer file's ``book``.

    The first ``count`` (``customers.count``) slots become the file's customers in file order;
    their service handlers are re-drawn for the new owners (``assign_accounts``). Runs after the
    generated draws, so scenarios without a customer file see exactly the same random numbers as
    before.

    Raises:
        InputError: if the structure is not an imported chart or the book does not match it.
    """
    chart = getattr(structure, "chart", None)
    if book is None or chart is None:
        raise InputError("customers.file needs the structure built from organisation.org_chart")
    m = len(book)
    if m != count:
        raise InputError(
            f"{book.source}: {m} customers, but customers.count is {count}; "
            "load the scenario with sim.load_scenario (it sets the count from the file)"
        )
    cust.owner[:m] = book.owners_in(chart)
    cust.value[:m] = book.annual_value
    cust.handler, cust.same_group, cust.tie = assign_accounts(
        cust.owner, emp, rng, local_share=local_share
    )


def _fte(structure: OrgStructure) -> np.ndarray:
    """(n,) FTE of each position: the imported chart's ``fte`` column, else 1 everywhere."""
    chart = getattr(structure, "chart", None)
    if chart is None or chart.fte.shape[0] != structure.n:
        return np.ones(structure.n)
    return np.asarray(chart.fte, dtype=np.float64).copy()


def _salary(structure: OrgStructure) -> np.ndarray:
    """(n,) the imported chart's ``salary`` column (NaN where not given), else NaN everywhere."""
    chart = getattr(structure, "chart", None)
    if chart is None or chart.salary.shape[0] != structure.n:
        return np.full(structure.n, np.nan)
    return np.asarray(chart.salary, dtype=np.float64).copy()


def build_state(
    scenario: Scenario,
    structure: OrgStructure,
    rng: np.random.Generator,
    *,
    rest_rng: np.random.Generator,
    disposition_rng: np.random.Generator,
) -> State:
    """Initial arrays from a scenario and a structure (one draw of each random attribute).

    ``rng`` draws every initial attribute; ``rest_rng`` (the ``playbook_rest`` stream) only the
    playbook's settling (:func:`_settled_playbook`), so its length moves no other draw;
    ``disposition_rng`` (the ``dispositions`` stream, added after the others) the belief
    dispositions, so adding them moved no earlier draw.
    """
    s = structure
    n = s.n
    cul = scenario.culture
    crm = scenario.crm
    front = s.front_line_mask()
    edges = s.ties
    data = np.ones(edges.shape[0] * 2)
    rows = np.concatenate([edges[:, 0], edges[:, 1]])
    cols = np.concatenate([edges[:, 1], edges[:, 0]])
    adj = sp.csr_matrix((data, (rows, cols)), shape=(n, n))
    adj.data[:] = 1.0
    degree = np.asarray(adj.sum(axis=1)).ravel()
    is_mgr = np.isin(s.role, LEADERS)  # == ~front unless the chart has OTHER staff
    lp, pc = scenario.learning, scenario.people
    reality, code, beliefs = playbook.initial_playbook(
        lp.playbook_dimensions,
        n,
        code_knowledge=lp.initial_code_knowledge,
        socialised=lp.initial_socialised,
        blank_share=lp.initial_blank_share,
        rng=rng,
    )
    emp = Employees(
        role=s.role.astype(np.int8),
        unit=s.unit.astype(np.int64),
        manager=s.manager.astype(np.int64),
        second_manager=s.second_manager.astype(np.int64),
        base_authority=s.authority.astype(float),
        authority=escalation.effective_authority(
            s.authority.astype(float), cul.decision_rights, p=scenario.decisions
        ),
        ancestors=s.ancestors(),
        front=front,
        leader=is_mgr,
        other=s.role == OTHER,
        fte=_fte(structure),
        salary=_salary(structure),
        adjacency=adj,
        degree=degree,
        filled=np.ones(n, dtype=bool),
        vacant_weeks=np.zeros(n, dtype=np.int64),
        adopted=np.zeros(n, dtype=bool),
        usage=np.zeros(n),
        habit=np.zeros(n),
        trained=np.zeros(n, dtype=bool),
        trained_week=np.full(n, NEVER, dtype=np.int64),
        intention=np.zeros(n),
        affinity=rng.normal(0.0, scenario.adoption.affinity_sd, n),
        useful_disposition=disposition_rng.standard_normal(n),
        ease_disposition=disposition_rng.standard_normal(n),
        usefulness=np.zeros(n),
        ease=np.zeros(n),
        social=np.zeros(n),
        threshold=rng.normal(crm.threshold_mean, crm.threshold_sd, n),
        skill=np.clip(rng.beta(pc.skill_beta_a, pc.skill_beta_b, n), 0, 1),
        morale=np.clip(rng.normal(pc.initial_morale_mean, pc.initial_morale_sd, n), 0, 1),
        safety=np.clip(rng.normal(cul.psychological_safety, pc.initial_safety_sd, n), 0, 1),
        # the spread only here (same draws); the mean at rest is added below (ODD 5.1)
        orientation=rng.normal(0.0, pc.initial_orientation_sd, n),
        tenure=rng.integers(pc.tenure_min_weeks, pc.tenure_min_weeks + pc.tenure_span_weeks, n),
        workload=np.ones(n),
        powerless=np.zeros(n),
        supportive=is_mgr & ((style := rng.random(n)) < cul.supportive_leadership),
        champion=np.zeros(n, dtype=bool),
        backlog=np.zeros(n),
        beliefs=beliefs,
        style=style,
    )
    emp.orientation = np.clip(emp.orientation + _orientation_at_rest(scenario, emp), 0, 1)
    org_reality, code, emp.beliefs = _settled_playbook(scenario, emp, reality, code, rest_rng)
    sales = np.flatnonzero(emp.role == SALES)
    cap = customer_capacity(scenario, sales.shape[0])
    m0 = scenario.customers.count
    pc = scenario.customers
    owners = pick_positions(sales, emp.fte, cap, rng)
    handler, same_group, tie = assign_accounts(owners, emp, rng, local_share=pc.local_handler_share)
    exists = np.zeros(cap, dtype=bool)
    exists[:m0] = True
    cust = Customers(
        exists=exists,
        active=exists.copy(),
        owner=owners,
        handler=handler,
        value=_lognormal_values(
            rng, cap, scenario.customers.annual_value, scenario.customers.value_dispersion
        ),
        satisfaction=np.clip(
            rng.beta(pc.initial_satisfaction_a, pc.initial_satisfaction_b, cap), 0, 1
        ),
        issue_open=np.zeros(cap, dtype=bool),
        issue_severity=np.zeros(cap),
        issue_days_left=np.zeros(cap),
        issue_days=np.zeros(cap),
        issue_logged=np.zeros(cap, dtype=bool),
        complained=np.zeros(cap, dtype=bool),
        record=np.where(
            exists,
            np.clip(rng.normal(pc.initial_record_mean, pc.initial_record_sd, cap), 0, 1),
            0.0,
        ),
        expectation=rng.normal(0.0, pc.expectation_sd, cap),
        joined_week=np.where(exists, 0, -1),
        churned_week=np.full(cap, -1),
        same_group=same_group,
        tie=tie,
    )
    if scenario.customers.file:
        apply_customer_file(
            cust,
            emp,
            customer_book(scenario),
            m0,
            structure,
            rng,
            local_share=pc.local_handler_share,
        )
    levers = Levers(
        decision_rights=cul.decision_rights,
        information_sharing=cul.information_sharing,
        incentive_alignment=cul.incentive_alignment,
        responsiveness=cul.responsiveness,
        executive_commitment=cul.executive_commitment,
        executive_support=cul.executive_support,
        psychological_safety=cul.psychological_safety,
        orientation_norm=cul.customer_orientation,
        socialisation=cul.socialisation,
        supportive_leadership=cul.supportive_leadership,
    )
    # Latent process and tool defects: more of them with a poorer tool, per team of front line.
    n_front = int(front.sum())
    p0 = learning.initial_problems(crm.tool_quality, n_front, p=lp)
    # the slow stock starts at its balance (ODD 5.1): inflow = reporting = fixing, at the felt
    # safety of rest (the climate), not the initial draw
    m0 = np.maximum(emp.manager, 0)
    supportive0 = np.where(emp.manager >= 0, emp.supportive[m0], True).astype(float)
    latent, queued = learning.problems_at_rest(
        n_front,
        learning.safety_at_rest(
            cul.psychological_safety, supportive0[front], cul.responsiveness, p=lp
        )
        if front.any()
        else 0.0,
        cul.responsiveness,
        p0,
        lp.turbulence_problems * learning.problem_scale(n_front, p=lp),
        p=lp,
    )
    org = Org(
        problems_latent=latent,
        problems_initial=p0,
        problems_queue=queued,
        voice_efficacy=scenario.learning.initial_voice_efficacy,
        cross_unit_share=s.cross_unit_tie_share(),
        reality=org_reality,
        code=code,
    )
    return State(emp=emp, cust=cust, levers=levers, org=org)


def _orientation_at_rest(scenario: Scenario, emp: Employees) -> np.ndarray:
    """Each position's mean customer orientation at the start: hiring from
    ``people.hiring_pool_orientation``, turnover and socialisation in balance on the chart
    (:func:`sim.mechanisms.learning.orientation_at_rest_by_person`).

    Each person's weekly quit chance at the pivot morale, as for the playbook's turnover
    (:func:`_settled_playbook`; the base rate gives about the turnover measured at rest, ODD
    7.2; managers' scaled, staff who do not quit at 0, as in the people process) and the
    organisation's norm ``culture.customer_orientation``: the mean hardly drifts in the burn-in
    and after it (ODD 5.1; 8.E measures what is left).
    """
    pp = scenario.people
    pivot = np.full(emp.front.shape[0], pp.quit_morale_pivot)
    hazard = people_mech.quit_hazard(pivot, pp.base_quit_annual, emp.front, p=pp)
    hazard = np.where(emp.other, 0.0, hazard)
    return learning.orientation_at_rest_by_person(
        scenario.culture.customer_orientation,
        pp.hiring_pool_orientation,
        scenario.culture.socialisation,
        hazard,
        emp.unit,
        emp.manager,
        p=scenario.learning,
    )


def _settled_playbook(
    scenario: Scenario,
    emp: Employees,
    reality: np.ndarray,
    code: np.ndarray,
    rng: np.random.Generator,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(reality, code, beliefs) after ``learning.playbook_rest_weeks`` of March's cycle at rest.

    The starting design's rates, as the learning process applies them (p1 from culture strength
    and tenure, p2 from responsiveness, p4 market turbulence) and March's turnover p3 at the
    front line's base quit rate (morale at its pivot; no vacancies): the playbook starts at its
    balance, not at ``initial_code_knowledge`` (docs/ODD.md 5.1, 8.A).
    """
    lp, cul, pp = scenario.learning, scenario.culture, scenario.people
    p3 = float(
        people_mech.quit_hazard(
            np.array([pp.quit_morale_pivot]), pp.base_quit_annual, np.array([True]), p=pp
        )[0]
    )
    return playbook.settle_front_line(
        reality,
        code,
        emp.beliefs,
        emp.front,
        emp.tenure,
        functools.partial(
            learning.playbook_rate,
            lp.playbook_p1,
            cul.socialisation,
            newcomer_boost=pp.newcomer_socialisation_boost,
            p=lp,
        ),
        lp.playbook_p2 * cul.responsiveness,
        p3,
        cul.market_turbulence,
        lp.playbook_rest_weeks,
        panel_size=lp.playbook_reference_people,
        cohort=lp.playbook_rest_cohort,
        rng=rng,
    )
