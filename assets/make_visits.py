"""Regenerate assets/visits_messy.csv (fixed seed): hospital visits with the usual mess.

Duplicated visit ids, impossible dates, negative charges, unknown departments, malformed
emails, missing patient ids, free-text ages. ``compliance_report`` cleans it with an audit trail.

    python assets/make_visits.py
"""

from __future__ import annotations

import csv
import random
from datetime import date, timedelta
from pathlib import Path

DEPARTMENTS = ["CARD", "ONC", "PED", "ER", "ORTH", "NEURO"]
NAMES = ["Ana Silva", "Ben Okafor", "Chen Wei", "Dana Kim", "Eli Moreau", "Fatima Haddad", "Goran Berg"]


def main(rows: int = 400, seed: int = 11) -> None:
    rng = random.Random(seed)
    out = Path(__file__).with_name("visits_messy.csv")
    start = date(2026, 1, 1)
    with out.open("w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(
            ["visit_id", "patient_id", "patient_name", "email", "age", "department", "visit_date", "charge"]
        )
        last_id = 0
        for _ in range(rows):
            last_id += 1
            visit_id = last_id
            if rng.random() < 0.03 and last_id > 5:
                visit_id = last_id - rng.randint(1, 5)  # duplicate id
            name = rng.choice(NAMES)
            patient = f"P{rng.randint(1000, 1200)}"
            email = name.lower().replace(" ", ".") + "@mail.example"
            age: object = rng.randint(0, 95)
            dept = rng.choice(DEPARTMENTS)
            visit = (start + timedelta(days=rng.randint(0, 300))).isoformat()
            charge: object = round(rng.uniform(50, 5000), 2)
            roll = rng.random()
            if roll < 0.04:
                patient = ""
            elif roll < 0.07:
                email = email.replace("@", " at ")
            elif roll < 0.10:
                age = rng.choice(["unknown", "-3", "140"])
            elif roll < 0.13:
                dept = rng.choice(["XRAY?", "", "card"])
            elif roll < 0.15:
                visit = rng.choice(["2026-02-30", "not a date", "2031-01-01"])
            elif roll < 0.17:
                charge = -abs(float(charge))  # type: ignore[arg-type]
            w.writerow([visit_id, patient, name, email, age, dept, visit, charge])


if __name__ == "__main__":
    main()
