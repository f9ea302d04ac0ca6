"""Scenario discovery with EMA Workbench: which dials lead to high churn in functional_silos?

    python examples/ema_prim.py [--experiments 100] [--replications 2] [--workers 2]

Samples four culture dials (Latin hypercube, EMA's default), runs each experiment on the same
replication seeds (common random numbers, ``sim.ema.ema_model``), marks the experiments whose
annual churn is in the top quarter, and asks PRIM for the box of dial ranges that holds them.
Needs the ``ema`` extra (``pip install -e '.[ema]'``).
"""

from __future__ import annotations

import argparse
import warnings

import numpy as np

FACTORS = {
    "culture.information_sharing": (0.1, 0.9),
    "culture.decision_rights": (0.1, 0.9),
    "culture.incentive_alignment": (0.1, 0.9),
    "culture.psychological_safety": (0.1, 0.9),
}
SIZE = {"organisation.employees": 150, "customers.count": 1500, "horizon_weeks": 52}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--experiments", type=int, default=100)
    ap.add_argument("--replications", type=int, default=2)
    ap.add_argument("--workers", type=int, default=1)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()

    from ema_workbench import MultiprocessingEvaluator, SequentialEvaluator
    from ema_workbench.analysis import prim

    from sim.ema import ema_model, ema_name

    model = ema_model(
        "functional_silos",
        FACTORS,
        outcomes=["annual_churn", "net_benefit_total"],
        overrides=SIZE,
        replications=args.replications,
        root_seed=args.seed,
    )
    warnings.simplefilter("ignore")
    evaluator = (
        MultiprocessingEvaluator(model, n_processes=args.workers)
        if args.workers > 1
        else SequentialEvaluator(model)
    )
    with evaluator:
        experiments, outcomes = evaluator.perform_experiments(scenarios=args.experiments)
    churn = outcomes["annual_churn"]
    y = churn >= np.quantile(churn, 0.75)
    names = [ema_name(k) for k in FACTORS]  # EMA's names: dots become double underscores
    finder = prim.Prim(experiments[names], y)
    box = finder.find_box()
    print(f"{len(experiments)} experiments x {args.replications} replications (seed {args.seed})")
    print(f"high churn: annual churn >= {np.quantile(churn, 0.75):.3f} ({int(y.sum())} cases)")
    print(f"PRIM box: coverage {box.coverage:.2f}, density {box.density:.2f}, mass {box.mass:.2f}")
    lims, init = box.box_lim, finder.box_init  # a factor is restricted where the two differ
    for name in FACTORS:
        col = ema_name(name)
        lo, hi = float(lims.loc[0, col]), float(lims.loc[1, col])
        if (lo, hi) != (float(init.loc[0, col]), float(init.loc[1, col])):
            print(f"  {name}: {lo:.2f} to {hi:.2f}")


if __name__ == "__main__":
    main()
