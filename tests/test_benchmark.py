"""The benchmark command runs end to end at a tiny size (figures are checked, timings are not)."""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from sim import benchmark

ROOT = Path(__file__).resolve().parent.parent
SECTIONS = ("vs_mesa", "scale", "scaling", "collection")
MODELS = ("OrgModel", "OrgModel + counterfactual twin", "VirusOnNetwork", "BoltzmannWealth")


#: The tests reading the module fixture ``tiny`` (the benchmark command in a subprocess) are one
#: xdist group (``--dist loadgroup`` in pyproject's addopts): the batch is built once, on one
#: worker, not once on each worker that runs one of them.
SHARED = pytest.mark.xdist_group("benchmark_tiny")


@pytest.fixture(scope="module")
def tiny(tmp_path_factory: pytest.TempPathFactory) -> tuple[subprocess.CompletedProcess, Path]:
    """``python benchmarks/bench.py --size tiny --out FILE``, run once for the module."""
    out = tmp_path_factory.mktemp("bench") / "sub" / "bench.json"
    res = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "bench.py"), "--size", "tiny", "--out", out],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=600,
    )
    return res, out


@pytest.fixture(scope="module")
def result(tiny: tuple[subprocess.CompletedProcess, Path]) -> dict[str, Any]:
    res, out = tiny
    assert res.returncode == 0, res.stderr
    return json.loads(out.read_text(encoding="utf-8"))


def positive(x: object) -> bool:
    return isinstance(x, int | float) and not isinstance(x, bool) and math.isfinite(x) and x > 0


@SHARED
def test_command_prints_every_section_and_writes_json(tiny) -> None:
    res, out = tiny
    assert res.returncode == 0, res.stderr
    for heading in ("### 1. Cost per agent-step", "### 2. Scale", "### 3. Scaling"):
        assert heading in res.stdout
    assert "### 4. Data collection" in res.stdout and "### Targets" in res.stdout
    for name in MODELS:
        assert f"| {name} |" in res.stdout
    assert f"wrote {out}" in res.stdout
    assert out.exists() and not list(out.parent.glob("*.tmp"))  # atomic write left no temp file


@SHARED
def test_json_has_every_section_with_positive_finite_figures(result) -> None:
    assert result["size"] == "tiny"
    for key in ("cpu_model", "cores", "ram_bytes", "python", "numpy", "mesa"):
        assert result["machine"][key]
    for key in SECTIONS:
        assert key in result
    v = result["vs_mesa"]
    assert set(v["models"]) == set(MODELS)
    for row in v["models"].values():
        for k in ("agents", "init_s", "step_s", "us_per_agent_step", "ratio_to_virus"):
            assert positive(row[k]), (k, row)
    assert positive(v["ratio_vs_virus"]) and positive(v["ratio_vs_boltzmann"])
    assert v["models"]["OrgModel"]["agents"] == v["models"]["VirusOnNetwork"]["agents"]
    s = result["scale"]
    for k in ("init_s", "steps_s", "step_s_median", "total_s", "results_s", "peak_rss_bytes"):
        assert positive(s[k]), k
    assert s["weeks_run"] == s["weeks"]
    assert s["peak_rss_bytes"] >= s["rss_after_init_bytes"] >= s["rss_after_import_bytes"] > 0
    sc = result["scaling"]
    assert len(sc["sizes"]) == 4
    for row in sc["sizes"]:
        assert positive(row["step_s"]) and positive(row["init_s"])
        assert row["agents"] == row["employees"] + row["customers"]
    assert math.isfinite(sc["slope"]) and len(sc["local_slopes"]) == 3
    c = result["collection"]
    for k in ("step_s_median", "row_s_median", "share", "results_s"):
        assert positive(c[k]), k
    assert len(result["summary"]) == 5
    assert all(isinstance(row["met"], bool) for row in result["summary"])


@SHARED
def test_table_renders_from_the_json(result) -> None:
    table = benchmark.format_table(result)
    assert "OrgModel / VirusOnNetwork" in table and "peak RSS" in table
    assert "n/a" not in table.split("### 1.")[1].split("### 2.")[0]


def test_split_agents_is_one_to_ten() -> None:
    assert benchmark.split_agents(11_000) == (1_000, 10_000)
    assert sum(benchmark.split_agents(1_000_000)) == 1_000_000


def test_unknown_size_is_rejected() -> None:
    with pytest.raises(ValueError, match="size"):
        benchmark.run_all("huge")


def test_write_json_is_plain_and_atomic(tmp_path: Path) -> None:
    dest = benchmark.write_json({"a": float("nan"), "b": (1, 2.5)}, tmp_path / "x" / "r.json")
    assert json.loads(dest.read_text()) == {"a": None, "b": [1, 2.5]}
    assert [p.name for p in dest.parent.iterdir()] == ["r.json"]


def test_metrics_row_replay_matches_the_models_row() -> None:
    from sim.model import OrgModel

    model = OrgModel(benchmark.org_scenario(60, 600), rng=3, counterfactual=False)
    model.run(steps=2)
    row = benchmark.metrics_row_replay(model)
    assert set(row) == {"week", *model.results().columns}
    last = model.results().iloc[-1]
    for k in ("usage_mean", "data_quality", "satisfaction_mean", "customers_active"):
        assert row[k] == pytest.approx(last[k])
