"""Files the commands write get the usual permissions (0666/0777 under the umask), not 0600/0700.

``sim.outputs`` writes through ``tempfile.mkstemp``/``mkdtemp`` and an atomic rename; those create
0600 files and 0700 folders whatever the umask, so each is given the umask's mode before the rename.
"""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pandas as pd
import pytest

from sim.outputs import usual_mode, write_table, write_text

ROOT = Path(__file__).resolve().parent.parent


@contextmanager
def umask(mask: int) -> Iterator[None]:
    old = os.umask(mask)
    try:
        yield
    finally:
        os.umask(old)


def mode(p: Path) -> int:
    return stat.S_IMODE(p.stat().st_mode)


@pytest.mark.parametrize("mask, want", [(0o022, 0o644), (0o027, 0o640), (0o002, 0o664)])
def test_write_table_and_text_follow_the_umask(tmp_path: Path, mask: int, want: int) -> None:
    df = pd.DataFrame({"a": [1, 2], "b": ["x", "=y"]})
    with umask(mask):
        assert usual_mode() == want and usual_mode(0o777) == 0o777 & ~mask
        for name in ("t.csv", "t.parquet"):
            write_table(df, tmp_path / name)
        write_text("hello", tmp_path / "t.txt")
    for name in ("t.csv", "t.parquet", "t.txt"):
        assert mode(tmp_path / name) == want, name
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no temporary left


def test_run_writes_0644_under_umask_022(tmp_path: Path) -> None:
    out = tmp_path / "cc.csv"
    res = subprocess.run(
        [sys.executable, str(ROOT / "run.py"), "run", "command_and_control", "--weeks", "3",
         "--set", "organisation.employees=60", "--set", "customers.count=300", "--out", str(out)],
        capture_output=True, text=True, cwd=ROOT, timeout=300,
        preexec_fn=lambda: os.umask(0o022),
    )  # fmt: skip
    assert res.returncode == 0, res.stderr
    assert mode(out) == 0o644


def test_compare_folder_and_files_follow_the_umask(tmp_path: Path) -> None:
    pytest.importorskip("tqdm")
    from sim.outputs import compare_and_save
    from tests.conftest import small

    scenarios = {n: small(n, horizon_weeks=2) for n in ("command_and_control", "matrix")}
    with umask(0o022):
        out = compare_and_save(scenarios, replicates=2, seed=5, workers=1, out=tmp_path / "cmp")
    assert mode(out) == 0o755
    files = [p for p in out.rglob("*") if p.is_file()]
    assert {p.name for p in files} >= {"weekly.parquet", "summary.csv", "manifest.json"}
    assert {p.name: mode(p) for p in files} == {p.name: 0o644 for p in files}
