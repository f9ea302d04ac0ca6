"""Write the three example HR exports of examples/exports/ (deterministic: fixed seeds).

Each export imitates what a real HR system writes, with its own headers and free-text titles:

- ``workday.csv``: Workday-style "Employee ID, Worker, Manager ID, Business Title, Supervisory
  Organization, FTE, Annual Salary" (comma-separated, quoted titles such as "VP, Sales", salaries
  with thousands commas such as "62,000", full-time figures by title, empty for the people team
  so their role's salary applies); finance, engineering and people teams beside sales, support
  and marketing; some part-timers.
- ``bamboohr.csv``: BambooHR-style "Employee #, First Name, Last Name, Reports To, Job Title,
  Department, Location", where "Reports To" holds the manager's *name*.
- ``excel.csv``: a semicolon-separated Excel export with a byte-order mark, CRLF line ends and
  decimal commas in the FTE column.

Run ``python examples/exports/make_exports.py`` to write them again (same bytes each time).
"""

from __future__ import annotations

import csv
import io
import random
from pathlib import Path

HERE = Path(__file__).resolve().parent

FIRST = [
    "Ava",
    "Ben",
    "Cara",
    "Dan",
    "Eli",
    "Fay",
    "Gus",
    "Hana",
    "Ivo",
    "Jon",
    "Kim",
    "Lea",
    "Max",
    "Nia",
    "Oli",
    "Pia",
    "Raj",
    "Sam",
    "Tia",
    "Uma",
    "Vic",
    "Wes",
    "Xia",
    "Yan",
    "Zoe",
    "Ada",
    "Bo",
    "Cy",
    "Dee",
    "Ed",
    "Flo",
    "Gil",
    "Hal",
    "Isa",
    "Joe",
    "Kai",
    "Liv",
    "Mo",
    "Ned",
    "Ola",
]
LAST = [
    "Adams",
    "Baker",
    "Clark",
    "Davis",
    "Evans",
    "Ford",
    "Green",
    "Hill",
    "Irwin",
    "Jones",
    "King",
    "Lewis",
    "Moore",
    "Nash",
    "Owen",
    "Price",
    "Quinn",
    "Reid",
    "Shaw",
    "Taylor",
    "Upton",
    "Vance",
    "Walsh",
    "Young",
    "Zhou",
    "Patel",
    "Khan",
    "Singh",
    "Novak",
    "Berg",
]


class Builder:
    """Grows an org tree top-down; every person gets a unique name and a sequential id."""

    def __init__(self, seed: int, first_id: int) -> None:
        self.rng = random.Random(seed)
        names = [(f, s) for f in FIRST for s in LAST]
        self.rng.shuffle(names)
        self.names = iter(names)
        self.next_id = first_id
        self.people: list[dict[str, object]] = []

    def add(self, title: str, unit: str, manager: dict | None, fte: float = 1.0) -> dict:
        first, last = next(self.names)
        p = {
            "id": self.next_id,
            "first": first,
            "last": last,
            "title": title,
            "unit": unit,
            "manager": manager,
            "fte": fte,
        }
        self.next_id += 1
        self.people.append(p)
        return p

    def team(self, manager: dict, unit: str, titles: list[str], size: int, part: float) -> None:
        """``size`` reports of ``manager`` with titles drawn from ``titles``; some part-time."""
        for _ in range(size):
            fte = self.rng.choice((0.5, 0.6, 0.8)) if self.rng.random() < part else 1.0
            self.add(self.rng.choice(titles), unit, manager, fte)

    def led_team(
        self, title: str, unit: str, manager: dict, titles: list[str], size: int, part: float
    ) -> dict:
        """A lead titled ``title`` under ``manager`` and a :meth:`team` of ``size`` below them."""
        lead = self.add(title, unit, manager)
        self.team(lead, unit, titles, size, part)
        return lead


