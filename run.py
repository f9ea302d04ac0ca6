"""Command line: parse, load, call into ``sim``, print. No model logic here.

    python run.py                       the main job: compare the key presets over replicates
    python run.py run SCENARIO [...]    one run, per-week table
    python run.py compare A B [...]     several designs on common random numbers
    python run.py presets               list the built-in presets
    python run.py params [SCENARIO]     every parameter: value, range, unit, source, help
    python run.py sweep EXPERIMENT      a sweep over design points and replicates (resumable)
    python run.py summarize DIR         CIs, paired differences and sensitivity of a sweep
    python run.py rerun DIR --run-id N [--out FILE]
                                        rebuild one run of a sweep from its folder alone
    python run.py evidence [--only oat,sobol,stationarity,capacity,centola,knockouts,utaut]
                           [--quick]
                                        regenerate the model-evidence sections of
                                        docs/VALIDATION.md in place
    python run.py report --current C.toml --proposed P.toml --out report.html
                                        an org design tested: a self-contained HTML report
    python run.py calibrate SCENARIO --observed FILE --out DIR
                                        fit the uncertain parameters to your own figures
    python run.py app [--host H] [--port P] [--scenario FILE ...]
                                        the trainer's browser app (http://127.0.0.1:8765/),
                                        offering these scenario files beside the presets

Exit codes: 0 ok; 2 bad input (one line on stderr, nothing written); 3 finished with failed runs
(a sweep whose runs failed, after recording every run; ``summarize`` of such a sweep, after
writing the summary of the runs that succeeded, or with nothing written when none did; the errors
are in the ``error`` column of ``runs/`` and ``--resume`` runs the failed runs again); 130/143
interrupted by Ctrl-C/SIGTERM; 1 anything else.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from sim.errors import EXIT_FAILED_RUNS, RunsFailed
from sim.errors import InputError as BadInput
from sim.outpaths import Output, check_outputs, scenario_inputs

#: Largest --weeks (the scenario schema's largest horizon_weeks).
MAX_WEEKS = 5200


class _Parser(argparse.ArgumentParser):
    """argparse with one-line errors: ``error: run.py sweep: argument ...`` and exit code 2."""

    def error(self, message: str) -> None:  # type: ignore[override]
        msg = " ".join(message.split())
        print(f"error: {self.prog}: {msg} (see {self.prog} --help)", file=sys.stderr)
        sys.exit(2)


def _whole(lo: int, hi: int | None = None):
    """An argparse type: a whole number in lo..hi (hi None: no upper end), with a clear error."""
    want = f">= {lo}" if hi is None else f"in {lo}..{hi}"

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(
                f"invalid int value: {text!r}; expected a whole number {want}"
            ) from None
        if value < lo or (hi is not None and value > hi):
            raise argparse.ArgumentTypeError(f"must be {want} (got {value})")
        return value

    parse.__name__ = "int"
    return parse


SEED = _whole(0)
COUNT = _whole(1)


def _check_out_file(out: Path | None, flag: str = "--out") -> None:
    """Refuse an output file path that cannot be written, before any work is done.

    Missing parent folders are fine (they are created); a path that is a folder, or whose
    parent is a file or not writable, is not. (Inputs are checked by each command with
    :func:`sim.outpaths.check_outputs` once it knows them.)
    """
    if out is not None:
        check_outputs([Output(out, flag)])


def _check_out_folder(out: Path | None, flag: str = "--out") -> None:
    """Refuse an output folder path that is a file or cannot be created."""
    if out is not None:
        check_outputs([Output(out, flag, kind="folder")])


def _add_set(parser: argparse.ArgumentParser, help_text: str) -> None:
    """The repeatable ``--set KEY=VALUE`` option of run, compare and report."""
    parser.add_argument(
        "--set", dest="overrides", action="append", default=[], metavar="KEY=VALUE", help=help_text
    )


def _parser() -> argparse.ArgumentParser:
    p = _Parser(
        prog="run.py",
        description="Simulate how organisation design and culture shape CRM adoption, "
        "customers, people and the business case.",
        epilog="Exit codes: 0 ok; 2 bad input (one line on stderr, nothing written); "
        f"{EXIT_FAILED_RUNS} finished with failed runs (sweep, summarize: the errors are in the "
        "error column of runs/, sweep --resume runs them again); 130/143 interrupted "
        "(Ctrl-C/SIGTERM); 1 anything else.",
    )
    sub = p.add_subparsers(dest="cmd")
    r = sub.add_parser("run", help="run one scenario and write its per-week table")
    r.add_argument("scenario", help="preset name or path to a scenario TOML file")
    r.add_argument(
        "--seed",
        type=SEED,
        default=None,
        help="random seed (default: the scenario's [run] seed, else 1)",
    )
    r.add_argument(
        "--weeks", type=_whole(1, MAX_WEEKS), help="weeks to run (default: the scenario's horizon)"
    )
    _add_set(r, "override a scenario field, e.g. --set culture.psychological_safety=0.8")
    r.add_argument("--out", type=Path, help="write the per-week table here (.csv or .parquet)")
    c = sub.add_parser("compare", help="compare designs over replicates on common random numbers")
    c.add_argument("scenarios", nargs="+", help="preset names or scenario files")
    c.add_argument("--replicates", type=COUNT, default=10)
    c.add_argument("--seed", type=SEED, default=2026, help="root seed of the replicates")
    _add_set(c, "override a field in every scenario")
    c.add_argument("--out", type=Path, help="results folder (default: results/compare-<time>)")
    c.add_argument("--workers", type=COUNT, default=os.cpu_count() or 1)
    sub.add_parser("presets", help="list the built-in presets with their descriptions")
    pa = sub.add_parser("params", help="every parameter: value, range, unit, source and help")
    pa.add_argument(
        "scenario", nargs="?", help="preset name or scenario TOML file (default: schema defaults)"
    )
    from sim.parameters import FORMATS

    pa.add_argument(
        "--format",
        choices=FORMATS,
        help="output format (default: from --out's suffix, .csv or .md, else table)",
    )
    pa.add_argument("--out", type=Path, help="write the list to this file instead of printing it")
    v = sub.add_parser("validate", help="check the mechanisms against published models")
    v.add_argument("names", nargs="*", help="march1991, bass, granovetter (default: all)")
    v.add_argument("--size", choices=("full", "ci"), default="full")
    v.add_argument("--seed", type=SEED, default=1991)
    from sim.benchmark import add_arguments as add_bench_arguments

    add_bench_arguments(sub.add_parser("bench", help="speed and memory benchmarks (table, JSON)"))
    sw = sub.add_parser("sweep", help="run an experiment file: design points x replicates")
    sw.add_argument("experiment", type=Path, help="experiment TOML file (see experiments/)")
    sw.add_argument("--out", type=Path, help="results folder (default: results/<experiment>)")
    sw.add_argument("--workers", type=COUNT, default=os.cpu_count() or 1)
    sw.add_argument("--dask", metavar="local|ADDRESS", help="run on Dask: local or tcp://host:port")
    sw.add_argument("--resume", action="store_true", help="finish an interrupted sweep")
    sw.add_argument("--chunk-runs", type=COUNT, default=50, help="runs per results file (50)")
    sm = sub.add_parser("summarize", help="statistics, paired differences, sensitivity of a sweep")
    sm.add_argument("folder", type=Path, help="a sweep results folder")
    sm.add_argument("--baseline", help="design point number or key=value,... (default: file's)")
    sm.add_argument("--no-plots", action="store_true", help="skip the PNG plots")
    rr = sub.add_parser("rerun", help="rebuild one run of a sweep from its results folder alone")
    rr.add_argument("folder", type=Path, help="a sweep results folder")
    rr.add_argument("--run-id", type=SEED, required=True, help="the run (see runs/, run_id)")
    rr.add_argument("--out", type=Path, help="write the run's weekly rows (.csv or .parquet)")
    dv = sub.add_parser("discover", help="scenario discovery (PRIM) over a sweep's results")
    dv.add_argument("folder", type=Path, help="a sweep results folder")
    dv.add_argument("--outcome", required=True, help="a headline outcome, e.g. annual_churn")
    dv.add_argument("--where", required=True, help="the cases of interest, e.g. '> 0.15'")
    dv.add_argument("--min-density", type=float, default=0.8, help="box density to reach (0.8)")
    dv.add_argument("--boxes", type=COUNT, default=1, help="boxes to look for (1)")
    dv.add_argument("--out", type=Path, help="CSV and PNG path stem (default: in the folder)")
    dv.add_argument("--no-plots", action="store_true", help="skip the PNG")
    ev = sub.add_parser("evidence", help="regenerate the model-evidence sections of VALIDATION.md")
    ev.add_argument(
        "--only",
        help="comma list of sections: oat, sobol, stationarity, capacity, centola, knockouts "
        "(default all)",
    )
    ev.add_argument("--quick", action="store_true", help="small sizes (the test's)")
    ev.add_argument("--workers", type=COUNT, default=os.cpu_count() or 1)
    ev.add_argument("--seed", type=SEED, help="root seed of every section (default: each its own)")
    ev.add_argument(
        "--doc", type=Path, default=Path("docs/VALIDATION.md"), help="the document to update"
    )
    rp = sub.add_parser("report", help="current vs proposed design: a self-contained HTML report")
    rp.add_argument("--current", type=Path, required=True, help="current design (TOML)")
    rp.add_argument("--proposed", type=Path, required=True, help="proposed design (TOML)")
    rp.add_argument("--replicates", type=COUNT, default=6)
    rp.add_argument("--seed", type=SEED, default=2026)
    rp.add_argument("--workers", type=COUNT, default=os.cpu_count() or 1)
    _add_set(rp, "override a field in both designs")
    rp.add_argument(
        "--screen-trajectories",
        type=COUNT,
        default=4,
        help="Morris trajectories of the assumption screen (>= 2; default 4)",
    )
    rp.add_argument("--out", type=Path, required=True, help="the HTML file to write")
    cb = sub.add_parser(
        "calibrate", help="fit the uncertain parameters to your organisation's own figures"
    )
    cb.add_argument("scenario", help="the current organisation: preset name or scenario file")
    cb.add_argument(
        "--observed", type=Path, required=True, help="observed figures (TOML, [targets.NAME])"
    )
    cb.add_argument(
        "--parameters",
        nargs="+",
        metavar="P",
        help="dotted parameters to fit (default: every parameter flagged uncertain)",
    )
    cb.add_argument("--budget", type=COUNT, default=1200, help="most model runs in all (1200)")
    cb.add_argument(
        "--screen",
        type=_whole(0),
        default=None,
        metavar="N",
        help="without --parameters: run N prior points first and fit only the parameters whose "
        "rank correlation with a target passes (Holm, 5%%; default a fifth of --budget, run in "
        "addition to it); 0 fits every flagged parameter",
    )
    cb.add_argument(
        "--others",
        choices=("held", "drawn"),
        default="held",
        help="after the screen, the flagged parameters it leaves out: held at the scenario's "
        "values (default; the fit is conditional on them, the report's assumption draws vary "
        "them) or drawn from their priors in every run (the fit averages over them)",
    )
    cb.add_argument(
        "--population", type=_whole(5), default=100, help="particles per generation (100)"
    )
    cb.add_argument("--generations", type=COUNT, default=6, help="most ABC-SMC generations (6)")
    cb.add_argument(
        "--predictive", type=_whole(5), default=40, help="posterior predictive runs for fit.csv"
    )
    cb.add_argument("--workers", type=COUNT, default=os.cpu_count() or 1)
    cb.add_argument("--dask", metavar="local|ADDRESS", help="run on Dask: local or tcp://host:port")
    cb.add_argument("--seed", type=SEED, default=2026, help="calibration seed (2026)")
    cb.add_argument("--resume", action="store_true", help="continue an interrupted calibration")
    cb.add_argument("--out", type=Path, required=True, help="results folder")
    ch = sub.add_parser("chart", help="preview an org-chart import (no model is run)")
    ch.add_argument("file", type=Path, help="org chart CSV, or an HR export with --map")
    ch.add_argument("--map", type=Path, default=None, help="mapping file (TOML) for an HR export")
    ch.add_argument("--out", type=Path, default=None, help="write the normalised chart (CSV)")
    ap = sub.add_parser("app", help="the trainer's browser app")
    ap.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    ap.add_argument("--port", type=_whole(1, 65535), default=8765)
    ap.add_argument(
        "--scenario",
        action="append",
        default=[],
        metavar="FILE",
        help="a scenario file (e.g. a calibrated.toml) to offer beside the presets, under its "
        "scenario name; repeat for several",
    )
    return p


def _load(names: list[str], overrides: list[str]):
    from sim.design import resolve_inputs
    from sim.inputs import load_scenario
    from sim.scenario import parse_override

    pairs = dict(parse_override(o) for o in overrides)
    out = {}
    for name in names:
        s = load_scenario(name)
        if pairs:  # a --set org chart or customer file is read here, before any model
            s = resolve_inputs(s.with_overrides(pairs, source="--set"))
        key = s.name if s.name not in out else f"{s.name}#{len(out)}"
        out[key] = s
    return out


def _changes_path(out: Path) -> Path:
    """Where ``run --out`` writes the interventions table: ``<stem>_interventions<suffix>``."""
    return out.with_name(f"{out.stem}_interventions{out.suffix}")


def _check_not_an_input(args: argparse.Namespace, scenario) -> None:
    """Refuse a ``run --out`` that would overwrite a file the run reads, before any work.

    The inputs are the scenario file, its base files, org chart and customer file (also those
    given with --set); the outputs are the per-week table and, for a scenario with
    ``[[interventions]]``, its companion ``<stem>_interventions`` table.
    """
    if args.out is None:
        return
    outputs = [Output(args.out)]
    if scenario.interventions:
        outputs.append(
            Output(_changes_path(args.out), what="the interventions table", given=args.out)
        )
    check_outputs(outputs, scenario_inputs(args.scenario, scenario))


def cmd_run(args: argparse.Namespace) -> int:
    if args.out is not None and args.out.suffix not in (".csv", ".parquet"):
        raise BadInput(f"--out {args.out}: expected a .csv or .parquet file name")
    _check_out_file(args.out)
    (scenario,) = _load([args.scenario], args.overrides).values()
    _check_not_an_input(args, scenario)
    if args.weeks is not None and args.weeks > scenario.horizon_weeks:
        # past the horizon the model adds customer slots (sim.state.grow_customers): the size
        # guard counts them for the weeks that will actually run
        from sim import sizing

        sizing.check_fits(scenario.with_overrides({"horizon_weeks": args.weeks}))
    # the model's imports take a second or two: bad input is refused before them
    from sim import OrgModel
    from sim.experiment import headline
    from sim.outputs import print_table, write_table

    seed = args.seed if args.seed is not None else (scenario.run.seed if scenario.run else 1)
    model = OrgModel(scenario, rng=seed)
    df = model.run(steps=args.weeks)
    print(f"{scenario.name}: {len(df)} weeks, seed {seed}")
    print_table({k: [v] for k, v in headline(df).items()}, ["value"])
    if args.out:
        write_table(df.reset_index(), args.out)
        print(f"per-week table written to {args.out}")
    if model.interventions:  # only a scenario with [[interventions]] prints or writes these
        changes = model.interventions_table()
        print("changes during the run (week they take effect, field, old -> new):")
        for week, field, old, value in changes.itertuples(index=False):
            print(f"  week {week}: {field} {old!r} -> {value!r}")
        if args.out:
            path = _changes_path(args.out)
            # old/new mix numbers, flags and step lists: text keeps one column type
            write_table(changes.astype({"old": str, "new": str}), path)
            print(f"changes written to {path}")
    return 0


def cmd_compare(args: argparse.Namespace) -> int:
    from sim.outputs import compare_and_save

    _check_out_folder(args.out)
    scenarios = _load(args.scenarios, args.overrides)
    inputs = [
        f for name, s in zip(args.scenarios, scenarios.values()) for f in scenario_inputs(name, s)
    ]
    compare_and_save(scenarios, args.replicates, args.seed, args.workers, args.out, inputs=inputs)
    return 0


def cmd_main_job() -> int:
    """``python run.py``: the comparison defined in experiments/main_job.toml."""
    from sim.experiment import EXPERIMENT_DIR, load_comparison
    from sim.outputs import compare_and_save

    path = EXPERIMENT_DIR / "main_job.toml"
    comp = load_comparison(path)
    designs = comp.load_designs(path.parent)
    inputs = [path]
    for ref, s in zip(comp.scenarios, designs.values()):
        inputs += scenario_inputs(path.parent / ref if ref.endswith(".toml") else ref, s)
    compare_and_save(
        designs,
        comp.replicates,
        comp.root_seed,
        os.cpu_count() or 1,
        None,
        baseline=comp.baseline,
        inputs=inputs,
    )
    return 0


def cmd_presets(_: argparse.Namespace) -> int:
    from sim.inputs import load_scenario
    from sim.scenario import preset_names

    for name in preset_names():
        s = load_scenario(name)
        print(f"{name} ({s.organisation.structure}, {s.organisation.employees} people)")
        print("   " + " ".join(s.description.split()))
    return 0


def cmd_params(args: argparse.Namespace) -> int:
    from sim.parameters import params_command

    _check_out_file(args.out)
    sys.stdout.write(params_command(args.scenario, args.format, args.out))
    return 0


def cmd_validate(args: argparse.Namespace) -> int:
    """Table of published value vs ours per check; exit 1 if any check fails."""
    from sim.validation import format_table, run_checks

    table = run_checks(args.names or None, size=args.size, seed=args.seed)
    print(format_table(table))
    return 0 if table["passed"].astype(bool).all() else 1


def cmd_bench(args: argparse.Namespace) -> int:
    from sim.benchmark import run_cli

    _check_out_file(args.out)
    return run_cli(args)


def _resume_command(args: argparse.Namespace, out: Path) -> str:
    """The command that finishes an interrupted sweep (the same options, plus --resume)."""
    import shlex

    cmd = ["python", "run.py", "sweep", str(args.experiment), "--out", str(out)]
    if args.dask is not None:
        cmd += ["--dask", args.dask]
    if args.workers != (os.cpu_count() or 1):
        cmd += ["--workers", str(args.workers)]
    if args.chunk_runs != 50:
        cmd += ["--chunk-runs", str(args.chunk_runs)]
    return shlex.join([*cmd, "--resume"])


def cmd_sweep(args: argparse.Namespace) -> int:
    from sim.sweep.runner import SweepInterrupted, plan_experiment, run_sweep, sweep_output

    if args.dask is not None and not args.dask.strip():
        raise BadInput("--dask: give 'local' or a scheduler address such as tcp://host:8786")
    if args.out is not None:  # written into, not replaced: a mount point is fine
        check_outputs([Output(args.out, kind="folder", replaced=False)])
    plan = plan_experiment(args.experiment)
    out = args.out or Path("results") / plan.exp.spec.name
    check_outputs([sweep_output(out, args.resume)], [Path(f) for f in plan.inputs])
    try:
        rep = run_sweep(
            plan,
            out,
            workers=args.workers,
            dask=args.dask,
            resume=args.resume,
            chunk_runs=args.chunk_runs,
        )
    except SweepInterrupted as e:
        print(
            f"interrupted: {e.finished} of {e.runs_total} runs saved in {out}; "
            f"finish with: {_resume_command(args, out)}",
            file=sys.stderr,
        )
        return 128 + e.signum  # the shell's convention: 130 for Ctrl-C, 143 for SIGTERM
    rate = (
        f" in {rep.elapsed_s:.0f} s ({rep.runs_per_minute:.0f} runs/min on {rep.workers} "
        f"worker{'s' if rep.workers > 1 else ''}, {rep.executor})"
        if rep.ran
        else ""
    )
    print(f"{rep.ran} runs{rate}; {rep.finished_total} of {rep.runs_total} recorded in {out}/")
    if rep.failed_total:
        n = rep.failed_total
        print(f"{n} run{'s' if n > 1 else ''} failed; the errors are in the error column of runs/")
    print(f"next: python run.py summarize {out}")
    if not rep.complete:
        return 1
    if rep.failed_total:
        n = rep.failed_total
        raise RunsFailed(
            f"finished with {n} failed run{'s' if n > 1 else ''} of {rep.runs_total} "
            f"(errors in the error column of {out}/runs); run them again with: "
            f"{_resume_command(args, out)}",
            n,
            rep.runs_total,
        )
    return 0


def _check_results_folder(folder: Path) -> None:
    """Refuse (exit 2) a ``summarize`` or ``discover`` folder that is missing or not a folder."""
    if not folder.exists():
        raise BadInput(
            f"{folder}: no such folder; expected a sweep results folder "
            "(made by python run.py sweep)"
        )
    if not folder.is_dir():
        raise BadInput(f"{folder}: is a file; expected a sweep results folder")


def cmd_summarize(args: argparse.Namespace) -> int:
    from sim.sweep.analysis import format_summary, summarize

    _check_results_folder(args.folder)
    # summary/ is assembled under a temporary name in the folder and renamed into place
    check_outputs([Output(args.folder / "summary", "summarize", kind="folder")])
    s = summarize(args.folder, args.baseline, plots=not args.no_plots)
    print(format_summary(s))
    if s.failed:
        raise RunsFailed(
            f"{s.failed} of {s.finished} recorded runs failed and are left out of the summary; "
            f"run them again with: python run.py sweep {s.experiment} --out {args.folder} --resume",
            s.failed,
            s.finished,
        )
    return 0


def cmd_rerun(args: argparse.Namespace) -> int:
    if args.out is not None and args.out.suffix not in (".csv", ".parquet"):
        raise BadInput(f"--out {args.out}: expected a .csv or .parquet file name")
    if args.folder.is_file():
        raise BadInput(f"{args.folder}: is a file; expected a sweep results folder")
    if not args.folder.is_dir():
        raise BadInput(
            f"{args.folder}: no such folder; expected a sweep results folder "
            "(made by python run.py sweep)"
        )
    if args.out is not None:  # never into the folder it reads (results, copies, manifest)
        check_outputs([Output(args.out)], [p for p in args.folder.rglob("*") if p.is_file()])
    from sim.outputs import print_table, write_table
    from sim.sweep.bundle import rerun

    r = rerun(args.folder, args.run_id)
    if r.run["status"] != "ok":
        raise BadInput(f"run {args.run_id} failed again: {r.run['error']}")
    print(
        f"run {r.run_id} (design point {r.run['point']}, replicate {r.run['replicate']}, "
        f"seed {r.run['seed']}) rebuilt from {args.folder}"
    )
    outcomes = {k: [r.run[k]] for k in r.run if k in _outcome_columns(args.folder)}
    print_table(outcomes, ["value"])
    if args.out:
        write_table(r.weekly, args.out)
        print(f"weekly rows written to {args.out}")
    if r.matches is None:
        print("not compared: the folder records no successful run with this id")
        return 0
    if not r.matches:
        print(f"error: differs from the stored rows: {r.difference}", file=sys.stderr)
        return 1
    print(f"identical to the stored rows ({len(r.weekly)} weekly rows and the headline outcomes)")
    return 0


def _outcome_columns(folder: Path) -> list[str]:
    from sim.sweep.store import read_manifest

    return list(read_manifest(folder)["outcomes"])


def cmd_discover(args: argparse.Namespace) -> int:
    from sim.sweep.discover import discover, format_discovery

    _check_results_folder(args.folder)
    _check_out_file(args.out)
    try:
        found = discover(
            args.folder,
            args.outcome,
            args.where,
            min_density=args.min_density,
            boxes=args.boxes,
            out=args.out,
            plots=not args.no_plots,
        )
    except ImportError as e:
        raise BadInput(str(e)) from None
    print(format_discovery(found))
    return 0


def cmd_evidence(args: argparse.Namespace) -> int:
    from sim.evidence import parse_only, regenerate

    if args.workers < 1:
        raise BadInput(f"--workers must be at least 1 (got {args.workers})")
    if not args.doc.is_file():
        raise BadInput(f"--doc {args.doc}: no such file")
    # rewritten in place (it is the one input it replaces), through a temporary file beside it
    check_outputs([Output(args.doc, "--doc")])
    regenerate(
        parse_only(args.only), quick=args.quick, workers=args.workers, seed=args.seed, doc=args.doc
    )
    print(f"sections written in {args.doc}")
    return 0


def cmd_report(args: argparse.Namespace) -> int:
    from sim.report import report_command
    from sim.scenario import parse_override

    _check_out_file(args.out)
    report_command(
        args.current,
        args.proposed,
        args.out,
        replicates=args.replicates,
        seed=args.seed,
        workers=max(args.workers, 1),
        overrides=dict(parse_override(o) for o in args.overrides),
        command=" ".join(sys.argv),
        screen_trajectories=args.screen_trajectories,
    )
    return 0


def _calibrate_command(args: argparse.Namespace, resume: bool) -> str:
    """The command line that runs (or, with ``resume``, continues) this calibration."""
    import shlex

    cmd = ["python", "run.py", "calibrate", str(args.scenario), "--observed", str(args.observed)]
    if args.parameters:
        cmd += ["--parameters", *args.parameters]
    elif getattr(args, "screen", None) is not None:
        cmd += ["--screen", str(args.screen)]
    if not args.parameters and getattr(args, "others", "held") != "held":
        cmd += ["--others", args.others]
    for flag, value, default in (
        ("--budget", args.budget, 1200),
        ("--population", args.population, 100),
        ("--generations", args.generations, 6),
        ("--predictive", args.predictive, 40),
        ("--seed", args.seed, 2026),
    ):
        if value != default:
            cmd += [flag, str(value)]
    if args.dask is not None:
        cmd += ["--dask", args.dask]
    elif args.workers != (os.cpu_count() or 1):
        cmd += ["--workers", str(args.workers)]
    return shlex.join([*cmd, "--out", str(args.out), *(["--resume"] if resume else [])])


def _screened(
    args: argparse.Namespace, scenario: object, observed: object, n: int
) -> tuple[list[str], list[str], float | None]:
    """The default fit's screen: (parameters to fit, the flagged parameters it leaves out, the
    fit's first tolerance from the screen's distances, or None on ``--resume``).

    Writes ``screen.csv`` in ``--out`` as soon as it is done; ``--resume`` reads the selection
    back from it (the screen is deterministic, so this only saves its runs) and the first
    tolerance from ``settings.json``.
    """
    from sim.calibration import (
        SCREEN_ALPHA,
        SCREEN_FILE,
        priors,
        read_screen_selection,
        screen,
        screen_cap,
        write_screen,
    )

    everything = priors()
    chosen = read_screen_selection(args.out) if args.resume else None
    eps0 = None
    if chosen is None:
        print(
            f"screen: {n} prior points of {len(everything)} parameters (one common seed) ...",
            file=sys.stderr,
            flush=True,
        )
        sc = screen(
            scenario,  # type: ignore[arg-type]
            observed,  # type: ignore[arg-type]
            everything,
            n,
            seed=args.seed,
            cap=screen_cap(args.population),
            workers=args.workers,
            dask=args.dask,
        )
        write_screen(sc, args.out)
        chosen = sc.selected
        eps0 = sc.epsilon0
        t = sc.table
        passed = t[t.p_adjusted < SCREEN_ALPHA]["parameter"].nunique()
        print(
            f"screen: {passed} of {len(everything)} parameters correlate with a target (Spearman, "
            f"Holm-adjusted p < {SCREEN_ALPHA:g}); fitting {len(chosen)} (at most population "
            f"/ 10 = {sc.cap}; the targets take turns), the other "
            f"{len(everything) - len(chosen)} "
            + (
                "drawn from their priors in every run"
                if getattr(args, "others", "held") == "drawn"
                else "held at the scenario's values"
            )
            + f" ({SCREEN_FILE})",
            file=sys.stderr,
        )
        for name in chosen:
            r = t[t.parameter == name].sort_values("p_adjusted").iloc[0]
            print(
                f"  {name:40s} rho {r.rho:+.2f} with {r.target} (adjusted p {r.p_adjusted:.2g})",
                file=sys.stderr,
            )
    chosen_set = set(chosen)
    return list(chosen), [p.path for p in everything if p.path not in chosen_set], eps0


def cmd_calibrate(args: argparse.Namespace) -> int:
    if args.dask is not None and not args.dask.strip():
        raise BadInput("--dask: give 'local' or a scheduler address such as tcp://host:8786")
    from sim.calibration import OUTPUTS, SCREEN_FILE, SETTINGS, history_path

    members = (*OUTPUTS, SETTINGS, SCREEN_FILE, history_path(args.out).name)
    check_outputs([Output(args.out, kind="folder", replaced=False, members=members)])
    from sim.calibration import (
        FEW_EFFECTIVE,
        MIN_TOLERANCE_FALL,
        calibrate,
        check_resume,
        default_screen_points,
        load_observed,
        priors,
        read_settings,
        settings_of,
        split_others,
        write_outputs,
        write_settings,
    )
    from sim.inputs import load_scenario
    from sim.scenario import resolve_scenario_path

    scenario = load_scenario(args.scenario)
    observed = load_observed(args.observed)
    check_outputs(
        [Output(args.out, kind="folder", replaced=False, members=members)],
        [*scenario_inputs(args.scenario, scenario), args.observed],
    )
    fitted, rest, held, eps0 = args.parameters, None, None, None
    if args.parameters is None:
        n = default_screen_points(args.budget) if args.screen is None else args.screen
        if n > 0:
            fitted, left, eps0 = _screened(args, scenario, observed, n)
            rest, held = split_others(left, args.others)
    ps = priors(fitted)
    settings = settings_of(
        str(resolve_scenario_path(args.scenario).resolve()),
        observed,
        ps,
        args.seed,
        args.population,
        drawn=rest or (),
    )
    if args.resume:
        check_resume(args.out, settings)
        eps0 = read_settings(args.out).get("initial_epsilon")
    tty = sys.stderr.isatty()
    shown = {"at": (-2, -1)}

    def progress(t: int, accepted: int, n: int, runs: int, eps: float) -> None:
        # called after every run: a terminal line is redrawn each time; plain lines (a log)
        # only every tenth of the population accepted
        step = (t, 10 * accepted // n)
        if not tty and step == shown["at"]:
            return
        shown["at"] = step
        what = "prior sample" if t < 0 else f"generation {t + 1}/{args.generations}"
        tol = "" if t < 0 else f", tolerance {eps:.3g}"
        rate = f", acceptance {accepted / max(runs, 1):.0%}" if t >= 0 else ""
        line = f"{what}{tol}: {accepted}/{n} accepted of {runs} runs{rate}"
        print(
            ("\r" + line.ljust(79)) if tty else line,
            end="" if tty else "\n",
            file=sys.stderr,
            flush=True,
        )

    if not args.resume:
        # the first tolerance is the screen's: kept so that a resumed fit starts from the same
        write_settings(args.out, {**settings, "initial_epsilon": eps0})
    try:
        post = calibrate(
            scenario,
            args.observed,
            fitted,
            rest=rest,
            held=held,
            screen_points=0,
            initial_epsilon=eps0,
            budget=args.budget,
            population=args.population,
            generations=args.generations,
            workers=args.workers,
            dask=args.dask,
            seed=args.seed,
            db=history_path(args.out),
            resume=args.resume,
            on_batch=progress,
        )
    except KeyboardInterrupt:
        if tty:
            print(file=sys.stderr)
        print(
            f"interrupted: the finished generations are kept in {history_path(args.out)}; "
            f"go on with: {_calibrate_command(args, resume=True)}",
            file=sys.stderr,
        )
        return 130
    if tty:
        print(file=sys.stderr)
    print(
        f"{post.runs} runs, {len(post.generations)} generations; posterior predictive "
        f"({args.predictive} runs) ...",
        file=sys.stderr,
    )
    pred = post.predict(args.predictive, workers=args.workers, dask=args.dask)
    fit = post.fit(pred)
    write_outputs(
        post,
        fit,
        args.out,
        resolve_scenario_path(args.scenario),
        fitted=_calibrate_command(args, resume=False),
    )
    print("target                      observed   model mean  model 90%")
    for r in fit.itertuples():
        flag = "" if r.reached else "   NOT REACHED: the model cannot produce this figure"
        print(
            f"{r.target:27s} {r.observed:9.4g}  {r.predicted_mean:10.4g}  "
            f"[{r.predicted_low_90:.4g}, {r.predicted_high_90:.4g}]{flag}"
        )
    summ = post.summary()
    weak = summ[summ.warning != ""]
    print(
        f"posterior: {len(post.weights)} particles, effective sample size {post.ess:.1f}"
        + (
            " (too few for intervals: raise --population or fit fewer --parameters)"
            if post.ess < FEW_EFFECTIVE * len(post.weights)
            else ""
        )
    )
    print(
        f"{len(summ) - len(weak)} of {len(summ)} parameters narrowed by the figures; "
        f"{len(weak)} not pinned down (summary.csv)"
    )
    for r in summ[summ.warning == ""].sort_values("width_vs_prior").head(10).itertuples():
        print(
            f"  {r.parameter:40s} {r.mean:9.4g}  90% [{r.low_90:.4g}, {r.high_90:.4g}] "
            f"(prior {r.prior_low:g}-{r.prior_high:g})"
        )
    print(f"wrote {', '.join(OUTPUTS)} in {args.out}/")
    print(f"next: python run.py compare {args.out / 'calibrated.toml'} ...")
    if post.stopped == "tolerance":
        print(
            f"stopped after generation {len(post.generations)}: the next tolerance was less "
            f"than {MIN_TOLERANCE_FALL:.0%} below the last (the runs' own spread is the floor)"
        )
    if not post.complete:
        print(
            "note: the budget ran out before the last generation; raise --budget and "
            f"continue with: {_calibrate_command(args, resume=True)}"
        )
    return 0


def cmd_chart(args: argparse.Namespace) -> int:
    from sim.chart_preview import chart_command

    _check_out_file(args.out)
    return chart_command(args.file, args.map, args.out)


def cmd_app(args: argparse.Namespace) -> int:
    """``python run.py app``: serve the workshop app (needs the ``app`` extra)."""
    if not 1 <= args.port <= 65535:
        raise BadInput(f"--port must be in 1..65535 (got {args.port})")
    from app.server import check_installed, serve

    missing = check_installed()
    if missing:
        raise BadInput(missing)
    from app.scenario_files import load_files

    # every file is loaded and validated here, before the server starts: a bad file or a name
    # clash is one line and exit 2, not a page that fails in front of the room
    files = load_files(args.scenario)
    for f in files:
        print(f"offering {f.name} ({f.path})", flush=True)
    return serve(host=args.host, port=args.port, scenarios=[f.path for f in files])


def main(argv: list[str] | None = None) -> int:
    try:
        args = _parser().parse_args(argv)
    except SystemExit as e:  # --help (0) or a bad argument (2, one line already printed)
        return e.code if isinstance(e.code, int) else 2
    try:
        if args.cmd is None:
            return cmd_main_job()
        commands = {
            "run": cmd_run,
            "compare": cmd_compare,
            "presets": cmd_presets,
            "params": cmd_params,
            "validate": cmd_validate,
            "bench": cmd_bench,
            "sweep": cmd_sweep,
            "summarize": cmd_summarize,
            "discover": cmd_discover,
            "rerun": cmd_rerun,
            "evidence": cmd_evidence,
            "report": cmd_report,
            "chart": cmd_chart,
            "calibrate": cmd_calibrate,
            "app": cmd_app,
        }
        return commands[args.cmd](args)
    except BadInput as e:
        # one line whatever the message holds (a file name with a newline, several problems)
        msg = "; ".join(ln.strip() for ln in str(e).splitlines() if ln.strip())
        print(f"error: {msg}", file=sys.stderr)
        return 2
    except RunsFailed as e:
        print(f"error: {' '.join(str(e).split())}", file=sys.stderr)
        return EXIT_FAILED_RUNS
    except KeyboardInterrupt:
        print("interrupted; nothing was written for the unfinished command", file=sys.stderr)
        return 130
    except Exception as e:
        if os.environ.get("SIM_DEBUG"):
            raise
        print(f"error: {type(e).__name__}: {e} (set SIM_DEBUG=1 for a traceback)", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
