"""CRM on - off with information links switched off (Kotter, data use 0.9, 78 weeks, seed 5)."""

import sys

import numpy as np
from scipy import stats

sys.path.insert(0, ".")
from tests.conftest import column, paired, small

KO = {
    "decisions.fcr_facts_weight": 0.0,
    "decisions.missing_facts_days": 0.0,
    "customers.retention_rate": 0.0,
}
hi = {"crm.data_use": 0.9, "horizon_weeks": 78}
OFF = {"crm.enabled": False}
variants = {
    "base": {},
    "soft": {"people.record_softening": 0.0},
    "soft_acq": {"people.record_softening": 0.0, "sales.crm_acquisition_weight": 0.0},
}
designs = {}
for k, extra in variants.items():
    designs[k + "_on"] = small("kotter_programme", **hi, **KO, **extra)
    designs[k + "_off"] = small("kotter_programme", **hi, **KO, **extra, **OFF)
h = paired(designs, replicates=10, seed=5)
for k in variants:
    d = column(h, k + "_on", "annual_churn") - column(h, k + "_off", "annual_churn")
    f = column(h, k + "_on", "first_contact_resolution") - column(
        h, k + "_off", "first_contact_resolution"
    )
    s = (
        column(h, k + "_on", "satisfaction_mean") - column(h, k + "_off", "satisfaction_mean")
        if "satisfaction_mean" in h
        else np.zeros(1)
    )
    pl = stats.ttest_1samp(d, -0.002, alternative="greater").pvalue
    ph = stats.ttest_1samp(d, 0.002, alternative="less").pvalue
    print(
        k,
        f"churn d {d.mean():.5f} se {d.std(ddof=1) / np.sqrt(len(d)):.5f}  "
        f"tost p {max(pl, ph):.4f}  fcr {f.mean():.4f}",
    )
print(list(h.columns))
