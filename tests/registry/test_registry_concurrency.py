"""Two processes registering the same model at once get distinct, gap-free versions."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

from console.store.state import Store

ROOT = Path(__file__).resolve().parents[2]

SCRIPT = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    from console import registry
    from console.store.state import Store

    store = Store(Path(sys.argv[1]))
    sys.stdin.readline()  # start together
    got = [registry.register(store, "shared", {"n": i, "who": sys.argv[2]}).version for i in range(15)]
    store.close()
    print(" ".join(map(str, got)))
    """
)


def test_two_processes_get_distinct_versions(tmp_path: Path) -> None:
    home = tmp_path / "state"
    Store(home).close()
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", SCRIPT, str(home), who],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )
        for who in ("a", "b")
    ]
    for p in procs:
        assert p.stdin is not None
        p.stdin.write("go\n")
        p.stdin.flush()
    outs = [p.communicate(timeout=60) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], outs
    versions = [int(v) for out, _ in outs for v in out.split()]
    assert sorted(versions) == list(range(1, 31))
    store = Store(home)
    try:
        rows = store.db.query(
            "SELECT version, sha256 FROM model_versions WHERE name='shared' ORDER BY version"
        )
        assert [r["version"] for r in rows] == list(range(1, 31))
        assert len({r["sha256"] for r in rows}) == 30  # each payload stored, none overwritten
        events = store.db.query("SELECT count(*) FROM events WHERE kind='model.registered'")[0][0]
        assert events == 30
    finally:
        store.close()
