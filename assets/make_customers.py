"""Regenerate assets/customers.csv (fixed seed): a customer frame with missing values.

python assets/make_customers.py
"""

from __future__ import annotations

import csv
import random
from pathlib import Path

FIRST = ["Ana", "Ben", "Chen", "Dana", "Eli", "Fatima", "Goran", "Hana", "Ivan", "Jia", "Kofi", "Lena"]
LAST = ["Silva", "Okafor", "Novak", "Kim", "Moreau", "Haddad", "Berg", "Rossi", "Tanaka", "Diaz"]
COUNTRIES = ["DE", "FR", "US", "BR", "JP", "NG", "IN"]


def main(rows: int = 500, seed: int = 7) -> None:
    rng = random.Random(seed)
    out = Path(__file__).with_name("customers.csv")
    with out.open("w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["customer_id", "name", "email", "age", "country", "signup_date", "spend"])
        for i in range(1, rows + 1):
            first, last = rng.choice(FIRST), rng.choice(LAST)
            email = f"{first}.{last}{i}@example.com".lower()
            age: object = rng.randint(16, 90)
            spend: object = round(rng.lognormvariate(4, 1), 2)
            country: object = rng.choice(COUNTRIES)
            if rng.random() < 0.08:
                age = ""
            if rng.random() < 0.05:
                email = ""
            if rng.random() < 0.03:
                country = ""
            if rng.random() < 0.02:
                email = f"{first}{i}-at-example.com".lower()  # malformed on purpose
            if rng.random() < 0.01:
                spend = -round(rng.uniform(1, 50), 2)  # refunds booked as spend: a data bug
            signup = f"2025-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
            w.writerow([i, f"{first} {last}", email, age, country, signup, spend])


if __name__ == "__main__":
    main()
