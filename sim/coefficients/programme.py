"""Coefficients of process 1, the change programme (``sim/processes/programme.py``).

The size of each Kotter step's effects, how a step's strength depends on the steps before it
(``sim.mechanisms.change_programme.step_strength``) and how fast felt urgency and the quick-win
boost fade (applied at the end of ``sim/processes/adoption.py``). The scenario's
``ChangeProgramme`` section derives from :class:`ProgrammeCoefficients`, so the TOML keys are
``change_programme.coalition_safety_gain`` etc. All were set by hand by the first version of the
model, guided by Kotter (1995, 1996), who gives no numbers.
"""

from __future__ import annotations

from sim.parameters import _f, _Section


class ProgrammeCoefficients(_Section):
    step_floor: float = _f(
        0.5,
        0.0,
        1.0,
        "Step strength without foundation",
        "Share of the programme intensity a step keeps when none of the canonically earlier "
        "steps has fired (strength = intensity x (step_floor + step_foundation_gain x share)).",
        unit="share 0-1",
        source="assumption: Kotter (1995) says skipped steps undermine later ones, not by how "
        "much; half is a middle guess",
        uncertain=True,
        plausible=(0.25, 0.8),
    )
    step_foundation_gain: float = _f(
        0.5,
        0.0,
        1.0,
        "Step strength from foundation",
        "Share of the programme intensity a step gains when all earlier steps have fired.",
        unit="share 0-1",
        source="assumption: with step_floor 0.5, a step on a full foundation runs at the "
        "programme's intensity",
    )
    coalition_safety_gain: float = _f(
        0.1,
        0.0,
        1.0,
        "Coalition: champions' safety",
        "Felt psychological safety added to each champion recruited to the guiding coalition.",
        unit="index 0-1",
        source="assumption: being chosen and backed by leaders makes speaking up a little safer",
    )
    coalition_orientation_pick: float = _f(
        1.0,
        0.0,
        1.0,
        "Coalition: picked by orientation",
        "Gate of the coalition's choice of champions: above 0 the staff with the highest "
        "customer orientation are recruited (any positive value ranks them alike); 0 recruits "
        "them in position order, whatever their orientation (the knock-out of customer "
        "orientation's path through the coalition, docs/ODD.md 8.W).",
        unit="multiplier",
        source="assumption: Kotter (1995) recruits the most committed to the guiding coalition; "
        "1 is the model's behaviour before the gate existed, 0 exists for the knock-out test",
    )
    vision_norm_gain: float = _f(
        0.2,
        0.0,
        1.0,
        "Vision: orientation norm",
        "Customer-orientation norm added per unit of the vision step's strength.",
        unit="index 0-1",
        source="assumption: a vision shifts the norm modestly; culture moves slowly",
        uncertain=True,
        plausible=(0.05, 0.4),
    )
    obstacles_strength: float = _f(
        0.8,
        0.0,
        1.0,
        "Remove obstacles: reach",
        "Share of the gap to 1 that each structural lever closes per unit of step strength x "
        "executive commitment when obstacles are removed.",
        unit="share 0-1",
        source="assumption: committed executives remove most, not all, structural obstacles",
        uncertain=True,
        plausible=(0.4, 1.0),
    )
    quick_win_fix_share: float = _f(
        0.5,
        0.0,
        1.0,
        "Quick wins: problems fixed",
        "Share of the reported problem queue fixed at once per unit of the quick-wins step's "
        "strength.",
        unit="share 0-1",
        source="assumption: a quick-wins push clears the easy half of what has been reported",
        uncertain=True,
        plausible=(0.2, 0.8),
    )
    quick_win_boost_gain: float = _f(
        0.5,
        0.0,
        1.0,
        "Quick wins: usefulness boost",
        "Boost to perceived usefulness per unit of the quick-wins step's strength.",
        unit="index 0-1",
        source="assumption: visible early wins raise the usefulness people see, fading over "
        "months (quick_win_retention)",
        uncertain=True,
        plausible=(0.2, 0.8),
    )
    consolidate_weeks: float = _f(
        26.0,
        0.0,
        520.0,
        "Consolidation: reinforcement",
        "Weeks of project reinforcement a consolidation step adds at the reference intensity "
        "(scaled by strength / consolidate_reference_intensity, rounded).",
        unit="weeks",
        source="assumption: Kotter's 'drive change until anchored' taken as about half a year "
        "of continued project support",
        uncertain=True,
        plausible=(13.0, 52.0),
    )
    consolidate_reference_intensity: float = _f(
        0.7,
        0.05,
        1.0,
        "Consolidation: reference strength",
        "Step strength at which consolidation adds exactly consolidate_weeks.",
        unit="index 0-1",
        source="assumption: the default programme intensity, so a default programme on a full "
        "foundation adds consolidate_weeks",
    )
    anchor_safety_gain: float = _f(
        0.15,
        0.0,
        1.0,
        "Anchor: safety dial",
        "Psychological-safety dial added per unit of the anchor step's strength.",
        unit="index 0-1",
        source="assumption: anchoring new ways of working makes raising problems a norm; a "
        "modest shift",
        uncertain=True,
        plausible=(0.05, 0.3),
    )
    urgency_retention: float = _f(
        0.95,
        0.0,
        1.0,
        "Urgency retention",
        "Share of felt urgency kept from one week to the next (0.95: fades 5% a week).",
        unit="share 0-1",
        source="assumption: felt urgency fades within months without renewal (half-life about "
        "13 weeks); not measured",
        uncertain=True,
        plausible=(0.85, 0.99),
    )
    quick_win_retention: float = _f(
        0.97,
        0.0,
        1.0,
        "Quick-win boost retention",
        "Share of the quick-win usefulness boost kept from one week to the next.",
        unit="share 0-1",
        source="assumption: the glow of early wins lasts a little longer than urgency "
        "(half-life about 23 weeks); not measured",
        uncertain=True,
        plausible=(0.9, 0.995),
    )

    structure_half_life_weeks: float = _f(
        8.0,
        0.0,
        520.0,
        "Lag: structural dial half-life",
        "Weeks for half of a move of a structural dial (decision rights, incentives, "
        "responsiveness, executive commitment and support) to be in force; the dial in force "
        "closes the gap to its new value geometrically (0: at once, the old instant change).",
        unit="weeks",
        source="assumption: new rules and rights are announced at once but take a planning or "
        "bonus cycle (a quarter or so) before people act on them; no measured figure found",
        uncertain=True,
        plausible=(2.0, 26.0),
    )
    norm_half_life_weeks: float = _f(
        52.0,
        0.0,
        520.0,
        "Lag: norm dial half-life",
        "Weeks for half of a move of a norm dial (psychological safety, customer-orientation "
        "norm, information sharing) to be in force (0: at once).",
        unit="weeks",
        source="cited: Kotter (1995, HBR, error 7) says changes take five to ten years to sink "
        "into a company's culture (wording recalled, not re-checked); a one-year half-life "
        "puts 87% of a move in force after three years and 97% after five",
        uncertain=True,
        plausible=(26.0, 156.0),
    )
    coaching_half_life_weeks: float = _f(
        26.0,
        0.0,
        520.0,
        "Lag: coaching (supportive leadership) half-life",
        "Weeks for half of a move of the supportive-leadership dial (the share of managers who "
        "coach) to be in force: managers learn to coach on the job (0: at once).",
        unit="weeks",
        source="cited: Grant's study of 99 managers learning workplace coaching (University of "
        "Sydney, reported in Coaching at Work, 28 April 2010) found it takes about six months "
        "before the pros of coaching outweigh the cons for them; six months is taken as the "
        "half-life (an interpretation: the study measured perceived pros and cons, not the "
        "share of managers who coach)",
        uncertain=True,
        plausible=(8.0, 52.0),
    )
    change_cost_per_person_point: float = _f(
        1_300.0,
        0.0,
        1e9,
        "Change cost per person and dial point",
        "Consultants and training paid per person affected per full point (0 to 1) that a "
        "dial is moved by an intervention, booked as investment in the week of the change "
        "(programme steps cost cost_per_step instead).",
        unit="currency",
        source="cited: ATD 2019 State of the Industry, direct learning spend of $1,299 per "
        "employee per year, taken as the spend of moving a dial across its whole range",
        uncertain=True,
        plausible=(400.0, 5_000.0),
    )
    change_away_weeks_per_point: float = _f(
        0.9,
        0.0,
        52.0,
        "Time away per person and dial point",
        "Weeks each affected person spends away from customers (training, workshops) per full "
        "point a dial is moved, by an intervention or a programme step.",
        unit="weeks",
        source="cited: ATD 2016 State of the Industry, 33.5 formal learning hours per employee "
        "per year (about 0.9 of a 37.5-hour week), taken as the time of a whole-range move",
        uncertain=True,
        plausible=(0.3, 3.0),
    )
    change_away_spread_weeks: float = _f(
        13.0,
        1.0,
        104.0,
        "Time away: spread",
        "Weeks over which that time away is spread, from the week of the change.",
        unit="weeks",
        source="assumption: training for a change is rolled out over about a quarter",
        uncertain=True,
        plausible=(4.0, 26.0),
    )
    # ------------------------------------------------ restructuring a proposed design
    restructure_cost_per_person: float = _f(
        2_000.0,
        0.0,
        1e9,
        "Restructuring cost per person moved",
        "One-off cost (redesign work, HR, new role descriptions, onboarding into the new team) "
        "per person whose manager or unit a proposed design's transformations change, booked "
        "as investment in design.change_week.",
        unit="currency",
        source="assumption: of the order of one and a half years' direct learning spend per "
        "person (ATD 2019, $1,299 a year), for redesign and re-onboarding; no measured figure "
        "found",
        uncertain=True,
        plausible=(500.0, 10_000.0),
    )
    restructure_severance_weeks: float = _f(
        13.0,
        0.0,
        104.0,
        "Severance per removed position",
        "Weeks of the person's pay (manager pay for a manager) paid once for each position a "
        "proposed design removes, booked as investment in design.change_week.",
        unit="weeks",
        source="assumption: about three months' pay; statutory redundancy pay (e.g. UK: a "
        "week's pay per year of service, capped) is less, negotiated packages for managers are "
        "often more",
        uncertain=True,
        plausible=(4.0, 52.0),
    )
    restructure_away_weeks: float = _f(
        1.0,
        0.0,
        26.0,
        "Time away per front-line person moved",
        "Weeks each moved front-line person spends away from customers over the transition "
        "(meeting the new team and manager, relearning who handles what), spread over "
        "change_away_spread_weeks from design.change_week.",
        unit="weeks",
        source="assumption: about a working week over the transition, the order of a whole-range "
        "culture move's training time (change_away_weeks_per_point 0.9)",
        uncertain=True,
        plausible=(0.2, 4.0),
    )
    restructure_handover_share: float = _f(
        0.25,
        0.0,
        1.0,
        "Handover loss of a move",
        "Share of a leaver's relationship loss (people.relationship_loss, softened by the CRM "
        "record) each customer suffers once when its account owner or service handler is "
        "moved by the restructuring: the person stays, team hand-offs are relearned.",
        unit="share 0-1",
        source="assumption: a moved person keeps the customer and what they know of it, so "
        "well below a leaver's loss; the hand-offs around them change",
        uncertain=True,
        plausible=(0.0, 0.6),
    )


#: The schema defaults (frozen), for formula callers that pass no section.
DEFAULT_PROGRAMME = ProgrammeCoefficients()
