"""Write the notebook gallery: one short notebook per claim of the seeds (issue 17).

    python examples/notebooks/make_notebooks.py

Each notebook states a claim practitioners make, names the mechanism the model gives it
(docs/ODD.md), runs the comparison at a small size on common random numbers (paired seeds),
prints the paired effect with its 95% interval and draws the weekly paths. The notebooks are
written without outputs; ``tests/test_notebooks.py`` checks they are what this script writes and
executes each of them (nbclient), so they never go stale. Sizes are small so that they run in
seconds: read the effects as illustrations, and the evidence tables in docs/VALIDATION.md as the
measurements.
"""

from __future__ import annotations

import json
from pathlib import Path

import nbformat

HERE = Path(__file__).resolve().parent

#: name -> (title, claim, mechanism, base preset, {design: overrides}, outcomes, weekly columns)
GALLERY: dict[str, dict] = {
    "silos": {
        "title": "Silos: does sharing information across departments keep customers?",
        "claim": "Seed 003: in a siloed company service does not tell sales about open issues "
        "(upsell calls to angry customers), marketing floods sales with leads nobody was told "
        "about, and hoarded leads duplicate records, so the CRM is less useful.",
        "mechanism": "docs/ODD.md 6.2 and 8.F: lead floods, hoarded-lead duplicates, angry "
        "upsells, all through `culture.information_sharing`.",
        "base": "functional_silos",
        "designs": {
            "sharing 0.1": {"culture.information_sharing": 0.1},
            "sharing 0.9": {"culture.information_sharing": 0.9},
        },
        "outcomes": ["annual_churn", "data_quality", "net_benefit_total"],
        "weekly": ["data_quality", "satisfaction_mean"],
    },
    "decision_rights": {
        "title": "Decision rights: what does pushing authority to the front line do?",
        "claim": "Seeds 001 and 004: in a deep hierarchy with little front-line authority, "
        "customer decisions queue at managers and customers wait.",
        "mechanism": "docs/ODD.md 6.1 and 8.C: escalation with a FIFO queue per manager, "
        "latency = hand-offs + queueing, through `culture.decision_rights`.",
        "base": "command_and_control",
        "designs": {
            "rights 0.2": {"culture.decision_rights": 0.2},
            "rights 0.8": {"culture.decision_rights": 0.8},
        },
        "outcomes": ["decision_latency_days", "first_contact_resolution", "annual_churn"],
        "weekly": ["first_contact_resolution", "decisions_queued"],
    },
    "culture_vs_technology": {
        "title": "Culture or technology first?",
        "claim": "Seeds 000 and 002: the best tool with thorough training and no culture "
        "change is adopted and then drifts back; changing decision rights, sharing, "
        "incentives and coaching first makes the tool stick.",
        "mechanism": "docs/ODD.md 6.4 and 8.D: UTAUT-ordered intention, habit, usage learnt "
        "from colleagues, reinforcement that stops.",
        "base": None,
        "designs": {"technology_only_rollout": {}, "culture_first_rollout": {}},
        "outcomes": ["adoption_rate", "data_quality", "annual_churn"],
        "weekly": ["adoption_rate", "usage_mean"],
    },
    "commitment_vs_support": {
        "title": "Executive commitment or executive support?",
        "claim": "Seed 004: executives who say they support the CRM change little; executives "
        "committed to it change structure, rights, incentives, data use and staffing.",
        "mechanism": "docs/ODD.md 6.6 and 8.D: commitment acts through facilitating "
        "conditions and data use, support only through words (a small social push).",
        "base": "command_and_control",
        "designs": {
            "supportive only": {
                "culture.executive_support": 0.9,
                "culture.executive_commitment": 0.1,
            },
            "committed": {"culture.executive_support": 0.1, "culture.executive_commitment": 0.9},
        },
        "outcomes": ["adoption_rate", "data_quality"],
        "weekly": ["adoption_rate", "data_quality"],
    },
    "safety_and_responsiveness": {
        "title": "Psychological safety and responsiveness: hearing the problems",
        "claim": "Seed 000: where people are safe to report problems they get fixed; seed 001: "
        "an organisation that responds to complaints hears more of its unhappy customers.",
        "mechanism": "docs/ODD.md 6.5 (safety -> reporting -> fixes -> quality) and 8.B "
        "(willingness to complain from responsiveness).",
        "base": "command_and_control",
        "designs": {
            "closed": {"culture.psychological_safety": 0.1, "culture.responsiveness": 0.1},
            "open": {"culture.psychological_safety": 0.9, "culture.responsiveness": 0.9},
        },
        "outcomes": ["annual_churn", "silent_churn_share", "satisfaction_mean"],
        "weekly": ["satisfaction_mean", "complaints_total"],
    },
    "turnover": {
        "title": "Staff turnover reaches customers",
        "claim": "Seeds 001 and 002: a leaving account owner takes the relationship and the "
        "know-how; newcomers serve worse until they learn.",
        "mechanism": "docs/ODD.md 6.10 and 8.E: relationship loss on a leaver's accounts, "
        "softened by the CRM record, newcomers' skill (Park & Shaw 2013 for the size).",
        "base": "command_and_control",
        "designs": {
            "turnover 15%": {"people.base_quit_annual": 0.15},
            "turnover 45%": {"people.base_quit_annual": 0.45},
        },
        "outcomes": ["annual_staff_turnover", "annual_churn", "satisfaction_mean"],
        "weekly": ["satisfaction_mean", "morale_mean"],
    },
    "silent_churn": {
        "title": "Silent churn: the customers management never hears about",
        "claim": "Seed 001: most customers who leave never complained, so complaints "
        "understate churn; how the organisation listens changes how many speak up.",
        "mechanism": "docs/ODD.md 6.9 and 8.B: complaints anywhere below the churn pivot, "
        "willingness from responsiveness and open issues.",
        "base": "command_and_control",
        "designs": {
            "responsiveness 0.1": {"culture.responsiveness": 0.1},
            "responsiveness 0.9": {"culture.responsiveness": 0.9},
        },
        "outcomes": ["silent_churn_share", "complaints_per_churner", "annual_churn"],
        "weekly": ["churned_total", "complaints_total"],
    },
}

