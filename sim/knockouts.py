"""Knock-outs: each culture dial acts on outcomes only through its named mechanisms (issue 14
item 3: "No dial acts on an outcome directly ... A knock-out test per dial: switch off its
mechanism and the dial's effect on outcomes vanishes"; docs/ODD.md section 8.W).

For each of the ten dials of :data:`sim.evidence.DIALS` the registry :data:`KNOCKOUTS` holds

- ``chain``: the mechanism chain the dial acts through, in the words of docs/ODD.md section 6
  (and the section named in ``odd``);
- ``overrides``: dotted coefficient overrides that switch that chain off. Every one of them is an
  existing coefficient of ``sim/coefficients/*.py``; most were already used by a knock-out
  elsewhere (``tests/test_people_turnover.py``, ``tests/test_silos_channels.py``,
  ``tests/test_adoption_speed.py``, ``tests/test_crm_information.py``; ODD 8.D, 8.E, 8.F);
- ``echo``: weekly columns that are the dial itself or the first link of its chain, upstream of
  the switch, so they still move with the dial when it is knocked out (the dial's felt level,
  the counts of events the knock-out makes harmless). Every other weekly column is an outcome.

With the overrides applied, runs at dial 0.1 and 0.9 on the same seed give identical weekly
tables on every outcome column (common random numbers: a severed dial changes no draw that
matters); ``tests/test_dial_knockouts.py`` checks that in ``command_and_control``,
``functional_silos`` and ``kotter_programme``, and the evidence section ``knockouts``
(``python run.py evidence --only knockouts``) measures each dial's effect intact and knocked out.

Where a dial is read (``grep -rn "culture\\.<dial>\\|lv\\.<dial>" sim/``; the lagged dials in
force are ``state.levers``, built in ``sim/state.py::build_state``), per dial, and which override
covers the read:

- psychological_safety: ``state.py`` initial felt safety and the safety of rest
  (``safety_at_rest``), ``processes/learning.py`` team climate -> felt safety -> reporting;
  ``processes/programme.py`` the anchor step. Reports only matter once fixed:
  ``learning.fix_rate`` 0 (8.E) and, under a programme, the quick wins'
  ``change_programme.quick_win_fix_share`` 0.
- decision_rights: ``state.py`` and ``processes/programme.py`` effective authority
  (``escalation.effective_authority``): ``decisions.rights_reach`` 0.
- information_sharing: ``processes/sales.py`` (campaign announced, duplicates, permeability),
  ``processes/decisions.py`` (facts from the other unit): five of the seven silo channels of
  8.F plus duplicate growth (the other two are not needed once the lead flood and duplicate
  growth are off).
- executive_commitment: ``processes/adoption.py`` (facilitating conditions),
  ``processes/programme.py`` (effective data use, removing obstacles).
- executive_support: ``processes/adoption.py`` (social influence).
- incentive_alignment: ``processes/programme.py`` (effort split), ``processes/adoption.py``
  (intention).
- responsiveness: ``state.py`` (stock of problems at rest, voice efficacy at rest, the settled
  playbook's p2), ``processes/learning.py`` (fixes, playbook p2), ``processes/customers.py``
  (voice, complaint recovery).
- customer_orientation: ``state.py`` and ``processes/people.py`` (staff's and newcomers'
  orientation), ``processes/learning.py`` (the norm); orientation then acts in
  ``processes/sales.py`` (care, informed-call gain, upsell) and ``processes/adoption.py``
  (intention), and the coalition step of a change programme picks its champions by orientation
  (``processes/programme.py``): that was a direct link without a coefficient, now gated by
  ``change_programme.coalition_orientation_pick`` (default 1, today's behaviour).
- every dial a programme step moves (rights, sharing, incentives by remove_obstacles, safety by
  anchor, the orientation norm by vision): how far it moves depends on where the dial stands, and
  the move takes front-line time (``processes/programme.py::move_dial``, 8.G):
  ``change_programme.change_away_weeks_per_point`` 0.
- socialisation: ``state.py`` (the playbook settled before the burn-in),
  ``processes/learning.py`` (orientation socialised, the playbook's p1).
- supportive_leadership: ``state.py`` and ``processes/people.py`` (which managers are
  supportive); supportiveness acts in the climate, morale and the manager's example.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType


@dataclass(frozen=True)
class Knockout:
    """One dial's mechanism chain and the coefficient overrides that switch it off."""

    dial: str
    chain: str
    overrides: Mapping[str, float]
    odd: str
    echo: tuple[str, ...] = ()