def workday() -> Builder:
    b = Builder(seed=1, first_id=21001)
    ceo = b.add("Chief Executive Officer", "Executive Office", None)
    vps = b.add("VP, Sales", "Sales", ceo)
    for region in ("East", "West", "Central"):
        d = b.add("Director of Sales", f"Sales - {region}", vps)
        for _ in range(2):
            b.led_team(
                "Sales Manager",
                f"Sales - {region}",
                d,
                ["Sr. Account Executive", "Account Executive", "Sales Development Representative"],
                6,
                0.1,
            )
    vpc = b.add("VP, Customer Support", "Customer Support", ceo)
    for tier in ("Tier 1", "Tier 2", "Success"):
        titles = (
            ["Customer Success Manager"] if tier == "Success" else ["Customer Support Specialist"]
        )
        b.led_team("Support Team Lead", f"Customer Support - {tier}", vpc, titles, 7, 0.2)
    b.led_team(
        "CMO", "Marketing", ceo, ["Marketing Specialist", "Demand Generation Manager"], 6, 0.2
    )
    cfo = b.add("CFO", "Finance", ceo)
    b.led_team(
        "Finance Manager",
        "Finance",
        cfo,
        ["Financial Analyst", "Accountant", "Payroll Specialist"],
        5,
        0.2,
    )
    cto = b.add("CTO", "Engineering", ceo)
    for _ in range(2):
        b.led_team(
            "Engineering Manager",
            "Engineering",
            cto,
            ["Software Engineer", "Senior Software Engineer"],
            6,
            0.0,
        )
    b.led_team("Head of People", "People", ceo, ["HR Business Partner", "Recruiter"], 3, 0.3)
    return b


def bamboohr() -> Builder:
    b = Builder(seed=2, first_id=101)
    ceo = b.add("CEO", "Leadership", None)
    hs = b.add("Head of Sales", "Sales", ceo)
    for _ in range(2):
        b.led_team(
            "Sales Team Lead",
            "Sales",
            hs,
            ["Account Executive", "BDR", "Account Executive"],
            8,
            0.0,
        )
    hc = b.add("Head of Customer Success", "Customer Success", ceo)
    for _ in range(2):
        b.led_team(
            "Support Lead",
            "Customer Success",
            hc,
            ["Support Agent", "Customer Success Associate"],
            9,
            0.0,
        )
    b.led_team(
        "Marketing Manager", "Marketing", ceo, ["Content Marketer", "Marketing Coordinator"], 4, 0.0
    )
    b.led_team(
        "Operations Manager",
        "Operations",
        ceo,
        ["Office Administrator", "Bookkeeper", "IT Support Technician"],
        4,
        0,
    )
    b.led_team("Engineering Lead", "Product", ceo, ["Developer", "Product Designer"], 6, 0.0)
    return b


def excel() -> Builder:
    b = Builder(seed=3, first_id=5001)
    md = b.add("Managing Director", "1000 Management", None)
    hs = b.add("Head of Sales", "2000 Sales", md)
    for area in ("North", "South", "Export"):
        b.led_team(
            "Area Sales Manager",
            f"2100 Sales {area}",
            hs,
            ["Key Account Manager", "Inside Sales Rep", "Sales Representative"],
            9,
            0.15,
        )
    hcs = b.add("Head of Customer Service", "3000 Customer Service", md)
    for shift in ("Early", "Late", "Field"):
        titles = ["Field Service Technician"] if shift == "Field" else ["Service Desk Agent"]
        b.led_team("Service Team Leader", f"3100 Service {shift}", hcs, titles, 11, 0.25)
    b.led_team(
        "Marketing Lead",
        "4000 Marketing",
        md,
        ["Marketing Coordinator", "Graphic Designer (Marketing)"],
        4,
        0.5,
    )
    b.led_team(
        "Head of Finance",
        "5000 Finance & Admin",
        md,
        ["Controller", "Accounts Payable Clerk"],
        5,
        0.4,
    )
    b.led_team("IT Manager", "6000 IT", md, ["IT Administrator", "ERP Consultant"], 4, 0.0)
    wh = b.add("Warehouse Manager", "7000 Logistics", md)
    for _ in range(2):
        b.led_team(
            "Warehouse Supervisor",
            "7000 Logistics",
            wh,
            ["Warehouse Operative", "Forklift Driver"],
            8,
            0.2,
        )
    return b


