"""Coefficients of process 6, adoption (``sim/processes/adoption.py``): section ``adoption``.

What builds the intention to use the CRM (UTAUT-style weights), social influence, facilitating
conditions, ease of use, perceived usefulness, the push on own initiative, how usage follows
intention, and the spread of personal attitudes to technology. The Bass/Granovetter dials
(``crm.innovation``, ``crm.imitation``, the thresholds, ``crm.habit_decay``) stay in ``crm``.

Honesty note: the structure follows UTAUT (Venkatesh et al. 2003: performance expectancy,
effort expectancy and social influence drive intention, about 70% of its variance explained;
facilitating conditions act on use rather than on intention, and since version 2 they do so
here: ``usage_facilitating``). The intention weights respect UTAUT's ordering (performance
expectancy strongest), but none is a published path coefficient: the other weights were set
by hand.
"""

from __future__ import annotations

from sim.parameters import _f, _Section

#: Sources shared by several fields (one wording, kept in one place).
_UTAUT_ORDER = (
    "cited: Venkatesh et al. (2003, MIS Quarterly 27(3)) UTAUT: performance expectancy the "
    "strongest determinant of intention, effort expectancy and social influence weaker, about "
    "70% of intention variance explained; facilitating conditions act on use, not intention; "
    "meta-analysis of 37 UTAUT studies (Taiwo & Downe 2013, J. Theor. Appl. Inf. Technol. "
    "49(1)): only performance expectancy -> intention strong, the others weak"
)
_HAND = "assumption: set by hand in the first version of the model; not measured"


