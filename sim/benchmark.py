"""Performance benchmarks for ``OrgModel``: cost per agent-step, scale, scaling and data collection.

Four measurements, each returning plain data (dicts, lists, floats) so that results can be written
to JSON and compared between machines and commits:

1. ``bench_vs_mesa``: cost per agent-step of ``OrgModel`` against Mesa's bundled examples
   ``VirusOnNetwork`` and ``BoltzmannWealth`` at the same agent count, in the same process and
   run, interleaved repetition by repetition so that a busy machine slows all models alike.
2. ``bench_scale``: one organisation of 100,000 employees and 1,000,000 customers run for 104
   weeks in a fresh interpreter: initialisation time, step time and peak resident memory.
3. ``bench_scaling``: step time at four sizes and the slope of log(step time) on log(agents).
4. ``bench_collection``: the share of a step spent building the per-week metrics row.

``run_all`` runs the four, ``format_table`` renders a result as Markdown tables and ``write_json``
stores it atomically. ``python benchmarks/bench.py`` (and ``main``) is the command line.

Agent counts: an organisation with ``n`` agents has ``round(n / 11)`` employees and the rest
customers (1 employee to 10 customers); customers acquired during the run are not counted. Only
``model.step()`` calls are timed for step figures (``time.perf_counter``); construction is timed
separately as initialisation. Nothing here changes the model.
"""

from __future__ import annotations

import argparse
import functools
import gc
import hashlib
import json
import math
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:  # pragma: no cover
    from sim.scenario import Scenario

ROOT = Path(__file__).resolve().parent.parent
RESULTS_DIR = ROOT / "benchmarks" / "results"
PRESET = "command_and_control"
CUSTOMERS_PER_EMPLOYEE = 10

#: Targets from the performance issue.
TARGETS: dict[str, float] = {
    "ratio_vs_virus": 1 / 20,  # OrgModel cost per agent-step / VirusOnNetwork's, at most
    "scale_total_s": 60.0,  # init + 104 weeks at 100k employees / 1M customers, at most
    "scale_peak_rss_gb": 4.0,  # peak resident memory of that run, at most
    "scaling_slope": 1.1,  # slope of log(step time) on log(agents), at most
    "collection_share": 0.10,  # metrics row / step time, under
}

#: Parameters per run size. ``tiny`` is for tests and smoke runs (seconds), ``full`` for reports.
SIZES: dict[str, dict[str, dict[str, Any]]] = {
    "full": {
        "vs_mesa": {"n_agents": 10_000, "steps": 20, "repeats": 5, "warmup": 5},
        "scale": {"employees": 100_000, "customers": 1_000_000, "weeks": 104},
        "scaling": {"sizes": (1_000, 10_000, 100_000, 1_000_000), "steps": 10, "warmup": 5},
        "collection": {"employees": 100_000, "customers": 1_000_000, "weeks": 26},
    },
    "tiny": {
        "vs_mesa": {"n_agents": 1_100, "steps": 3, "repeats": 2, "warmup": 1},
        "scale": {"employees": 200, "customers": 2_000, "weeks": 6, "handles": 500},
        "scaling": {"sizes": (550, 1_100, 2_200, 4_400), "steps": 3, "warmup": 1},
        "collection": {"employees": 200, "customers": 2_000, "weeks": 6},
    },
}

GB = 1024**3
Progress = Callable[[str], None]


# ---------------------------------------------------------------------------- helpers
def split_agents(n_agents: int) -> tuple[int, int]:
    """Employees and customers (1:10) adding up to ``n_agents``.

    Args:
        n_agents: Total agents wanted (employees plus initial customers).

    Returns:
        ``(employees, customers)``; at least 10 employees (the scenario's minimum).
    """
    employees = max(10, round(n_agents / (CUSTOMERS_PER_EMPLOYEE + 1)))
    return employees, max(10, n_agents - employees)


def org_scenario(employees: int, customers: int) -> Scenario:
    """The ``command_and_control`` preset at the given size (everything else as shipped)."""
    from sim.inputs import load_scenario

    return load_scenario(PRESET).with_overrides(
        {"organisation.employees": int(employees), "customers.count": int(customers)}
    )


def _median(xs: Sequence[float]) -> float:
    return float(statistics.median(xs)) if xs else float("nan")


def _time_steps(model: Any, steps: int) -> list[float]:
    """Wall time of each of ``steps`` calls to ``model.step()``."""
    out = []
    for _ in range(steps):
        t0 = time.perf_counter()
        model.step()
        out.append(time.perf_counter() - t0)
    return out