#: Yearly full-time salary (USD) by Workday title: invented round figures for the example, not
#: data. Titles not listed (the people team) are left empty: the role's salary applies.
WORKDAY_SALARY = {
    "Chief Executive Officer": 240_000,
    "VP, Sales": 170_000,
    "VP, Customer Support": 150_000,
    "Director of Sales": 130_000,
    "Sales Manager": 105_000,
    "Sr. Account Executive": 85_000,
    "Account Executive": 70_000,
    "Sales Development Representative": 52_000,
    "Support Team Lead": 72_000,
    "Customer Success Manager": 62_000,
    "Customer Support Specialist": 46_000,
    "CMO": 160_000,
    "Marketing Specialist": 58_000,
    "Demand Generation Manager": 66_000,
    "CFO": 165_000,
    "Finance Manager": 98_000,
    "Financial Analyst": 68_000,
    "Accountant": 60_000,
    "Payroll Specialist": 54_000,
    "CTO": 175_000,
    "Engineering Manager": 135_000,
    "Software Engineer": 105_000,
    "Senior Software Engineer": 125_000,
}


def _salary(title: str) -> str:
    """The example's salary cell for a title ('62,000'), empty where none is given."""
    amount = WORKDAY_SALARY.get(title)
    return "" if amount is None else f"{amount:,}"


def _fte(x: float, comma: bool = False) -> str:
    text = f"{x:g}"
    return text.replace(".", ",") if comma else text


def _csv(header: list[str], rows: list[list[object]], delimiter: str = ",", end: str = "\n") -> str:
    """The header and rows as CSV text, as the export writes it."""
    buf = io.StringIO()
    out = csv.writer(buf, delimiter=delimiter, lineterminator=end)
    out.writerow(header)
    out.writerows(rows)
    return buf.getvalue()


def _by_name(b: Builder) -> list[dict]:
    """People in the order HR systems list them: by last name, then first name."""
    return sorted(b.people, key=lambda p: (p["last"], p["first"]))


def write_all() -> None:
    """Write workday.csv, bamboohr.csv and excel.csv next to this script."""
    header = ["Employee ID", "Worker", "Manager ID", "Business Title", "Supervisory Organization"]
    rows: list[list[object]] = [
        [
            p["id"],
            f"{p['first']} {p['last']}",
            p["manager"]["id"] if p["manager"] else "",
            p["title"],
            p["unit"],
            _fte(p["fte"]),
            _salary(p["title"]),
        ]
        for p in _by_name(workday())
    ]
    (HERE / "workday.csv").write_text(
        _csv([*header, "FTE", "Annual Salary"], rows), encoding="utf-8", newline=""
    )

    bh = bamboohr()
    header = ["Employee #", "First Name", "Last Name", "Reports To", "Job Title", "Department"]
    rows = [
        [
            p["id"],
            p["first"],
            p["last"],
            f"{p['manager']['first']} {p['manager']['last']}" if p["manager"] else "",
            p["title"],
            p["unit"],
            bh.rng.choice(("Remote", "Denver", "Austin")),  # drawn row by row, in this order
        ]
        for p in _by_name(bh)
    ]
    text = _csv([*header, "Location"], rows)
    (HERE / "bamboohr.csv").write_text(text, encoding="utf-8", newline="")

    header = ["Pers.No.", "Name", "Manager Pers.No.", "Position", "Cost Centre", "FTE"]
    rows = [
        [
            p["id"],
            f"{p['last']}, {p['first']}",
            p["manager"]["id"] if p["manager"] else "",
            p["title"],
            p["unit"],
            _fte(p["fte"], comma=True),
        ]
        for p in excel().people
    ]
    text = _csv(header, rows, delimiter=";", end="\r\n")
    (HERE / "excel.csv").write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))


if __name__ == "__main__":
    write_all()
