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
import tomllib
from pathlib import Path

import nbformat

HERE = Path(__file__).resolve().parent


def read_gallery(path: Path = HERE / "gallery.toml") -> dict[str, dict]:
    """The gallery table: name -> title, claim, mechanism, base preset (None: each design is the
    preset of its label), {design: overrides}, outcomes and weekly columns, in file order."""
    table = tomllib.loads(path.read_text(encoding="utf-8"))
    return {name: {"base": None, **spec} for name, spec in table.items()}


#: the notebooks to write, from gallery.toml (data, so adding a claim is one table there)
GALLERY: dict[str, dict] = read_gallery()

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
