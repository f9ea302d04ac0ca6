"""Figures of docs/ODD.md 8.B: the CRM's churn effect through information, and silent churn.

    PYTHONPATH=. .venv/bin/python tests/measure_crm_information.py [replicates]

Paired seeds (seed 7), test size (150 people, 1,500 customers), 104 weeks; prints the mean and
the paired standard error of each CRM on - off difference and of responsiveness 0.9 - 0.1.
"""

from __future__ import annotations

import sys

import numpy as np

from tests.conftest import column, paired, small

OFF = {"crm.enabled": False}
HI = {"crm.data_use": 0.9}
KO = {
    "decisions.fcr_facts_weight": 0.0,
    "decisions.missing_facts_days": 0.0,
    "customers.retention_rate": 0.0,
}
OUTCOMES = ("annual_churn", "satisfaction_mean", "first_contact_resolution", "adoption_rate")


def main(replicates: int = 10) -> None:
    designs = {
        "hi_on": small("kotter_programme", **HI),
        "hi_off": small("kotter_programme", **HI, **OFF),
        "ko_on": small("kotter_programme", **HI, **KO),
        "ko_off": small("kotter_programme", **HI, **KO, **OFF),
        "lo_on": small("command_and_control"),
        "lo_off": small("command_and_control", **OFF),
        "deaf": small("command_and_control", **{"culture.responsiveness": 0.1}),
        "listening": small("command_and_control", **{"culture.responsiveness": 0.9}),
    }
    h = paired(designs, replicates, 7)
    for name in designs:
        row = {k: round(float(np.nanmean(column(h, name, k))), 4) for k in OUTCOMES}
        row["silent"] = round(float(np.nanmean(column(h, name, "silent_churn_share"))), 4)
        row["cpc"] = round(float(np.nanmean(column(h, name, "complaints_per_churner"))), 4)
        print(name, row)
    pairs = [("hi_on", "hi_off"), ("lo_on", "lo_off"), ("ko_on", "ko_off"), ("listening", "deaf")]
    for a, b in pairs:
        for k in (*OUTCOMES[:3], "silent_churn_share"):
            d = column(h, a, k) - column(h, b, k)
            se = d.std(ddof=1) / np.sqrt(d.size)
            print(f"{a} - {b} {k}: {d.mean():+.4f} (se {se:.4f})")


if __name__ == "__main__":
    main(int(sys.argv[1]) if sys.argv[1:] else 10)