def _k(dial: str, chain: str, overrides: dict[str, float], odd: str, echo=()) -> Knockout:
    return Knockout(dial, chain, MappingProxyType(dict(overrides)), odd, tuple(echo))


#: The silo channels of seed 003 (tests/test_silos_channels.py ``SILO_CHANNELS_OFF``, ODD 8.F)
#: plus the growth of duplicated contacts, which sharing slows and which lowers data quality.
#: With the lead flood (``spike_workload``) and duplicate growth off, that list's
#: ``overload_care_loss`` and ``duplicate_record_loss`` are not needed (leaving either out of a
#: knock-out that has the rest changes nothing, measured in both presets): overload from other
#: causes and the duplicates the organisation starts with do not depend on sharing.
_SHARING_OFF = {
    "sales.angry_call_cost": 0.0,
    "sales.care_gain": 0.0,
    "sales.spike_workload": 0.0,
    "sales.unannounced_boost_share": 1.0,
    "decisions.other_unit_facts": 0.0,
    "sales.duplicate_growth": 0.0,
    "sales.duplicate_prospecting": 0.0,
}

#: The cost of moving a dial (docs/ODD.md 6.7 and 8.G): a programme step moves a dial's target by
#: an amount that depends on where the dial stands (remove_obstacles closes a share of the gap
#: to 1, anchor and vision add up to a cap of 1), and the move takes front-line time from
#: customers in proportion to the points moved (a step's money is its ``cost_per_step``,
#: whatever it moves). Needed only where a programme runs (kotter_programme); part of the
#: knock-out of the five dials a step moves. (An intervention, ``OrgModel.intervene``, also
#: pays ``change_cost_per_person_point`` per point moved, for any dial; the knock-outs are for a
#: dial set at the start, and that cost is the change's, not the dial's.)
_MOVE_COSTS_OFF = {"change_programme.change_away_weeks_per_point": 0.0}