def _proc_status_bytes(key: str) -> int | None:
    """A ``kB`` field of ``/proc/self/status`` (``VmHWM``, ``VmRSS``) in bytes; None elsewhere."""
    try:
        with open("/proc/self/status", encoding="ascii") as f:
            for line in f:
                if line.startswith(key + ":"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return None


def _peak_rss_bytes() -> int:
    """Peak resident memory of this process (VmHWM, else ``ru_maxrss``, which Linux gives in kB)."""
    hwm = _proc_status_bytes("VmHWM")
    if hwm is not None:
        return hwm
    scale = 1 if sys.platform == "darwin" else 1024
    return int(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss) * scale


def _rss_bytes() -> int:
    rss = _proc_status_bytes("VmRSS")
    return rss if rss is not None else _peak_rss_bytes()


def machine() -> dict[str, Any]:
    """Description of this machine and the software versions that matter for the figures."""
    import mesa
    import networkx
    import pandas
    import scipy

    cpu = platform.processor() or platform.machine()
    ram = None
    try:
        with open("/proc/cpuinfo", encoding="utf-8", errors="replace") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
        with open("/proc/meminfo", encoding="ascii") as f:
            for line in f:
                if line.startswith("MemTotal:"):
                    ram = int(line.split()[1]) * 1024
                    break
    except OSError:
        pass
    try:
        usable = len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        usable = os.cpu_count()
    return {
        "cpu_model": cpu,
        "cores": os.cpu_count(),
        "cores_usable": usable,
        "ram_bytes": ram,
        "platform": platform.platform(),
        "python": platform.python_version(),
        "numpy": np.__version__,
        "mesa": mesa.__version__,
        "scipy": scipy.__version__,
        "networkx": networkx.__version__,
        "pandas": pandas.__version__,
        "load_average": list(os.getloadavg()),
    }


def code_digest() -> str:
    """Short SHA-256 of the ``sim`` package sources, to tell which code a result measured."""
    h = hashlib.sha256()
    for path in sorted((ROOT / "sim").rglob("*.py")):
        h.update(path.relative_to(ROOT).as_posix().encode())
        h.update(path.read_bytes())
    return h.hexdigest()[:12]


# ---------------------------------------------------------------------------- 1. vs Mesa
@contextmanager
def _virus_topological() -> Iterator[None]:
    """Build ``VirusOnNetwork`` without the spring layout its ``Network`` computes by default.

    ``mesa.discrete_space.Network`` runs ``networkx.spring_layout`` at construction (O(n^2), 5
    minutes at 10,000 nodes on a 2-core machine) only to give cells drawing positions; agents
    never use them, so stepping is unchanged and only the initialisation figure is affected.
    """
    import mesa.examples.basic.virus_on_network.model as virus_module

    original = virus_module.Network
    virus_module.Network = functools.partial(original, layout=None)
    try:
        yield
    finally:
        virus_module.Network = original


def _builders(n_agents: int, virus_layout: bool) -> dict[str, tuple[int, Callable[[int], Any]]]:
    """Model name -> (agent count, build(seed)) for the comparison at ``n_agents`` agents."""
    from mesa.examples import BoltzmannWealth, VirusOnNetwork
    from mesa.examples.basic.boltzmann_wealth_model.model import BoltzmannScenario

    from sim.model import OrgModel

    employees, customers = split_agents(n_agents)
    scenario = org_scenario(employees, customers)
    side = math.ceil(math.sqrt(n_agents))  # the example's default density: one agent per cell

    def virus(seed: int) -> Any:
        if virus_layout:
            return VirusOnNetwork(num_nodes=n_agents, rng=seed)
        with _virus_topological():
            return VirusOnNetwork(num_nodes=n_agents, rng=seed)

    return {
        "OrgModel": (
            employees + customers,
            lambda seed: OrgModel(scenario, rng=seed, counterfactual=False),
        ),
        "OrgModel + counterfactual twin": (
            employees + customers,
            lambda seed: OrgModel(scenario, rng=seed, counterfactual=True),
        ),
        "VirusOnNetwork": (n_agents, virus),
        "BoltzmannWealth": (
            n_agents,
            lambda seed: BoltzmannWealth(
                BoltzmannScenario(n=n_agents, width=side, height=side, rng=seed)
            ),
        ),
    }


def bench_vs_mesa(
    n_agents: int = 10_000,
    steps: int = 20,
    repeats: int = 5,
    *,
    warmup: int = 5,
    seed: int = 1,
    virus_layout: bool = False,
    progress: Progress | None = None,
) -> dict[str, Any]:
    """Cost per agent-step of ``OrgModel`` and of Mesa's examples at the same agent count.

    Each repetition builds every model afresh (seed ``seed + r``), times the construction, runs
    ``warmup`` untimed steps (past the CRM go-live in week 4; the epidemic under way) and then
    times ``steps`` steps. Models are interleaved within each repetition. Figures are medians over
    repetitions of the per-repetition mean step time.

    Args:
        n_agents: Agents per model (employees plus customers for ``OrgModel``).
        steps: Timed steps per repetition.
        repeats: Repetitions (fresh models) per model.
        warmup: Untimed steps after construction.
        seed: Base seed.
        virus_layout: Build ``VirusOnNetwork`` exactly as shipped, spring layout included
            (O(n^2) in initialisation only; off by default, see ``_virus_topological``).
        progress: Called with a short message before each model run.

    Returns:
        ``{"n_agents", "steps", "repeats", "warmup", "models": {name: {...}}, "ratio_vs_virus",
        "ratio_vs_boltzmann", "ratio_twin_vs_virus", "target", "met"}``.
    """
    builders = _builders(n_agents, virus_layout)
    # first construction of each class pays imports and caches; keep that out of the figures
    for build in _builders(200, False).values():
        build[1](seed).step()
    raw: dict[str, dict[str, list[float]]] = {k: {"init": [], "step": []} for k in builders}
    for r in range(repeats):
        for name, (_, build) in builders.items():
            if progress:
                progress(f"vs_mesa: {name}, repetition {r + 1}/{repeats}")
            gc.collect()
            t0 = time.perf_counter()
            model = build(seed + r)
            raw[name]["init"].append(time.perf_counter() - t0)
            for _ in range(warmup):
                model.step()
            raw[name]["step"].append(statistics.fmean(_time_steps(model, steps)))
            del model
    models = {}
    for name, (agents, _) in builders.items():
        step_s = _median(raw[name]["step"])
        models[name] = {
            "agents": agents,
            "init_s": _median(raw[name]["init"]),
            "step_s": step_s,
            "us_per_agent_step": step_s / agents * 1e6,
            "init_s_runs": raw[name]["init"],
            "step_s_runs": raw[name]["step"],
        }
    org = models["OrgModel"]["us_per_agent_step"]
    virus = models["VirusOnNetwork"]["us_per_agent_step"]
    for m in models.values():
        m["ratio_to_virus"] = m["us_per_agent_step"] / virus
    ratio = org / virus
    return {
        "n_agents": n_agents,
        "steps": steps,
        "repeats": repeats,
        "warmup": warmup,
        "virus_layout": virus_layout,
        "models": models,
        "ratio_vs_virus": ratio,
        "ratio_vs_boltzmann": org / models["BoltzmannWealth"]["us_per_agent_step"],
        "ratio_twin_vs_virus": models["OrgModel + counterfactual twin"]["ratio_to_virus"],
        "target": TARGETS["ratio_vs_virus"],
        "met": bool(ratio <= TARGETS["ratio_vs_virus"]),
    }


# ---------------------------------------------------------------------------- child processes
def metrics_row_replay(model: Any) -> dict[str, float]:
    """Build again, on the model's state after a step, its per-week metrics row.

    ``OrgModel.step()`` ends by appending ``model.metrics_row(week)``; calling the same method on
    the last week's values repeats exactly that work (it only reads the state), so it can be
    timed after each step against the step.

    Args:
        model: An ``OrgModel`` that has run at least one step.

    Returns:
        The same row the model recorded for its last week.
    """
    return model.metrics_row(model.last_week)


def _child_org_run(spec: dict[str, Any]) -> dict[str, Any]:
    """One organisation in this (fresh) process: init, weeks, optional row replay, memory."""
    from sim.model import OrgModel  # imports Mesa, pandas, scipy: not part of initialisation

    scenario = org_scenario(spec["employees"], spec["customers"])
    out: dict[str, Any] = {"rss_after_import_bytes": _rss_bytes()}
    t0 = time.perf_counter()
    model = OrgModel(scenario, rng=spec.get("seed", 1), counterfactual=False)
    out["init_s"] = time.perf_counter() - t0
    out["rss_after_init_bytes"] = _rss_bytes()
    out["peak_rss_after_init_bytes"] = _peak_rss_bytes()
    steps, rows = [], []
    for _ in range(spec["weeks"]):
        t0 = time.perf_counter()
        model.step()
        steps.append(time.perf_counter() - t0)
        if spec.get("replay"):
            t0 = time.perf_counter()
            metrics_row_replay(model)
            rows.append(time.perf_counter() - t0)
    t0 = time.perf_counter()
    table = model.results()
    out["results_s"] = time.perf_counter() - t0
    out["weeks_run"] = int(table.shape[0])
    out["step_s_each"] = steps
    out["row_s_each"] = rows
    out["customer_slots"] = int(model.state.cust.capacity)
    # counted without reading model.agents, which makes every agent
    out["mesa_agents_end"] = model.employees.materialised + model.customers.materialised
    out["peak_rss_bytes"] = _peak_rss_bytes()
    if spec.get("handles"):
        # what the lazy Mesa agents save: make k customer agents now and read one attribute
        # through each, as a user scripting agents would (after the peak above was taken)
        k = min(int(spec["handles"]), len(model.customers))
        gc.collect()
        rss0 = _rss_bytes()
        t0 = time.perf_counter()
        made = model.customers[:k]
        checksum = sum(a.satisfaction for a in made)
        out["handles_s"] = time.perf_counter() - t0
        out["handles_bytes"] = _rss_bytes() - rss0
        out["handles_n"] = k
        out["handles_checksum"] = checksum
        out["agents_end"] = int(model.state.emp.n) + len(model.customers)
    return out


def _child_scaling(spec: dict[str, Any]) -> dict[str, Any]:
    """Step times of organisations of several sizes, smallest first, in this process."""
    from sim.model import OrgModel

    # pay first-call costs (lazy imports, caches) before anything is timed
    OrgModel(org_scenario(*split_agents(220)), rng=0, counterfactual=False).step()
    sizes = []
    for n in spec["sizes"]:
        employees, customers = split_agents(n)
        scenario = org_scenario(employees, customers)
        gc.collect()
        t0 = time.perf_counter()
        model = OrgModel(scenario, rng=spec.get("seed", 1), counterfactual=False)
        init_s = time.perf_counter() - t0
        for _ in range(spec["warmup"]):
            model.step()
        each = _time_steps(model, spec["steps"])
        sizes.append(
            {
                "agents": employees + customers,
                "employees": employees,
                "customers": customers,
                "init_s": init_s,
                "step_s": _median(each),
                "step_s_each": each,
            }
        )
        del model
    return {"sizes": sizes}


_CHILD_TASKS: dict[str, Callable[[dict[str, Any]], dict[str, Any]]] = {
    "org_run": _child_org_run,
    "scaling": _child_scaling,
}


def _child_main() -> None:
    """Entry point of a benchmark subprocess: a JSON spec on stdin, a JSON line on stdout."""
    spec = json.loads(sys.stdin.read())
    result = _CHILD_TASKS[spec["task"]](spec)
    sys.stdout.write("\n" + json.dumps(result) + "\n")
    sys.stdout.flush()


def _run_child(spec: dict[str, Any], timeout: float | None = None) -> dict[str, Any]:
    """Run a task in a fresh interpreter so its memory is its own; return its result."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH")) if p)
    code = "from sim.benchmark import _child_main; _child_main()"
    t0 = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-c", code],
        input=json.dumps(spec),
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        timeout=timeout,
        check=False,
    )
    wall = time.perf_counter() - t0
    if proc.returncode != 0:
        raise RuntimeError(
            f"benchmark subprocess {spec['task']!r} failed ({proc.returncode}):\n{proc.stderr}"
        )
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    result["process_wall_s"] = wall
    return result


# ---------------------------------------------------------------------------- 2. scale
def bench_scale(
    employees: int = 100_000,
    customers: int = 1_000_000,
    weeks: int = 104,
    *,
    seed: int = 1,
    handles: int = 100_000,
    timeout: float | None = 3600,
) -> dict[str, Any]:
    """One organisation at scale, run for ``weeks`` in a fresh subprocess.

    Peak memory is the child's own high-water mark (``VmHWM`` in ``/proc/self/status``), so the
    parent's models and imports do not count; ``rss_after_import_bytes`` shows the interpreter and
    libraries alone.

    Args:
        employees: Employee positions.
        customers: Initial customers.
        weeks: Weeks to run.
        seed: Model seed.
        handles: After the run (and after peak memory is read), make this many customer Mesa
            agents and read an attribute through each: the cost the lazy handles avoid.
        timeout: Seconds before the subprocess is killed (``None``: no limit).

    Returns:
        Timings (``init_s``, ``steps_s``, ``step_s_median``, ``total_s`` = init + steps + building
        the results table), memory in bytes and GB, ``met`` against the targets, and the agent
        handle costs (``handles_*``, ``eager_agents_s``/``eager_agents_bytes``: what making every
        agent at start would have added, extrapolated from the handles made).
    """
    spec = {
        "task": "org_run",
        "employees": employees,
        "customers": customers,
        "weeks": weeks,
        "seed": seed,
        "handles": handles,
    }
    r = _run_child(spec, timeout)
    steps = r.pop("step_s_each")
    r.pop("row_s_each")
    total = r["init_s"] + sum(steps) + r["results_s"]
    peak_gb = r["peak_rss_bytes"] / GB
    return {
        "employees": employees,
        "customers": customers,
        "agents": employees + customers,
        "weeks": weeks,
        **r,
        "steps_s": sum(steps),
        "step_s_median": _median(steps),
        "step_s_first": steps[0] if steps else float("nan"),
        "step_s_max": max(steps) if steps else float("nan"),
        "us_per_agent_step": _median(steps) / (employees + customers) * 1e6,
        "total_s": total,
        "peak_rss_gb": peak_gb,
        "target_total_s": TARGETS["scale_total_s"],
        "target_peak_rss_gb": TARGETS["scale_peak_rss_gb"],
        "met_time": bool(total <= TARGETS["scale_total_s"]),
        "met_memory": bool(peak_gb <= TARGETS["scale_peak_rss_gb"]),
        **_eager_estimate(r),
    }


def _eager_estimate(r: dict[str, Any]) -> dict[str, Any]:
    """Per-agent cost of the handles made after a run, and that cost for every agent."""
    n = r.get("handles_n") or 0
    if not n:
        return {}
    return {
        "handle_us_each": r["handles_s"] / n * 1e6,
        "handle_bytes_each": r["handles_bytes"] / n,
        "eager_agents_s": r["handles_s"] / n * r["agents_end"],
        "eager_agents_bytes": r["handles_bytes"] / n * r["agents_end"],
    }


# ---------------------------------------------------------------------------- 3. scaling
def bench_scaling(
    sizes: Sequence[int] = (1_000, 10_000, 100_000, 1_000_000),
    steps: int = 10,
    *,
    warmup: int = 5,
    seed: int = 1,
    timeout: float | None = 3600,
) -> dict[str, Any]:
    """Median step time at several agent counts and the fitted log-log slope.

    All sizes run in one fresh subprocess, smallest first; each model is built, stepped
    ``warmup`` weeks untimed, then ``steps`` weeks timed. The slope is the least-squares fit of
    log(median step time) on log(agents); ``local_slopes`` are between neighbouring sizes (fixed
    per-step Python overhead flattens the small end, so the last one is the honest asymptote).

    Args:
        sizes: Agent counts (employees plus customers, 1:10).
        steps: Timed steps per size.
        warmup: Untimed steps per size.
        seed: Model seed.
        timeout: Seconds before the subprocess is killed.

    Returns:
        ``{"sizes": [...], "slope", "local_slopes", "target", "met"}``.
    """
    spec = {"task": "scaling", "sizes": list(sizes), "steps": steps, "warmup": warmup}
    r = _run_child({**spec, "seed": seed}, timeout)
    rows = r["sizes"]
    for row in rows:
        row["us_per_agent_step"] = row["step_s"] / row["agents"] * 1e6
    x = np.log([row["agents"] for row in rows])
    y = np.log([row["step_s"] for row in rows])
    slope = float(np.polyfit(x, y, 1)[0]) if len(rows) >= 2 else float("nan")
    local = [float((y[i + 1] - y[i]) / (x[i + 1] - x[i])) for i in range(len(rows) - 1)]
    return {
        "steps": steps,
        "warmup": warmup,
        "sizes": rows,
        "slope": slope,
        "local_slopes": local,
        "target": TARGETS["scaling_slope"],
        "met": bool(slope <= TARGETS["scaling_slope"]),
        "process_wall_s": r["process_wall_s"],
    }


# ---------------------------------------------------------------------------- 4. collection
def bench_collection(
    employees: int = 100_000,
    customers: int = 1_000_000,
    weeks: int = 26,
    *,
    seed: int = 1,
    timeout: float | None = 3600,
) -> dict[str, Any]:
    """Share of each step spent on the per-week metrics row, at scale, in a fresh subprocess.

    After every timed ``model.step()`` the child times ``metrics_row_replay(model)``, which
    repeats the row's work on the same arrays. The overhead is the median row time over the
    median step time (the step includes its own row, so this is the share of the step); building
    the results table at the end (``results_s``) is reported beside it as a share of all steps.

    Args:
        employees: Employee positions.
        customers: Initial customers.
        weeks: Weeks to run (past the CRM go-live in week 4 so adoption is switched on).
        seed: Model seed.
        timeout: Seconds before the subprocess is killed.

    Returns:
        ``{"row_s_median", "step_s_median", "share", "results_share", "target", "met", ...}``.
    """
    spec = {
        "task": "org_run",
        "employees": employees,
        "customers": customers,
        "weeks": weeks,
        "seed": seed,
        "replay": True,
    }
    r = _run_child(spec, timeout)
    steps, rows = r["step_s_each"], r["row_s_each"]
    share = _median(rows) / _median(steps)
    return {
        "employees": employees,
        "customers": customers,
        "weeks": weeks,
        "method": "replay of the row's metric functions after each step (metrics_row_replay)",
        "step_s_median": _median(steps),
        "row_s_median": _median(rows),
        "row_s_max": max(rows) if rows else float("nan"),
        "share": share,
        "share_total": sum(rows) / sum(steps),
        "results_s": r["results_s"],
        "results_share": r["results_s"] / sum(steps),
        "target": TARGETS["collection_share"],
        "met": bool(share < TARGETS["collection_share"]),
        "process_wall_s": r["process_wall_s"],
    }


# ---------------------------------------------------------------------------- profile
def profile_steps(
    employees: int = 100_000,
    customers: int = 1_000_000,
    weeks: int = 10,
    *,
    warmup: int = 5,
    top: int = 15,
    seed: int = 1,
) -> dict[str, Any]:
    """Profile initialisation and ``weeks`` steps with ``cProfile`` (in this process).

    Not part of ``run_all``: a guide to where the time goes, for optimisation work.

    Args:
        employees: Employee positions.
        customers: Initial customers.
        weeks: Profiled steps (after ``warmup`` unprofiled ones, past the CRM go-live).
        warmup: Unprofiled steps first.
        top: Functions to list per phase.
        seed: Model seed.

    Returns:
        ``{"init": [...], "steps": [...]}``: the ``top`` functions by cumulative time, each
        ``{"function", "calls", "tottime_s", "cumtime_s"}``.
    """
    import cProfile
    import pstats

    from sim.model import OrgModel

    def rows(prof: cProfile.Profile) -> list[dict[str, Any]]:
        st = pstats.Stats(prof)
        stats = st.stats  # type: ignore[attr-defined]
        items = sorted(stats.items(), key=lambda kv: kv[1][3], reverse=True)
        out = []
        for (file, line, fn), (_cc, nc, tt, ct, _callers) in items[:top]:
            short = file if file.startswith("~") else "/".join(Path(file).parts[-2:])
            out.append(
                {"function": f"{short}:{line}({fn})", "calls": nc, "tottime_s": tt, "cumtime_s": ct}
            )
        return out

    scenario = org_scenario(employees, customers)
    prof = cProfile.Profile()
    prof.enable()
    model = OrgModel(scenario, rng=seed, counterfactual=False)
    prof.disable()
    init = rows(prof)
    for _ in range(warmup):
        model.step()
    prof = cProfile.Profile()
    prof.enable()
    for _ in range(weeks):
        model.step()
    prof.disable()
    return {
        "employees": employees,
        "customers": customers,
        "weeks": weeks,
        "init": init,
        "steps": rows(prof),
    }


# ---------------------------------------------------------------------------- all of it
def run_all(size: str = "full", progress: Progress | None = None) -> dict[str, Any]:
    """Run the four benchmarks at ``size`` (``"full"`` or ``"tiny"``) and return plain data.

    Args:
        size: ``"full"`` for the issue's sizes (minutes), ``"tiny"`` for a smoke run (seconds).
        progress: Called with a short message as each part starts.

    Returns:
        ``{"size", "started", "machine", "vs_mesa", "scale", "scaling", "collection",
        "summary", "elapsed_s"}``; ``summary`` lists each target with its figure and ``met``.

    Raises:
        ValueError: for an unknown size.
    """
    if size not in SIZES:
        raise ValueError(f"size must be one of {sorted(SIZES)}, not {size!r}")
    p = SIZES[size]
    say = progress or (lambda _msg: None)
    t0 = time.perf_counter()
    result: dict[str, Any] = {
        "schema": 1,
        "size": size,
        "started": datetime.now().isoformat(timespec="seconds"),
        "machine": machine(),
        "code_digest": code_digest(),
    }
    say("vs_mesa: OrgModel against VirusOnNetwork and BoltzmannWealth")
    result["vs_mesa"] = bench_vs_mesa(**p["vs_mesa"], progress=progress)
    say("scale: one large organisation in a subprocess")
    result["scale"] = bench_scale(**p["scale"])
    say("scaling: step time at four sizes in a subprocess")
    result["scaling"] = bench_scaling(**p["scaling"])
    say("collection: metrics row against the step, in a subprocess")
    result["collection"] = bench_collection(**p["collection"])
    result["elapsed_s"] = time.perf_counter() - t0
    result["load_average_end"] = list(os.getloadavg())
    v, s, sc, c = (result[k] for k in ("vs_mesa", "scale", "scaling", "collection"))
    result["summary"] = [
        {
            "target": "cost per agent-step <= 1/20 of VirusOnNetwork",
            "figure": v["ratio_vs_virus"],
            "limit": TARGETS["ratio_vs_virus"],
            "met": v["met"],
        },
        {
            "target": "whole scale run <= 60 s",
            "figure": s["total_s"],
            "limit": TARGETS["scale_total_s"],
            "met": s["met_time"],
        },
        {
            "target": "scale run peak RSS <= 4 GB",
            "figure": s["peak_rss_gb"],
            "limit": TARGETS["scale_peak_rss_gb"],
            "met": s["met_memory"],
        },
        {
            "target": "log-log scaling slope <= 1.1",
            "figure": sc["slope"],
            "limit": TARGETS["scaling_slope"],
            "met": sc["met"],
        },
        {
            "target": "metrics row < 10% of the step",
            "figure": c["share"],
            "limit": TARGETS["collection_share"],
            "met": c["met"],
        },
    ]
    return result


# ---------------------------------------------------------------------------- output
def _f(x: float | None, digits: int = 3) -> str:
    if x is None or (isinstance(x, float) and not math.isfinite(x)):
        return "n/a"
    return f"{x:,.{digits}f}"


def _mb(b: float) -> str:
    return f"{b / 1024**2:,.0f} MB"


def format_table(result: dict[str, Any]) -> str:
    """Render a ``run_all`` result (or its JSON) as Markdown tables, one section per benchmark."""
    v, s, sc, c = (result[k] for k in ("vs_mesa", "scale", "scaling", "collection"))
    m = result["machine"]
    ram = f"{m['ram_bytes'] / GB:.0f} GB RAM" if m.get("ram_bytes") else "RAM unknown"
    out = [
        f"Benchmark ({result['size']}), {result['started']}: {m['cpu_model']}, "
        f"{m['cores']} cores, {ram}; Python {m['python']}, numpy {m['numpy']}, "
        f"Mesa {m['mesa']}; load average at start {m['load_average'][0]:.2f}",
        "",
        f"### 1. Cost per agent-step at {v['n_agents']:,} agents "
        f"(median of {v['repeats']} runs x {v['steps']} steps after {v['warmup']} warm-up)",
        "",
        "| model | agents | init (s) | step (ms) | us per agent-step | / VirusOnNetwork |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for name, row in v["models"].items():
        out.append(
            f"| {name} | {row['agents']:,} | {_f(row['init_s'], 2)} | "
            f"{_f(row['step_s'] * 1e3, 2)} | {_f(row['us_per_agent_step'], 3)} | "
            f"{_f(row['ratio_to_virus'], 3)} |"
        )
    out += [
        "",
        f"OrgModel / VirusOnNetwork = {_f(v['ratio_vs_virus'], 3)} (target <= "
        f"{_f(v['target'], 3)}: {'met' if v['met'] else 'MISSED'}); OrgModel / BoltzmannWealth"
        f" = {_f(v['ratio_vs_boltzmann'], 3)}.",
        "",
        f"### 2. Scale: {s['employees']:,} employees, {s['customers']:,} customers, "
        f"{s['weeks']} weeks (fresh subprocess)",
        "",
        "| figure | value |",
        "|---|---:|",
        f"| initialisation | {_f(s['init_s'], 2)} s |",
        f"| all steps | {_f(s['steps_s'], 2)} s |",
        f"| step, median (first, max) | {_f(s['step_s_median'], 3)} s "
        f"({_f(s['step_s_first'], 3)}, {_f(s['step_s_max'], 3)}) |",
        f"| us per agent-step | {_f(s['us_per_agent_step'], 3)} |",
        f"| results table | {_f(s['results_s'], 3)} s |",
        f"| whole run (init + steps + table) | {_f(s['total_s'], 2)} s |",
        f"| RSS after imports / after init | {_mb(s['rss_after_import_bytes'])} / "
        f"{_mb(s['rss_after_init_bytes'])} |",
        f"| peak RSS | {_mb(s['peak_rss_bytes'])} ({_f(s['peak_rss_gb'], 2)} GB) |",
        *_handle_rows(s),
        "",
        f"Whole run <= {_f(s['target_total_s'], 0)} s: {'met' if s['met_time'] else 'MISSED'}; "
        f"peak RSS <= {_f(s['target_peak_rss_gb'], 0)} GB: "
        f"{'met' if s['met_memory'] else 'MISSED'}.",
        "",
        f"### 3. Scaling (median of {sc['steps']} steps after {sc['warmup']} warm-up)",
        "",
        "| agents | employees | customers | init (s) | step (ms) | us per agent-step |",
        "|---:|---:|---:|---:|---:|---:|",
    ]
    for row in sc["sizes"]:
        out.append(
            f"| {row['agents']:,} | {row['employees']:,} | {row['customers']:,} | "
            f"{_f(row['init_s'], 2)} | {_f(row['step_s'] * 1e3, 2)} | "
            f"{_f(row['us_per_agent_step'], 3)} |"
        )
    local = ", ".join(_f(x, 2) for x in sc["local_slopes"])
    out += [
        "",
        f"Fitted log-log slope {_f(sc['slope'], 3)} (target <= {_f(sc['target'], 1)}: "
        f"{'met' if sc['met'] else 'MISSED'}); between neighbouring sizes: {local}.",
        "",
        f"### 4. Data collection at {c['employees']:,} employees, {c['customers']:,} customers "
        f"({c['weeks']} weeks)",
        "",
        "| figure | value |",
        "|---|---:|",
        f"| step, median | {_f(c['step_s_median'] * 1e3, 2)} ms |",
        f"| metrics row, median (max) | {_f(c['row_s_median'] * 1e3, 2)} ms "
        f"({_f(c['row_s_max'] * 1e3, 2)} ms) |",
        f"| row / step | {_f(c['share'] * 100, 2)}% |",
        f"| results table once / all steps | {_f(c['results_share'] * 100, 3)}% |",
        "",
        f"Metrics row < {_f(c['target'] * 100, 0)}% of the step: "
        f"{'met' if c['met'] else 'MISSED'}.",
        "",
        "### Targets",
        "",
        "| target | figure | met |",
        "|---|---:|---|",
    ]
    for row in result["summary"]:
        out.append(
            f"| {row['target']} | {_f(row['figure'], 3)} | {'yes' if row['met'] else 'NO'} |"
        )
    out += ["", f"Benchmark wall time {_f(result['elapsed_s'], 1)} s."]
    return "\n".join(out)


def _handle_rows(s: dict[str, Any]) -> list[str]:
    if not s.get("handles_n"):
        return []
    return [
        f"| Mesa agents made during the run | {s['mesa_agents_end']:,} (made when first touched) |",
        f"| making {s['handles_n']:,} customer agents after the run | "
        f"{_f(s['handles_s'], 2)} s, {_mb(s['handles_bytes'])} "
        f"({_f(s['handle_us_each'], 2)} us, {_f(s['handle_bytes_each'], 0)} bytes each) |",
        f"| every one of the {s['agents_end']:,} agents made eagerly would add | "
        f"{_f(s['eager_agents_s'], 1)} s, {_mb(s['eager_agents_bytes'])} |",
    ]


def _plain(x: Any) -> Any:
    """JSON-safe copy: non-finite floats become None, tuples lists, numpy scalars Python ones."""
    if isinstance(x, dict):
        return {str(k): _plain(v) for k, v in x.items()}
    if isinstance(x, list | tuple):
        return [_plain(v) for v in x]
    if isinstance(x, np.generic):
        x = x.item()
    if isinstance(x, float) and not math.isfinite(x):
        return None
    return x


def default_path(when: datetime | None = None) -> Path:
    """``benchmarks/results/bench-<date and time>.json`` in the repository."""
    stamp = (when or datetime.now()).strftime("%Y%m%d-%H%M%S")
    return RESULTS_DIR / f"bench-{stamp}.json"


def write_json(result: dict[str, Any], path: str | os.PathLike[str] | None = None) -> Path:
    """Write ``result`` as JSON atomically (temporary file, then ``os.replace``).

    Args:
        result: A ``run_all`` result.
        path: Destination; default ``default_path()``. Parent folders are created.

    Returns:
        The path written.
    """
    dest = Path(path) if path is not None else default_path()
    dest.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{dest.name}.", suffix=".tmp", dir=dest.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump(_plain(result), f, indent=2, allow_nan=False)
            f.write("\n")
        os.replace(tmp, dest)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return dest


# ---------------------------------------------------------------------------- command line
def add_arguments(parser: argparse.ArgumentParser) -> argparse.ArgumentParser:
    """Add ``--size`` and ``--out`` to ``parser`` (for ``run.py bench`` and the script)."""
    parser.add_argument(
        "--size",
        choices=sorted(SIZES),
        default="full",
        help="full: the issue's sizes (several minutes); tiny: a smoke run (seconds)",
    )
    parser.add_argument(
        "--out",
        type=Path,
        default=None,
        help="JSON file to write (default benchmarks/results/bench-<date>.json)",
    )
    return parser


def run_cli(args: argparse.Namespace) -> int:
    """Run the benchmarks for parsed ``args``, print the table, write the JSON; exit code."""

    def progress(msg: str) -> None:
        print(f"[bench] {msg}", file=sys.stderr, flush=True)

    result = run_all(args.size, progress=progress)
    dest = write_json(result, args.out)
    print(format_table(result))
    print(f"\nwrote {dest}")
    return 0


def main(argv: list[str] | None = None) -> int:
    """``python benchmarks/bench.py [--size tiny|full] [--out FILE]``."""
    parser = add_arguments(
        argparse.ArgumentParser(
            prog="bench", description="Benchmark OrgModel against Mesa's examples and at scale."
        )
    )
    return run_cli(parser.parse_args(argv))