SETUP = """import matplotlib.pyplot as plt
import sim
from sim.experiment import headlines_table, paired_differences, run_replicates

SIZE = {"organisation.employees": 80, "customers.count": 800, "horizon_weeks": 52}
REPLICATES, SEED = 4, 2026  # paired: replicate r has the same seed in every design"""


def notebook(name: str, spec: dict) -> nbformat.NotebookNode:
    """The notebook for one claim (no outputs)."""
    designs = spec["designs"]
    base = spec["base"]
    lines = ["designs = {"]
    for label, over in designs.items():
        preset = base if base is not None else label
        lines.append(
            f"    {label!r}: sim.load_scenario({preset!r}).with_overrides({{**SIZE, **{over!r}}}),"
        )
    lines.append("}")
    first = next(iter(designs))
    run = "\n".join(
        [
            *lines,
            "weekly = run_replicates(designs, REPLICATES, SEED, counterfactual=False)",
            "heads = headlines_table(weekly)",
            f"diff = paired_differences(heads, baseline={first!r}, outcomes={spec['outcomes']!r})",
            'diff[["scenario", "outcome", "diff", "ci_low", "ci_high", "n"]].round(4)',
        ]
    )
    cols = spec["weekly"]
    plot = "\n".join(
        [
            f"fig, axes = plt.subplots(1, {len(cols)}, figsize=(5 * {len(cols)}, 3.2))",
            f"for ax, col in zip(axes, {cols!r}):",
            "    for design, g in weekly.groupby('scenario', sort=False):",
            "        path = g.groupby('week')[col].mean()",
            "        ax.plot(path.index, path.to_numpy(), label=design)",
            "    ax.set_xlabel('week'); ax.set_title(col)",
            "axes[0].legend()",
            "fig.tight_layout()",
        ]
    )
    intro = (
        f"# {spec['title']}\n\n**The claim.** {spec['claim']}\n\n**In the model.** "
        f"{spec['mechanism']}\n\nTwo designs on common random numbers, "
        "{REPLICATES} paired replicates, 80 people / 800 customers, 52 weeks after the burn-in "
        "(small, so it runs in seconds: `docs/VALIDATION.md` has the measured effects at full "
        "size). The table gives the second design minus the first, paired by replicate, with "
        "its 95% interval."
    ).replace("{REPLICATES}", "4")
    nb = nbformat.v4.new_notebook()
    nb.metadata = {
        "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"},
        "language_info": {"name": "python"},
    }
    nb.cells = [
        nbformat.v4.new_markdown_cell(intro),
        nbformat.v4.new_code_cell(SETUP),
        nbformat.v4.new_code_cell(run),
        nbformat.v4.new_code_cell(plot),
    ]
    for i, cell in enumerate(nb.cells):  # stable ids, so the files do not change run to run
        cell["id"] = f"{name}-{i}"
    return nb


def text(nb: nbformat.NotebookNode) -> str:
    """The notebook as written to disk (stable JSON)."""
    return json.dumps(nb, indent=1, sort_keys=True, ensure_ascii=False) + "\n"


def main() -> None:
    for name, spec in GALLERY.items():
        (HERE / f"{name}.ipynb").write_text(text(notebook(name, spec)), encoding="utf-8")
        print(f"wrote examples/notebooks/{name}.ipynb")


if __name__ == "__main__":
    main()