class Adoption(_Section):
    """Coefficients of intention, adoption and usage (TOML ``[adoption]``)."""

    # --- intention (sim.mechanisms.adoption.intention) ---
    weight_usefulness: float = _f(
        0.35,
        0.0,
        1.0,
        "Weight of usefulness",
        "Weight of perceived usefulness (performance expectancy) in the intention to use.",
        unit="index 0-1",
        source=f"{_UTAUT_ORDER}; taken: the ordering only (this weight is about 2.5 times "
        "ease's and social influence's, and the three together carry 0.62 of the 1.0 scale, "
        "below the 70% share), not a path coefficient",
        uncertain=True,
        plausible=(0.25, 0.50),
    )
    weight_ease: float = _f(
        0.12,
        0.0,
        1.0,
        "Weight of ease of use",
        "Weight of ease of use (effort expectancy) in the intention to use.",
        unit="index 0-1",
        source=f"{_UTAUT_ORDER}; taken: the ordering only (weaker than usefulness)",
        uncertain=True,
        plausible=(0.05, 0.20),
    )
    weight_social: float = _f(
        0.15,
        0.0,
        1.0,
        "Weight of social influence",
        "Weight of social influence (peers, manager, executives) in the intention to use.",
        unit="index 0-1",
        source=f"{_UTAUT_ORDER}; taken: the ordering only (weaker than usefulness; a little "
        "above ease because UTAUT finds social influence significant where use is mandated)",
        uncertain=True,
        plausible=(0.05, 0.25),
    )
    weight_incentive: float = _f(
        0.10,
        0.0,
        1.0,
        "Weight of incentives",
        "Weight of the CRM incentive (from incentive alignment) in the intention to use.",
        unit="index 0-1",
        source=f"{_HAND}; a minor term beside UTAUT's determinants",
        uncertain=True,
        plausible=(0.0, 0.20),
    )
    weight_orientation: float = _f(
        0.10,
        0.0,
        1.0,
        "Weight of customer orientation",
        "Weight of the person's customer orientation in the intention to use.",
        unit="index 0-1",
        source=f"{_HAND}; seed 000 (adoption is a question of mindset), a minor term",
        uncertain=True,
        plausible=(0.0, 0.20),
    )
    weight_urgency: float = _f(
        0.15,
        0.0,
        1.0,
        "Weight of urgency",
        "Weight of the felt urgency (Kotter's first step) in the intention to use.",
        unit="index 0-1",
        source=f"{_HAND}; outside UTAUT, a programme effect that fades each week",
        uncertain=True,
        plausible=(0.05, 0.30),
    )
    affinity_sd: float = _f(
        0.10,
        0.0,
        0.5,
        "Spread of attitudes to technology",
        "Standard deviation of each person's affinity (attitude to technology), added to the "
        "intention (drawn at the start and for each newcomer).",
        unit="index 0-1",
        source="assumption: TAM's attitude term (Davis 1989), which meta-UTAUT keeps as a direct "
        "determinant of intention (Dwivedi et al. 2019, Inf. Syst. Front. 21); lowered from 0.15 "
        "to 0.10 when the beliefs gained their own individual spread (usefulness_belief_sd, "
        "ease_belief_sd), so that the intention's spread across people stays about 0.14 "
        "(experiments/utaut_survey.py); not measured",
        uncertain=True,
        plausible=(0.05, 0.20),
    )
    usefulness_belief_sd: float = _f(
        1.5,
        0.0,
        3.0,
        "Spread of usefulness beliefs",
        "Standard deviation, on the logit scale, of each person's own belief about the CRM's "
        "usefulness around what the organisation shows them (drawn at the start and for each "
        "newcomer).",
        unit="logit",
        source="cited: individual factors (personal innovativeness in IT, self-efficacy) shape "
        "beliefs about usefulness and ease (Agarwal & Prasad 1998, Inf. Syst. Res. 9(2); Lewis, "
        "Agarwal & Sambamurthy 2003, MIS Quarterly 27(4)); size: assumption, set so that a UTAUT "
        "survey of the simulated staff finds the meta-analytic pattern (performance expectancy -> "
        "intention strong, standardised beta >= 0.5; Taiwo & Downe 2013) with R2 inside "
        "0.17-0.70 (Venkatesh et al. 2003: the eight earlier models 17-53%, UTAUT 70%); "
        "measured by experiments/utaut_survey.py, tested in tests/test_utaut_paths.py",
        uncertain=True,
        plausible=(0.8, 2.2),
    )
    ease_belief_sd: float = _f(
        0.6,
        0.0,
        3.0,
        "Spread of ease-of-use beliefs",
        "Standard deviation, on the logit scale, of each person's own belief about the CRM's "
        "ease of use around what tool, training and skill give them (drawn at the start and for "
        "each newcomer).",
        unit="logit",
        source="cited: computer self-efficacy and anxiety anchor perceived ease of use "
        "(Venkatesh 2000, Inf. Syst. Res. 11(4)); size: assumption, set so that effort "
        "expectancy -> intention stays weak in the simulated survey (standardised beta < 0.3; "
        "Taiwo & Downe 2013; Tamilmani et al. 2020: EE -> BI mostly non-significant)",
        uncertain=True,
        plausible=(0.3, 1.2),
    )
    # --- social influence (sim.mechanisms.adoption.social_influence) ---
    social_peers: float = _f(
        0.55,
        0.0,
        1.0,
        "Social influence: peers",
        "Weight of the share of one's contacts who use the CRM in social influence.",
        unit="index 0-1",
        source=f"{_HAND}; peers weigh most (complex contagion, Centola & Macy 2007)",
        uncertain=True,
        plausible=(0.35, 0.75),
    )
    social_manager: float = _f(
        0.35,
        0.0,
        1.0,
        "Social influence: manager",
        "Weight of the line manager's example in social influence.",
        unit="index 0-1",
        source=f"{_HAND}; managers as role models (UTAUT's social influence)",
        uncertain=True,
        plausible=(0.15, 0.55),
    )
    social_executive: float = _f(
        0.10,
        0.0,
        1.0,
        "Social influence: executives",
        "Weight of executives' words (executive support) in social influence: the only "
        "mechanism through which executive support reaches adoption.",
        unit="index 0-1",
        source=f"{_HAND}; seed 004: support is words, a small push",
    )
    manager_unsupportive: float = _f(
        0.6,
        0.0,
        1.0,
        "Example of a non-coaching manager",
        "Share of a non-supportive manager's usage that counts as example (a coach counts fully).",
        unit="multiplier",
        source=f"{_HAND}; seed 001: it depends on the leadership style",
        uncertain=True,
        plausible=(0.3, 0.9),
    )
    # --- facilitating conditions (sim.mechanisms.adoption.facilitating_conditions) ---
    facilitating_commitment: float = _f(
        0.5,
        0.0,
        1.0,
        "Facilitating: commitment weight",
        "Weight of executive commitment in facilitating conditions: the resources committed "
        "leaders put in place and keep after go-live (staff time for logging, a CRM owner, "
        "help); the mechanism through which commitment reaches use.",
        unit="index 0-1",
        source=f"{_HAND}; seed 004 (commitment is decisions on staff and resources); "
        "commitment and project support weigh equally",
    )
    facilitating_project: float = _f(
        0.5,
        0.0,
        1.0,
        "Facilitating: project weight",
        "Weight of project support (coaching, follow-up) in facilitating conditions.",
        unit="index 0-1",
        source=f"{_HAND}; commitment and project support weigh equally",
    )
    project_base: float = _f(
        0.5,
        0.0,
        1.0,
        "Project support while reinforcing",
        "Project support during reinforcement, before training is added.",
        unit="index 0-1",
        source=_HAND,
    )
    project_training: float = _f(
        0.5,
        0.0,
        1.0,
        "Project support from training",
        "Project support added per unit of training during reinforcement.",
        unit="index 0-1",
        source=_HAND,
    )
    project_after: float = _f(
        0.1,
        0.0,
        1.0,
        "Project support after reinforcement",
        "Project support left once the project team has gone.",
        unit="index 0-1",
        source=f"{_HAND}; seed 002: support ends after go-live",
        uncertain=True,
        plausible=(0.0, 0.3),
    )
    # --- ease of use (sim.mechanisms.adoption.ease_of_use) ---
    ease_base: float = _f(
        0.5,
        0.0,
        1.0,
        "Ease: base",
        "Share of the tool's quality felt as ease of use without training or skill.",
        unit="index 0-1",
        source=_HAND,
    )
    ease_training: float = _f(
        0.3,
        0.0,
        1.0,
        "Ease: training",
        "Ease of use added per unit of training (times tool quality).",
        unit="index 0-1",
        source=_HAND,
    )
    ease_skill: float = _f(
        0.2,
        0.0,
        1.0,
        "Ease: skill",
        "Ease of use added per unit of the person's skill (times tool quality).",
        unit="index 0-1",
        source=_HAND,
    )
    ease_problems: float = _f(
        0.4,
        0.0,
        1.0,
        "Ease: dent from process problems",
        "Share of ease of use lost when all of the initial process problems are still unfixed.",
        unit="share 0-1",
        source=f"{_HAND}; seed 003: a tool on top of broken processes is hard to use",
        uncertain=True,
        plausible=(0.2, 0.6),
    )
    ease_communication: float = _f(
        0.1,
        0.0,
        1.0,
        "Ease: communication",
        "Ease of use added per unit of the programme's communication.",
        unit="index 0-1",
        source=_HAND,
    )
    # --- perceived usefulness (sim.mechanisms.crm_records.perceived_usefulness) ---
    useful_base: float = _f(
        0.3,
        0.0,
        1.0,
        "Usefulness: stand-alone",
        "Share of the tool's quality felt as useful when nobody logs anything.",
        unit="index 0-1",
        source=f"{_HAND}; the rest comes from the network externality (Katz & Shapiro 1985)",
        uncertain=True,
        plausible=(0.1, 0.5),
    )
    useful_network: float = _f(
        0.7,
        0.0,
        1.0,
        "Usefulness: network",
        "Share of the tool's quality felt as useful per unit of the logging network.",
        unit="index 0-1",
        source=f"{_HAND}; a strong network externality (Katz & Shapiro 1985)",
        uncertain=True,
        plausible=(0.5, 0.9),
    )
    network_org: float = _f(
        0.5,
        0.0,
        1.0,
        "Network: others' usage",
        "Weight of the front line's mean usage in the logging network.",
        unit="index 0-1",
        source=f"{_HAND}; others' usage and one's own records weigh equally",
    )
    network_own: float = _f(
        0.5,
        0.0,
        1.0,
        "Network: own records",
        "Weight of the completeness of one's own customers' records in the logging network.",
        unit="index 0-1",
        source=f"{_HAND}; others' usage and one's own records weigh equally",
    )
    useful_data_base: float = _f(
        0.5,
        0.0,
        1.0,
        "Usefulness: unused data",
        "Usefulness factor when none of the CRM data feeds decisions.",
        unit="multiplier",
        source=f"{_HAND}; seed 003: dead-end data halves the value seen",
        uncertain=True,
        plausible=(0.3, 0.8),
    )
    useful_data_weight: float = _f(
        0.5,
        0.0,
        1.0,
        "Usefulness: data use",
        "Usefulness factor added per unit of effective data use.",
        unit="multiplier",
        source=f"{_HAND}; reaches 1 when all data is used",
    )
    useful_vision: float = _f(
        0.15,
        0.0,
        1.0,
        "Usefulness: vision and quick wins",
        "Usefulness added per unit of the programme's vision and quick-win boost.",
        unit="index 0-1",
        source=f"{_HAND}; a modest programme effect",
    )
    data_use_commitment: float = _f(
        0.5,
        0.0,
        1.0,
        "Data use from commitment",
        "Share of the unused data that full executive commitment brings into decisions.",
        unit="share 0-1",
        source=f"{_HAND}; seed 004: committed leaders run the business on CRM data",
        uncertain=True,
        plausible=(0.2, 0.8),
    )
    # --- the adoption step (sim.processes.adoption, sim.mechanisms.adoption.push) ---
    push_urgency: float = _f(
        1.0,
        0.0,
        10.0,
        "Push from urgency",
        "Own initiative (Bass p) multiplied by 1 + this x felt urgency.",
        unit="multiplier",
        source=f"{_HAND}; full urgency doubles own initiative (halved from 2 in version 2 so "
        "that no preset reaches 90% adoption within ten weeks of go-live)",
        uncertain=True,
        plausible=(0.5, 4.0),
    )
    push_reinforcing: float = _f(
        1.0,
        1.0,
        10.0,
        "Push from reinforcement",
        "Own initiative (Bass p) multiplied by this while the project reinforces use.",
        unit="multiplier",
        source="assumption: 1 (no extra multiplier) since version 2, where the project's push "
        "is the mandated trial adoption.trial_reinforced; Bass meta-analysis p about 0.03 a "
        "year (markets) gives no guidance for an organisational multiplier",
        uncertain=True,
        plausible=(1.0, 4.0),
    )
    trial_reinforced: float = _f(
        0.2,
        0.0,
        1.0,
        "Mandated trial while reinforcing",
        "Weekly chance, per unit of training, that a person starts using the CRM because the "
        "project team asks them to (while it reinforces use), whatever their intention.",
        unit="per week",
        source="assumption: a mandated go-live gets most trained staff to try the system "
        "within the project's weeks (Speier & Venkatesh 2002: the sales force was trained and "
        "positive at go-live); at training 0.7 about half try within 8 weeks; not measured",
        uncertain=True,
        plausible=(0.02, 0.3),
    )
    imitation_base: float = _f(
        0.5,
        0.0,
        2.0,
        "Peer pull at zero intention",
        "Peer pull (Bass q) multiplied by this + the intention: the pull felt at zero intention.",
        unit="multiplier",
        source=f"{_HAND}; at an intention of 0.5 the multiplier is 1, so crm.imitation is the "
        "pull on an average person (Bass meta-analysis q about 0.38 a year, markets, not "
        "transferable)",
    )
    threshold_communication: float = _f(
        0.1,
        0.0,
        1.0,
        "Threshold cut from communication",
        "Granovetter thresholds lowered by this x the programme's communication.",
        unit="share of contacts",
        source=f"{_HAND}; communicating the vision makes people follow earlier (halved from 0.2 "
        "in version 2: with 0.2 kotter_programme cascaded to 90% adoption within ten weeks)",
        uncertain=True,
        plausible=(0.0, 0.4),
    )
    champion_usage: float = _f(
        0.8,
        0.0,
        1.0,
        "Champions' usage",
        "Least usage of champions (the guiding coalition) once the CRM is live.",
        unit="share 0-1",
        source=f"{_HAND}; the guiding coalition uses the CRM for most of its work",
    )
    # --- usage (sim.mechanisms.adoption.update_usage) ---
    usage_slope: float = _f(
        1.3,
        0.0,
        3.0,
        "Usage per intention",
        "Usage that an intention sustains: clip(this x intention - usage_offset).",
        unit="multiplier",
        source=f"{_HAND}; full use is reached a little below full intention",
        uncertain=True,
        plausible=(1.0, 1.6),
    )
    usage_offset: float = _f(
        0.1,
        0.0,
        1.0,
        "Usage offset",
        "Subtracted from the usage an intention sustains (a weak intention sustains no use).",
        unit="share 0-1",
        source=_HAND,
    )
    usage_facilitating: float = _f(
        0.5,
        0.0,
        1.0,
        "Usage from facilitating conditions",
        "Usage target added per unit of facilitating conditions (resources, help, follow-up).",
        unit="share 0-1",
        source="assumption: UTAUT (Venkatesh et al. 2003) has facilitating conditions act on "
        "use, not on intention, with a weaker path than intention's; set so that usage in "
        "technology_only_rollout peaks while the project team is there and slides after "
        "(Speier & Venkatesh 2002: widespread rejection six months after a sales-force "
        "automation rollout)",
        uncertain=True,
        plausible=(0.2, 0.8),
    )
    usage_reinforced: float = _f(
        0.7,
        0.0,
        1.0,
        "Usage from reinforcement",
        "Usage target added per unit of training while the project reinforces use.",
        unit="share 0-1",
        source="assumption: seed 002, use is propped up while the project team checks it; set "
        "so that usage in technology_only_rollout peaks while the team is there and slides "
        "after (Speier & Venkatesh 2002); not measured",
        uncertain=True,
        plausible=(0.3, 0.9),
    )
    usage_rise: float = _f(
        0.2,
        0.0,
        1.0,
        "Usage rise rate",
        "Share of the gap to a higher usage target closed each week among colleagues who all "
        "log (alone: rise_alone of it).",
        unit="1/week",
        source="assumption: logging most interactions is a work routine built over months; "
        "with the build scaled by the colleagues' usage (rise_alone 0.2) the rate is about "
        "0.06-0.1 a week in the first weeks after go-live (half the gap in 7-11 weeks) and "
        "0.2 once most colleagues log; set in version 2 so that no preset reaches 90% adoption "
        "within ten weeks of go-live and adoption follows an S-curve (docs/ODD.md 8.D); "
        "not measured",
        uncertain=True,
        plausible=(0.08, 0.3),
    )
    rise_alone: float = _f(
        0.2,
        0.0,
        1.0,
        "Usage build without logging peers",
        "Share of usage_rise a person keeps when none of their contacts log in the CRM; the rest "
        "comes with the contacts' mean usage (a routine learnt from colleagues).",
        unit="share 0-1",
        source="assumption: work routines are learnt largely from colleagues (social learning; "
        "UTAUT's social influence acts on use in mandated settings, Venkatesh et al. 2003), so "
        "the build is five times faster among colleagues who all log than alone; makes usage "
        "follow an "
        "S-curve (brief stylised fact) rather than a saturating approach; not measured",
        uncertain=True,
        plausible=(0.1, 0.6),
    )
    coaching: float = _f(
        0.8,
        0.0,
        1.0,
        "Coaching while reinforcing",
        "While the project reinforces use, usage builds at least as fast as among colleagues "
        "logging at this x training (the project team shows how).",
        unit="multiplier",
        source="assumption: seed 002, the project team props use up while it is there; set so "
        "that usage in technology_only_rollout peaks while the team is there and slides after "
        "(Speier & Venkatesh 2002); not measured",
        uncertain=True,
        plausible=(0.0, 1.0),
    )
    habit_build: float = _f(
        0.03,
        0.0,
        1.0,
        "Habit build rate",
        "Share of the gap between a person's habit strength and their usage closed each week; "
        "usage down to the habit level does not slide back once support goes.",
        unit="1/week",
        source="cited: Lally et al. (2010, Eur. J. Soc. Psychol. 40) habit formation: median 66 "
        "days (range 18-254) to 95% of the automaticity plateau for simple daily behaviours, "
        "longer for complex ones; taken: the upper end for a complex work routine logged a "
        "few times a week (half formed in about 23 weeks), so that a 12-week project leaves "
        "use mostly unhabituated (Speier & Venkatesh 2002: rejection six months after rollout)",
        uncertain=True,
        plausible=(0.01, 0.1),
    )
    anchored_decay: float = _f(
        0.2,
        0.0,
        1.0,
        "Decay factor once anchored",
        "crm.habit_decay multiplied by this once use is anchored in the culture (Kotter step 8).",
        unit="multiplier",
        source=f"{_HAND}; anchoring slows the slide fivefold",
        uncertain=True,
        plausible=(0.1, 0.5),
    )
    start_usage: float = _f(
        0.2,
        0.0,
        1.0,
        "New adopter's usage",
        "Least usage of a person in the week they adopt.",
        unit="share 0-1",
        source=f"{_HAND}; a new adopter starts at a modest level, not at zero (0.3 -> 0.2 in "
        "version 2: the first week's trial logs a few interactions; the rest is built, "
        "docs/ODD.md 8.D)",
    )
    stop_usage: float = _f(
        0.05,
        0.0,
        1.0,
        "Usage at which people stop",
        "An adopter whose usage falls below this stops using the CRM (discontinuance).",
        unit="share 0-1",
        source=_HAND,
    )


#: The default coefficients: the mechanisms' default ``p`` (one frozen instance, shared).
DEFAULT_ADOPTION = Adoption()
