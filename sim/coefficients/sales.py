"""Coefficients of process 3, sales and silos (``sim/processes/sales.py``): the ``[sales]`` section.

Read by ``sim.mechanisms.silos`` (permeability between units, campaigns, duplicates, sales calls),
``sim.mechanisms.incentives`` (the split of sales effort), the acquisition terms of
``sim/processes/customers.py`` and the campaign workload spike of ``sim/processes/people.py``.
Nearly all were set by hand by the first version of the model; the sources say so.
"""

from __future__ import annotations

from sim.parameters import _f, _Section


class Sales(_Section):
    """How knowledge crosses unit lines, and what sales calls and campaigns do."""

    perm_same_group: float = _f(
        0.6,
        0.0,
        1.0,
        "Same-team permeability",
        "Chance that what one side knows about a customer reaches the other when owner and "
        "handler share a team or circle, with no sharing culture at all.",
        unit="share 0-1",
        source="assumption: people in one team mostly talk, even without a sharing culture",
        uncertain=True,
        plausible=(0.4, 0.8),
    )
    perm_same_group_sharing: float = _f(
        0.4,
        0.0,
        1.0,
        "Same-team sharing weight",
        "What the information-sharing dial adds to same-team permeability (at sharing 1).",
        unit="share 0-1",
        source="assumption: with full sharing a team knows everything (0.6 + 0.4 = 1)",
    )
    perm_tie: float = _f(
        0.9,
        0.0,
        1.0,
        "Cross-unit permeability with a tie",
        "Permeability across units, times information sharing, when owner and handler have a "
        "direct collaboration tie.",
        unit="share 0-1",
        source="assumption: a direct tie carries nearly all that the sharing culture allows",
    )
    perm_across: float = _f(
        0.45,
        0.0,
        1.0,
        "Cross-unit permeability without a tie",
        "Permeability across units, times information sharing, with no tie and no cross-unit "
        "ties in the structure.",
        unit="share 0-1",
        source="assumption: without a tie, about half of what the culture allows gets through",
        uncertain=True,
        plausible=(0.25, 0.65),
    )
    perm_structure: float = _f(
        0.45,
        0.0,
        1.0,
        "Cross-unit structure weight",
        "What a structure rich in cross-unit ties adds to cross-unit permeability without a tie.",
        unit="share 0-1",
        source="assumption: a structure full of cross-unit ties brings untied pairs close to a "
        "tie (0.45 + 0.45 = 0.9)",
    )
    cross_unit_reference: float = _f(
        0.3,
        0.01,
        1.0,
        "Cross-unit tie share at full effect",
        "Share of cross-unit ties in the structure at which their help to permeability is full.",
        unit="share 0-1",
        source="assumption: matrix and circle structures reach about 0.3 cross-unit ties",
    )
    campaign_rate: float = _f(
        0.15,
        0.0,
        1.0,
        "Campaign rate",
        "Chance per week that marketing launches a campaign.",
        unit="per week",
        source="assumption: a campaign every six to seven weeks, about eight a year",
        uncertain=True,
        plausible=(0.05, 0.3),
    )
    campaign_boost: float = _f(
        0.5,
        0.0,
        1.0,
        "Campaign lead boost",
        "Extra acquisitions in a campaign week, as a share of the usual.",
        unit="share 0-1",
        source="assumption: a campaign that 'succeeds spectacularly' (seed 003) brings half as "
        "many new customers again that week",
        uncertain=True,
        plausible=(0.2, 1.0),
    )
    unannounced_boost_share: float = _f(
        0.5,
        0.0,
        1.0,
        "Unannounced campaign yield",
        "Share of a campaign's lead boost that is won when sales was not told about it.",
        unit="share 0-1",
        source="assumption: blindsided sales teams convert about half of the leads (seed 003)",
    )
    crm_acquisition_weight: float = _f(
        0.3,
        0.0,
        1.0,
        "CRM help to acquisition",
        "Extra acquisition effort at full sales CRM usage and complete records.",
        unit="share 0-1",
        source="assumption: CRM insight makes hunting up to 30% more productive",
        uncertain=True,
        plausible=(0.1, 0.5),
    )
    spike_workload: float = _f(
        0.4,
        0.0,
        3.0,
        "Campaign workload spike",
        "Workload an unannounced campaign adds to each sales person's lead flood (worked off at "
        "sales.flood_clear_rate a week).",
        unit="multiplier",
        source="assumption: unannounced leads add about two days' work a week (seed 003: "
        "'overwhelmed by leads')",
    )
    duplicate_growth: float = _f(
        0.02,
        0.0,
        0.5,
        "Duplicate growth",
        "Share of contacts duplicated by one campaign when marketing hoards its lists and sales "
        "does not use the CRM.",
        unit="share of contacts",
        source="assumption: a hoarded campaign list duplicates about 2% of contacts",
    )
    duplicate_cleaning: float = _f(
        0.05,
        0.0,
        1.0,
        "Duplicate cleaning",
        "Share of duplicates cleaned per week at full sales CRM usage.",
        unit="1/week",
        source="assumption: sales people who use the CRM merge duplicates within months",
    )
    duplicate_cap: float = _f(
        0.5,
        0.0,
        1.0,
        "Duplicate cap",
        "Largest share of duplicated contacts in the CRM.",
        unit="share of contacts",
        source="assumption: a bound that keeps data quality above half of the records",
    )
    angry_call_cost: float = _f(
        0.12,
        0.0,
        1.0,
        "Angry-call cost",
        "Satisfaction lost when sales calls a customer who is angry about an issue sales missed.",
        unit="index 0-1",
        source="assumption: seed 003, 'One bad experience ... will undo all you've built'; three "
        "times the gain of a first-contact resolution",
        uncertain=True,
        plausible=(0.05, 0.25),
    )
    care_gain: float = _f(
        0.03,
        0.0,
        1.0,
        "Account-care gain",
        "Satisfaction gained from an informed call to an unhappy customer by an owner of "
        "centre orientation (times the orientation factor, sales.care_orientation_weight).",
        unit="index 0-1",
        source="assumption: an informed call helps a little, less than fixing the issue",
    )
    care_orientation_weight: float = _f(
        1.0,
        0.0,
        2.0,
        "Orientation weight on care behaviour",
        "Share of the asked-for account care an owner gives per unit of customer orientation "
        "above the centre (factor 1 + weight x (orientation - centre)): how often they call, "
        "follow open issues up and the gain of an informed call. The only way orientation "
        "reaches satisfaction; 0 switches the channel off.",
        unit="share 0-1",
        source="assumption: an owner at orientation 0.9 gives about 2.3 times the care of one at "
        "0.1 (1.4 vs 0.6); the first version's care gain (0.5 + orientation) had the same slope. "
        "Customer orientation predicts customer-directed behaviour and service performance "
        "(the direction; no figure taken)",
        uncertain=True,
        plausible=(0.5, 1.5),
    )
    care_orientation_centre: float = _f(
        0.5,
        0.0,
        1.0,
        "Orientation centre of care",
        "Customer orientation at which an owner gives exactly the asked-for care.",
        unit="index 0-1",
        source="assumption: the middle of the scale, so switching the channel off leaves care "
        "at its level for a middling owner",
    )
    overload_care_loss: float = _f(
        1.0,
        0.0,
        5.0,
        "Care lost to overload",
        "How fast an overloaded owner drops account care: care / (1 + this x overload), "
        "overload = workload / norm - 1 (last week's).",
        unit="multiplier",
        source="assumption: at twice the planned workload an owner gives half the care (seed "
        "003: sales 'blindsided ... overwhelmed by leads'); no figure found",
        uncertain=True,
        plausible=(0.3, 2.0),
    )
    flood_clear_rate: float = _f(
        0.25,
        0.01,
        1.0,
        "Lead flood clearing rate",
        "Share of an unannounced campaign's extra sales workload worked off each week.",
        unit="1/week",
        source="assumption: the leads of an unannounced campaign take about a month to work "
        "through",
        uncertain=True,
        plausible=(0.1, 0.5),
    )
    duplicate_prospecting: float = _f(
        0.004,
        0.0,
        0.1,
        "Duplicates from hoarded leads",
        "Share of contacts duplicated each week by sales prospecting leads marketing kept, at "
        "sharing 0 and no sales CRM usage.",
        unit="share of contacts",
        source="assumption: with nothing shared about a fifth of contacts are duplicated after a "
        "year; practitioner surveys put duplicate rates in CRMs at about 10-30% (no primary "
        "figure checked)",
        uncertain=True,
        plausible=(0.001, 0.01),
    )
    duplicate_record_loss: float = _f(
        1.0,
        0.0,
        1.0,
        "Record use lost to duplicates",
        "Share of a record's use lost per unit of duplicated contacts: service and sales look "
        "at one copy and miss what was logged on the other.",
        unit="share 0-1",
        source="assumption: a duplicated contact keeps about half its history on each copy, so "
        "record use falls in proportion to the duplicated share",
        uncertain=True,
        plausible=(0.5, 1.0),
    )
    upsell_chance: float = _f(
        0.3,
        0.0,
        1.0,
        "Upsell chance",
        "Chance that a fully satisfied customer called by a fully oriented owner buys more, "
        "before CRM insight.",
        unit="share 0-1",
        source="assumption: at typical satisfaction and orientation about one call in seven "
        "to a customer who is not angry sells more",
        uncertain=True,
        plausible=(0.1, 0.5),
    )
    upsell_base: float = _f(
        0.5,
        0.0,
        1.0,
        "Upsell base",
        "Part of the upsell chance that does not depend on the owner's customer orientation.",
        unit="share 0-1",
        source="assumption: orientation doubles the chance from its floor (0.5 + 0.5)",
    )
    upsell_orientation_weight: float = _f(
        0.5,
        0.0,
        1.0,
        "Upsell orientation weight",
        "What the owner's customer orientation adds to the upsell base.",
        unit="share 0-1",
        source="assumption: orientation doubles the chance from its floor (0.5 + 0.5)",
    )
    hunting_shift: float = _f(
        0.3,
        0.0,
        1.0,
        "Hunting given up for lifecycle rewards",
        "Acquisition effort given up at full incentive alignment (effort is 1 at none).",
        unit="share 0-1",
        source="assumption: whole-lifecycle rewards shift effort while hunting continues "
        "(multi-task incentives, Holmstrom & Milgrom 1991, give the direction, not the size)",
        uncertain=True,
        plausible=(0.1, 0.5),
    )
    care_effort_base: float = _f(
        0.25,
        0.0,
        1.0,
        "Account-care effort under acquisition bonuses",
        "Account-care effort at incentive alignment 0 (acquisition-only bonuses).",
        unit="share 0-1",
        source="assumption: even hunters look after a quarter of their accounts' needs",
        uncertain=True,
        plausible=(0.1, 0.4),
    )
    care_effort_weight: float = _f(
        0.75,
        0.0,
        1.0,
        "Account-care effort from lifecycle rewards",
        "Account-care effort added at full incentive alignment.",
        unit="share 0-1",
        source="assumption: full lifecycle rewards bring care effort to 1 (0.25 + 0.75)",
    )


#: The schema defaults (frozen), for formula callers that pass no section.
DEFAULT_SALES = Sales()
