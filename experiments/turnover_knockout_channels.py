"""Turnover (quits 0.6 - 0.1) with its channels to customers switched off (test seeds)."""

import sys

import numpy as np

sys.path.insert(0, ".")
from tests.conftest import column, paired, small

off = {"people.relationship_loss": 0.0, "people.newcomer_skill": 1.0}
variants = {
    "ko": off,
    "ko_cover": {**off, "people.vacancy_cover_cap": 0.0},
    "ko_care": {**off, "sales.overload_care_loss": 0.0},
    "ko_both": {**off, "people.vacancy_cover_cap": 0.0, "sales.overload_care_loss": 0.0},
}
designs = {}
for k, extra in variants.items():
    designs[k + "_few"] = small("command_and_control", people__base_quit_annual=0.1, **extra)
    designs[k + "_many"] = small("command_and_control", people__base_quit_annual=0.6, **extra)
h = paired(designs)
for k in variants:
    for o in (
        "annual_churn",
        "first_contact_resolution",
        "satisfaction_mean",
        "morale_mean",
        "annual_staff_turnover",
    ):
        d = column(h, k + "_many", o) - column(h, k + "_few", o)
        print(k, o, f"{d.mean():.5f} se {d.std(ddof=1) / np.sqrt(len(d)):.5f}")
