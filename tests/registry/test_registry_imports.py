"""The registry stays light to import: heavy libraries load only when a model is saved or scored."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

CODE = """
import sys
import console
assert "console.registry" not in sys.modules, "import console pulled in the registry"
from console import Better
from console.registry import register, load, promote, rollback
assert Better("auc").higher_is_better and not Better("rmse").higher_is_better
heavy = sorted(m for m in ("sklearn", "pandas", "joblib", "numpy", "textual") if m in sys.modules)
print(",".join(heavy) or "none")
"""


def test_registry_import_is_light() -> None:
    proc = subprocess.run(
        [sys.executable, "-c", CODE], capture_output=True, text=True, cwd=ROOT, timeout=60, check=False
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "none"
