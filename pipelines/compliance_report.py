"""Governance: ingest a messy visits file, validate, clean with an audit trail, mask PII, report.

Every row that is dropped or changed is written to the audit trail with the rule and the
reason, so an auditor can trace each number in the report back to the source file.
"""

from console import Context, Pipeline
from console.quality import checks as qc

p = Pipeline(
    "compliance_report",
    params={"source": "assets/visits_messy.csv", "max_age": 120},
    description="Validate and clean hospital visits with an audit trail; mask PII; monthly report",
)

DEPARTMENTS = ["CARD", "ONC", "PED", "ER", "ORTH", "NEURO"]


@p.task
def ingest(source, ctx: Context):
    from console.quality import read_csv

    frame = read_csv(ctx.project_root / source, dtype=str, keep_default_na=False)
    ctx.logger.info("ingested %d rows, %d columns from %s", len(frame), frame.shape[1], source)
    return frame


@p.task(
    checks=[
        qc.unique("visit_id", severity="warn"),
        qc.not_null("patient_id", severity="warn"),
        qc.regex("patient_id", r"^P\d{4}$", severity="warn"),
        qc.isin("department", DEPARTMENTS, severity="warn"),
        qc.format("email", "email", severity="warn"),
        qc.format("visit_date", "iso_date", severity="warn"),
    ]
)
def validate(ingest):
    """Typed view of the raw file; the checks record what is wrong before anything is dropped."""
    import pandas as pd

    frame = ingest.replace({"": None})
    frame["visit_id"] = pd.to_numeric(frame["visit_id"], errors="coerce").astype("Int64")
    return frame


@p.task
def clean(validate, max_age, ctx: Context):
    """Apply each rule in turn; every dropped row goes to the audit trail with its reason."""
    import pandas as pd

    frame = validate.copy()
    audit = []

    def drop(mask, rule, reason):
        nonlocal frame
        for idx, row in frame[mask].iterrows():  # only the dropped rows: a handful
            audit.append({"row": int(idx) + 2, "visit_id": row["visit_id"], "rule": rule, "reason": reason})
        frame = frame[~mask]

    drop(frame["patient_id"].isna(), "patient_id_required", "no patient id: cannot attribute the visit")
    drop(frame["visit_id"].duplicated(keep="first"), "visit_id_unique", "duplicate visit id: kept the first")
    frame["department"] = frame["department"].str.upper()
    drop(~frame["department"].isin(DEPARTMENTS), "department_known", "department not in the code list")
    ages = pd.to_numeric(frame["age"], errors="coerce")
    drop(ages.isna() | (ages < 0) | (ages > max_age), "age_valid", f"age missing, negative or over {max_age}")
    dates = pd.to_datetime(frame["visit_date"], format="%Y-%m-%d", errors="coerce")
    drop(
        dates.isna() | (dates > pd.Timestamp("2026-12-31")),
        "visit_date_valid",
        "not a date, or in the future",
    )
    charges = pd.to_numeric(frame["charge"], errors="coerce")
    drop(charges.isna() | (charges < 0), "charge_positive", "charge missing or negative")
    frame = frame.assign(
        age=pd.to_numeric(frame["age"]).astype("int64"),
        visit_date=pd.to_datetime(frame["visit_date"]),
        charge=pd.to_numeric(frame["charge"]),
    )
    ctx.log_metric("rows_dropped", len(audit))
    ctx.logger.info("kept %d rows, dropped %d (see the audit trail)", len(frame), len(audit))
    return {"frame": frame, "audit": pd.DataFrame(audit, columns=["row", "visit_id", "rule", "reason"])}


@p.task
def mask_pii(clean):
    """Pseudonymise direct identifiers before anything leaves the pipeline."""
    import hashlib

    frame = clean["frame"].copy()
    for col in ("patient_name", "email"):
        frame[col] = frame[col].map(lambda v: hashlib.sha256(str(v).encode()).hexdigest()[:12])
    return frame


@p.task(
    checks=[
        qc.not_null(),
        qc.unique("visit_id"),
        qc.between("charge", min=0),
        qc.between("age", 0, 120),
        qc.isin("department", DEPARTMENTS),
    ]
)
def report_frame(mask_pii):
    return mask_pii


@p.task
def report(report_frame, clean, ctx: Context):
    by_month = (
        report_frame.assign(month=report_frame["visit_date"].dt.strftime("%Y-%m"))
        .groupby(["month", "department"])["charge"]
        .agg(["count", "sum"])
        .reset_index()
    )
    out = ctx.artifact_path("compliance_report.csv")
    by_month.to_csv(out, index=False)
    trail = ctx.artifact_path("audit_trail.csv")
    clean["audit"].to_csv(trail, index=False)
    keys = {"report": ctx.save_artifact(out), "audit_trail": ctx.save_artifact(trail)}
    reasons = clean["audit"]["rule"].value_counts()
    for rule, n in reasons.items():
        print(f"dropped {n:>3} rows: {rule}")
    print(f"report: {len(by_month)} month x department rows, total charge {by_month['sum'].sum():,.2f}")
    ctx.log_metric("rows_reported", len(report_frame))
    return {"rows": len(report_frame), "dropped": int(reasons.sum()), "sha256": keys}
