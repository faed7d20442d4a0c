"""``suggest`` on a CSV with a huge header: refused at once with a clear line (exit 2), not minutes and GBs."""

from __future__ import annotations

from typing import Any


def test_suggest_refuses_a_header_past_the_column_cap(project: Any) -> None:
    wide = project.root / "wide.csv"
    n = 1_000_000
    wide.write_text(",".join(f"c{i}" for i in range(n)) + "\n" + ",".join("1" for _ in range(n)) + "\n")
    proc = project.cli("suggest", str(wide), timeout=60)
    assert proc.returncode == 2, proc.stderr
    assert "1,000,000 columns" in proc.stderr and "2,000" in proc.stderr, proc.stderr
    assert proc.stderr.count("\n") == 1


def test_suggest_still_works_at_the_cap(project: Any) -> None:
    ok = project.root / "ok.csv"
    ok.write_text(",".join(f"c{i}" for i in range(2000)) + "\n" + ",".join("1" for _ in range(2000)) + "\n")
    proc = project.cli("suggest", str(ok), "--json", timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert "c1999" in proc.stdout