_ALL = (
    _k(
        "psychological_safety",
        "safety -> felt safety (team climate) -> problems reported -> problems fixed -> service "
        "quality and ease of use (and, through quality, satisfaction, fewer angry customers, "
        "morale); a programme's quick wins fix part of the reported queue at once; under a "
        "programme, the cost of the anchor step's move; no term of its own in morale or "
        "intention",
        {"learning.fix_rate": 0.0, "change_programme.quick_win_fix_share": 0.0, **_MOVE_COSTS_OFF},
        "6.5, 6.7, 6.10, 8.E",
        echo=("psych_safety_mean", "problems_reported_total", "problems_unreported"),
    ),
    _k(
        "decision_rights",
        "rights -> effective authority of each position -> who decides a case (escalation hops, "
        "managers' queues, latency, first-contact resolution, powerlessness in morale); under a "
        "programme, the cost of removing obstacles (the gap to 1 it closes)",
        {"decisions.rights_reach": 0.0, **_MOVE_COSTS_OFF},
        "6.1, 8.C",
    ),
    _k(
        "information_sharing",
        "sharing -> permeability between units -> the owner knows of open issues before an "
        "upsell call (angry calls, informed care), service gets facts across the silo (first "
        "contact resolution), campaigns announced (lead flood, overload, care, conversion), "
        "duplicated contacts (data quality, usable records); under a programme, the cost of "
        "removing obstacles",
        {**_SHARING_OFF, **_MOVE_COSTS_OFF},
        "6.2, 8.F",
        echo=("upsell_to_angry_total",),
    ),
    _k(
        "executive_commitment",
        "commitment -> executives' decisions: durable resources and staffing of the rollout "
        "(facilitating conditions, acting on use), data brought into decisions (effective data "
        "use: usefulness, busywork, retention targeting, upsell), and with a programme removing "
        "obstacles, the structure, rights, sharing and incentives",
        {
            "adoption.facilitating_commitment": 0.0,
            "adoption.data_use_commitment": 0.0,
            "change_programme.obstacles_strength": 0.0,
        },
        "6.3, 6.6, 8.D",
    ),
    _k(
        "executive_support",
        "support -> words: a small social push in social influence, carried into intention "
        "(at most 0.015 of intention)",
        {"adoption.social_executive": 0.0},
        "6.4, 6.6, 8.D",
    ),
    _k(
        "incentive_alignment",
        "incentives -> effort split between hunting and care (acquisition, the care effort "
        "behind owners' calls and the care term of satisfaction) and a pull towards CRM use "
        "in intention; under a programme, the cost of removing obstacles",
        {
            "sales.hunting_shift": 0.0,
            "sales.care_effort_weight": 0.0,
            "adoption.weight_incentive": 0.0,
            **_MOVE_COSTS_OFF,
        },
        "6.4, 6.8",
    ),
    _k(
        "responsiveness",
        "responsiveness -> problems fixed (quality, ease, voice efficacy and so felt safety), "
        "the playbook learning from the front line (p2), customers' voice (complaints) and "
        "complaints recovered",
        {
            "learning.fix_rate": 0.0,
            "learning.playbook_p2": 0.0,
            "customers.voice_listening_weight": 0.0,
            "customers.recovery_gain": 0.0,
            "customers.unrecovered_loss": 0.0,
        },
        "6.5, 6.5b, 6.9",
    ),
    _k(
        "customer_orientation",
        "orientation (staff's, newcomers', the norm they are socialised to) -> the care "
        "behaviours it drives: how much of the asked-for care an owner gives (calls, the care "
        "term of satisfaction), the gain of an informed call, upselling; and the mindset term "
        "of adoption intention; a programme's coalition recruits the most oriented as "
        "champions; under a programme, the cost of the vision step's move of the norm; no "
        "term of its own in satisfaction",
        {
            "sales.care_orientation_weight": 0.0,
            "sales.upsell_orientation_weight": 0.0,
            "adoption.weight_orientation": 0.0,
            "change_programme.coalition_orientation_pick": 0.0,
            **_MOVE_COSTS_OFF,
        },
        "6.4, 6.7, 6.8, 8.F",
    ),
    _k(
        "socialisation",
        "socialisation -> how fast people learn the playbook (p1: practice knowledge, "
        "first-contact resolution) and take on the orientation norm",
        {
            "learning.playbook_p1": 0.0,
            "learning.socialise_base": 0.0,
            "learning.socialise_newcomer": 0.0,
        },
        "6.5, 6.5b, 8.E",
    ),
    _k(
        "supportive_leadership",
        "supportive leadership -> the share of supportive managers -> team climate (felt "
        "safety), morale, and the manager's example in social influence",
        {
            "learning.climate_manager_weight": 0.0,
            "people.morale_support_weight": 0.0,
            "adoption.manager_unsupportive": 1.0,
        },
        "6.4, 6.5, 6.10",
    ),
)

#: dial -> :class:`Knockout`, in the order of ``sim.evidence.DIALS``.
KNOCKOUTS: Mapping[str, Knockout] = MappingProxyType({k.dial: k for k in _ALL})


def _get(dial: str) -> Knockout:
    try:
        return KNOCKOUTS[dial]
    except KeyError:
        raise KeyError(f"no knock-out for {dial!r} (known: {', '.join(KNOCKOUTS)})") from None


def knockout(dial: str) -> dict[str, float]:
    """The dotted coefficient overrides that switch ``dial``'s mechanisms off (a fresh dict)."""
    return dict(_get(dial).overrides)


def chain(dial: str) -> str:
    """The mechanism chain ``dial`` acts through (docs/ODD.md section 6)."""
    return _get(dial).chain


def echo(dial: str) -> tuple[str, ...]:
    """Weekly columns upstream of the knock-out that still move with ``dial``."""
    return _get(dial).echo
