"""Generate Acme's synthetic org chart and customer book (fixed seed, reproducible).

Acme Ltd is a made-up B2B company of about 400 people: a CEO; a VP Sales over three regional
sales directors (North, South, West), each with four to six sales teams; a VP Customer Service
over three regional service directors, each with five to seven support teams; and a Head of
Marketing with three marketing teams. Roles are written the way an HR system exports them
("Account Executive", "Support Agent", "Team Leader", ...). Customers (about 40 per seller) are
Enterprise, Mid-market or SMB accounts owned by the sellers of their region.

    python examples/acme/make_org_chart.py        # rewrites org_chart.csv and customers.csv

Only the standard library and numpy are used; the same seed always writes the same files.
"""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np

SEED = 20260601
HERE = Path(__file__).resolve().parent
REGIONS = (("North", "Manchester"), ("South", "London"), ("West", "Bristol"))
# fmt: off
FIRST = (
    "Alex", "Amira", "Ben", "Chloe", "Dan", "Eva", "Finn", "Grace", "Hana", "Isla", "Jack", "Jon",
    "Kai", "Lara", "Leo", "Maya", "Mia", "Noah", "Nora", "Omar", "Priya", "Ravi", "Rosa", "Sam",
    "Sara", "Tom", "Una", "Vic", "Wei", "Yara", "Zoe", "Ines", "Luca", "Nina", "Owen", "Pia", "Raj",
    "Tess",
)
LAST = (
    "Adams", "Baker", "Clarke", "Davies", "Evans", "Fischer", "Garcia", "Hughes", "Iqbal", "Jones",
    "Khan", "Lewis", "Martin", "Nowak", "Okafor", "Patel", "Quinn", "Roberts", "Singh", "Taylor",
    "Usman", "Varga", "Walker", "Xu", "Young", "Zielinski", "Brown", "Cohen",
)
# fmt: on
SEGMENTS = (("Enterprise", 0.06, 120_000.0), ("Mid-market", 0.27, 30_000.0), ("SMB", 0.67, 7_500.0))


def build(seed: int = SEED) -> tuple[list[dict[str, str]], list[dict[str, str]]]:
    """People and customers as rows of text (ids shuffled like an HR export)."""
    rng = np.random.default_rng(seed)
    people: list[dict[str, str]] = []

    def add(manager: int | None, role: str, unit: str, location: str) -> int:
        fte = "0.6" if rng.random() < 0.06 else "1"
        name = f"{FIRST[rng.integers(len(FIRST))]} {LAST[rng.integers(len(LAST))]}"
        people.append(
            {
                "manager": manager,
                "role": role,
                "unit": unit,
                "location": location,
                "name": name,
                "fte": fte,
            }
        )
        return len(people) - 1

    ceo = add(None, "Chief Executive Officer", "Executive Office", "London")
    vp_sales = add(ceo, "VP Sales", "Executive Office", "London")
    vp_service = add(ceo, "VP Customer Service", "Executive Office", "London")
    head_mkt = add(ceo, "Head of Marketing", "Marketing", "London")
    sellers: dict[str, list[int]] = {}
    for region, city in REGIONS:
        unit = f"Sales {region}"
        director = add(vp_sales, "Regional Director", unit, city)
        sellers[region] = []
        for _ in range(int(rng.integers(4, 7))):
            lead = add(director, "Sales Manager", unit, city)
            for _ in range(int(rng.integers(6, 10))):
                u = rng.random()
                role = (
                    "Account Executive"
                    if u < 0.62
                    else "Business Development Representative"
                    if u < 0.85
                    else "Key Account Manager"
                )
                sellers[region].append(add(lead, role, unit, city))
    for region, city in REGIONS:
        unit = f"Service {region}"
        director = add(vp_service, "Regional Director", unit, city)
        for _ in range(int(rng.integers(5, 8))):
            lead = add(director, "Team Leader", unit, city)
            for _ in range(int(rng.integers(9, 14))):
                role = "Support Agent" if rng.random() < 0.75 else "Customer Success Manager"
                add(lead, role, unit, city)
    for _ in range(3):
        lead = add(head_mkt, "Marketing Manager", "Marketing", "London")
        for _ in range(int(rng.integers(5, 9))):
            role = "Marketing Specialist" if rng.random() < 0.7 else "Content Marketer"
            add(lead, role, "Marketing", "London")

    ids = rng.choice(np.arange(10_000, 99_999), size=len(people), replace=False)
    pid = [f"E{int(i)}" for i in ids]
    rows = [
        {
            "id": pid[i],
            "manager_id": "" if p["manager"] is None else pid[p["manager"]],
            "role": p["role"],
            "unit": p["unit"],
            "name": p["name"],
            "fte": p["fte"],
            "location": p["location"],
        }
        for i, p in enumerate(people)
    ]
    order = np.argsort(ids)  # an HR export sorted by employee id
    rows = [rows[i] for i in order]

    customers: list[dict[str, str]] = []
    cum_share = np.cumsum([share for _, share, _ in SEGMENTS])
    for region, _ in REGIONS:
        team = sellers[region]
        kam = [s for s in team if people[s]["role"] == "Key Account Manager"] or team
        for _ in range(40 * len(team)):
            k = int(np.searchsorted(cum_share, rng.random(), side="right"))
            seg, _, mean = SEGMENTS[min(k, len(SEGMENTS) - 1)]
            owner = (
                kam[rng.integers(len(kam))]
                if seg == "Enterprise"
                else team[rng.integers(len(team))]
            )
            value = rng.lognormal(np.log(mean) - 0.18, 0.6)
            customers.append(
                {"segment": seg, "annual_value": f"{value:.0f}", "owner_id": pid[owner]}
            )
    for i, c in enumerate(customers):
        c["id"] = f"C{100_001 + i}"
    customers = [
        {k: c[k] for k in ("id", "segment", "annual_value", "owner_id")} for c in customers
    ]
    return rows, customers


def write(rows: list[dict[str, str]], path: Path) -> None:
    """Write rows as a UTF-8 CSV with a header."""
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0]), lineterminator="\n")
        w.writeheader()
        w.writerows(rows)


def main() -> None:
    people, customers = build()
    write(people, HERE / "org_chart.csv")
    write(customers, HERE / "customers.csv")
    print(f"wrote {len(people)} people to org_chart.csv and {len(customers)} customers")


if __name__ == "__main__":
    main()
