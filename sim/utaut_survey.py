"""A UTAUT survey of the simulated staff: the path sizes a field study of the model would find.

UTAUT's evidence is survey evidence: staff rate a system's usefulness (performance expectancy,
PE), ease of use (effort expectancy, EE), social influence (SI) and their intention to use it
(BI), and a regression of BI on the three gives standardised paths and an R2. The model's
intention is built from the same three determinants (``sim.mechanisms.adoption.intention``), so
the same regression run on the simulated staff shows whether its weights and its individual
differences give paths of the published sizes (docs/ODD.md 8.D):

* Venkatesh et al. (2003, MIS Quarterly 27(3)): UTAUT explained about 70% of the variance in
  intention (adjusted R2, with its moderators); the eight models it unified 17-53%.
* Taiwo & Downe (2013, J. Theor. Appl. Inf. Technol. 49(1)), meta-analysis of 37 UTAUT studies:
  only PE -> BI is strong; EE -> BI and SI -> BI are weak.
* Tamilmani, Rana & Dwivedi (2020, Inf. Syst. Front.), meta-analysis of 60 UTAUT2 studies: PE ->
  BI the most often significant path; EE -> BI mostly non-significant.

The meta-analyses' "strong" and "weak" are read with Cohen's (1988) conventions for a
standardised effect (large >= 0.5, small < 0.3): an interpretation, stated as such in
:data:`BANDS`. A survey wave is a cross-section of the trained staff in post ``weeks`` after
go-live (UTAUT's own waves were right after training, one month and three months later).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

if TYPE_CHECKING:
    from sim.scenario import Scenario

#: The published pattern, as bands on the survey's figures (see the module docstring).
BANDS: dict[str, tuple[float, float, str]] = {
    "beta_pe": (0.5, 1.0, "Taiwo & Downe 2013: PE -> BI strong (read as a standardised beta "
                "of at least 0.5, Cohen's large)"),
    "beta_ee": (-1.0, 0.3, "Taiwo & Downe 2013; Tamilmani et al. 2020: EE -> BI weak (below 0.3)"),
    "beta_si": (-1.0, 0.3, "Taiwo & Downe 2013: SI -> BI weak (below 0.3)"),
    "r2": (0.17, 0.70, "Venkatesh et al. 2003: between the eight earlier models' 17% and "
           "UTAUT's 70% (with moderators; the survey has none)"),
}

#: Survey waves in weeks after go-live (UTAUT surveyed after training, 1 and 3 months later).
WAVES: tuple[int, ...] = (4, 13, 26)


def standardised_paths(
    pe: np.ndarray, ee: np.ndarray, si: np.ndarray, bi: np.ndarray
) -> dict[str, float]:
    """Standardised OLS paths of intention on the three UTAUT determinants, and their R2.

    Every variable is z-scored, so a beta is the change in BI (in its standard deviations) per
    standard deviation of a determinant with the other two held fixed, as a UTAUT study reports
    it. A determinant with no spread gets beta NaN (the survey cannot estimate it).

    Args:
        pe, ee, si, bi: (n,) one value per respondent.

    Returns:
        ``beta_pe``, ``beta_ee``, ``beta_si``, ``r2``, the zero-order correlations ``r_pe``,
        ``r_ee``, ``r_si`` and ``n``.
    """
    x = np.column_stack([pe, ee, si]).astype(float)
    y = np.asarray(bi, dtype=float)
    out: dict[str, float] = {"n": float(y.shape[0])}
    sd = x.std(axis=0)
    if y.shape[0] < 5 or y.std() == 0:
        return {**out, **{k: np.nan for k in ("beta_pe", "beta_ee", "beta_si", "r2",
                                              "r_pe", "r_ee", "r_si")}}
    # a constant column's sd is rounding error, not spread
    keep = sd > 1e-9 * np.maximum(1.0, np.abs(x).max(axis=0, initial=0.0))
    z = (x[:, keep] - x[:, keep].mean(axis=0)) / sd[keep]
    zy = (y - y.mean()) / y.std()
    design = np.column_stack([np.ones(y.shape[0]), z])
    coef, *_ = np.linalg.lstsq(design, zy, rcond=None)
    betas = np.full(3, np.nan)
    betas[keep] = coef[1:]
    resid = zy - design @ coef
    r = [float(np.corrcoef(x[:, j], y)[0, 1]) if keep[j] else np.nan for j in range(3)]
    return {
        **out,
        "beta_pe": float(betas[0]),
        "beta_ee": float(betas[1]),
        "beta_si": float(betas[2]),
        "r2": float(1.0 - np.mean(resid**2)),
        "r_pe": r[0],
        "r_ee": r[1],
        "r_si": r[2],
    }


def survey(model) -> dict[str, float]:
    """One survey wave of a running model: the trained staff in post, this week's beliefs."""
    e = model.state.emp
    who = e.filled & e.trained
    return standardised_paths(e.usefulness[who], e.ease[who], e.social[who], e.intention[who])


def survey_runs(
    scenarios: dict[str, Scenario],
    seeds: Iterable[int],
    waves: Sequence[int] = WAVES,
) -> pd.DataFrame:
    """Survey waves of each scenario for each seed (one run per scenario and seed).

    Args:
        scenarios: name -> scenario with the CRM enabled.
        seeds: run seeds (the same seeds for every scenario: common random numbers).
        waves: weeks after go-live at which the staff are surveyed.

    Returns:
        One row per scenario, seed and wave with the :func:`standardised_paths` figures.
    """
    from sim.model import OrgModel  # the model imports much; keep this module light to import

    rows = []
    for name, sc in scenarios.items():
        if not sc.crm.enabled:
            raise ValueError(f"{name}: the CRM is not enabled, there is nothing to survey")
        live = max(sc.crm.go_live_week, 0)
        last = live + max(waves)
        for seed in seeds:
            m = OrgModel(sc.with_overrides({"horizon_weeks": max(sc.horizon_weeks, last + 1)}),
                         rng=seed)
            for week in range(last + 1):
                m.step()
                if week - live in waves:
                    rows.append({"scenario": name, "seed": seed, "wave": week - live,
                                 **survey(m)})
    return pd.DataFrame(rows)


def summarise(runs: pd.DataFrame) -> pd.DataFrame:
    """Mean and 95% t interval over seeds per scenario and wave, with the published bands."""
    from sim.experiment import mean_ci

    rows = []
    for (name, wave), g in runs.groupby(["scenario", "wave"], sort=False):
        for k in ("beta_pe", "beta_ee", "beta_si", "r2", "r_pe", "r_ee", "r_si"):
            v = g[k].to_numpy(dtype=float)
            m, ci_low, ci_high = mean_ci(v)  # NaNs (unestimated paths) dropped
            lo, hi = BANDS.get(k, (np.nan, np.nan, ""))[:2]
            rows.append({"scenario": name, "wave": wave, "figure": k, "mean": m,
                         "ci_low": ci_low, "ci_high": ci_high, "band_low": lo, "band_high": hi,
                         "replicates": int(np.isfinite(v).sum())})
    return pd.DataFrame(rows)
