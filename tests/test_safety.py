"""Safety: nothing a user supplies is evaluated, executed or unpickled; CSVs are spreadsheet-safe.

Static part: every Python file of ``sim/``, ``app/``, ``run.py``, ``experiments/`` and
``benchmarks/`` is parsed with :mod:`ast` (not grepped, so comments and strings do not count) and
searched for code execution and unsafe deserialisation: ``eval``, ``exec``, ``compile``,
``__import__``, pickle-family loads (pickle, cPickle, dill, cloudpickle, marshal, shelve, joblib,
``pandas.read_pickle``, ``numpy.load(allow_pickle=True)``), ``yaml.load`` without a safe loader,
a shell (``subprocess`` with ``shell=True``, ``os.system``, ``os.popen``) and
``importlib.import_module`` of a computed name. A finding fails with ``file:line``. Libraries
pickling our own objects between our own processes (Dask, multiprocessing) are not our calls and
are not scanned. TOML is read with :mod:`tomllib` only, CSV with :mod:`csv` or pandas only, and the
app has no file upload (adding one must come with a size limit and a change to this test).

Behavioural part: every CSV the project writes (the app's export, ``run.py run`` and ``compare``
tables, the report's CSV) neutralises text cells starting with ``=``, ``+``, ``-``, ``@``, tab or
carriage return, while numbers, negative ones included, stay numbers; every ``to_csv`` in the code
goes through :mod:`sim.csvsafe`.
"""

from __future__ import annotations

import ast
import io
import math
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from sim import csvsafe
from sim.csvsafe import DANGEROUS_PREFIXES, neutralise, neutralise_frame

ROOT = Path(__file__).resolve().parent.parent
SCANNED = ("sim", "app", "run.py", "experiments", "benchmarks")

#: Findings that are deliberate, with the reason; keyed by (file, rule). Keep this short.
ALLOWED = {
    ("sim/classic/__init__.py", "import_module"): (
        "lazy submodule import in __getattr__; the name is checked against __all__ (three fixed "
        "module names) before it is imported"
    ),
}

#: Calls that run code or deserialise arbitrary objects, by their resolved dotted name.
UNSAFE_CALLS = {
    **{
        f"{m}.{f}": "unpickling"
        for m in ("pickle", "_pickle", "cPickle", "dill", "cloudpickle")
        for f in ("load", "loads", "Unpickler")
    },  # fmt: skip
    "marshal.load": "unmarshalling",
    "marshal.loads": "unmarshalling",
    "shelve.open": "unpickling (shelve)",
    "joblib.load": "unpickling (joblib)",
    "jsonpickle.decode": "unpickling (jsonpickle)",
    "torch.load": "unpickling (torch)",
    "pandas.read_pickle": "unpickling (pandas)",
    "yaml.unsafe_load": "unsafe YAML",
    "yaml.unsafe_load_all": "unsafe YAML",
    "yaml.full_load": "unsafe YAML",
    "yaml.full_load_all": "unsafe YAML",
    "os.system": "shell",
    "os.popen": "shell",
    "asyncio.create_subprocess_shell": "shell",
    "builtins.eval": "eval",
    "builtins.exec": "exec",
    "builtins.compile": "compile",
    "builtins.__import__": "__import__",
    "importlib.__import__": "__import__",
    "code.interact": "interactive interpreter",
}
BUILTINS = {"eval", "exec", "compile", "__import__"}
CSV_READERS = {"pandas.read_csv", "csv.reader", "csv.DictReader", "csv.Sniffer"}
UPLOAD_MARKERS = ("FileDrop", "FileInput", "FileUpload", 'type="file"', "type='file'")


@dataclass(frozen=True)
class Finding:
    path: str
    line: int
    rule: str
    what: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.what}"


def sources() -> list[Path]:
    """The Python files scanned."""
    out: list[Path] = []
    for name in SCANNED:
        p = ROOT / name
        if p.is_file():
            out.append(p)
        elif p.is_dir():
            out += sorted(q for q in p.rglob("*.py") if "__pycache__" not in q.parts)
    return out


class Scanner(ast.NodeVisitor):
    """Resolves imported names (``import pickle as p``, ``from yaml import load``) and checks calls.

    Also records every resolved call name (``calls``) and every imported module (``imports``).
    """

    def __init__(self, path: str) -> None:
        self.path = path
        self.aliases: dict[str, str] = {}
        self.findings: list[Finding] = []
        self.calls: list[tuple[int, str, ast.Call]] = []
        self.imports: set[str] = set()

    # --------------------------------------------------------------- names
    def visit_Import(self, node: ast.Import) -> None:
        for a in node.names:
            self.imports.add(a.name)
            if a.asname:
                self.aliases[a.asname] = a.name
            else:
                top = a.name.split(".")[0]
                self.aliases[top] = top
        self.generic_visit(node)

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        mod = node.module or ""
        if node.level == 0:
            self.imports.add(mod)
        for a in node.names:
            self.aliases[a.asname or a.name] = f"{mod}.{a.name}" if mod else a.name
        self.generic_visit(node)

    def dotted(self, node: ast.expr) -> str | None:
        if isinstance(node, ast.Name):
            if node.id in self.aliases:
                return self.aliases[node.id]
            return f"builtins.{node.id}" if node.id in BUILTINS else node.id
        if isinstance(node, ast.Attribute):
            base = self.dotted(node.value)
            return f"{base}.{node.attr}" if base else None
        return None

    # --------------------------------------------------------------- checks
    def flag(self, node: ast.AST, rule: str, what: str) -> None:
        self.findings.append(Finding(self.path, getattr(node, "lineno", 0), rule, what))

    def visit_Call(self, node: ast.Call) -> None:
        name = self.dotted(node.func) or ""
        self.calls.append((node.lineno, name, node))
        kw = {k.arg: k.value for k in node.keywords if k.arg}
        attr = node.func.attr if isinstance(node.func, ast.Attribute) else ""
        if name in UNSAFE_CALLS:
            self.flag(node, name.split(".")[-1], f"{name}(): {UNSAFE_CALLS[name]}")
        elif attr == "read_pickle":
            self.flag(node, "read_pickle", f"{name or attr}(): unpickling")
        if name in ("yaml.load", "yaml.load_all"):
            loader = kw.get("Loader", node.args[1] if len(node.args) > 1 else None)
            lname = (self.dotted(loader) or "") if loader is not None else ""
            if not lname.endswith("SafeLoader"):
                self.flag(node, "yaml", f"{name}() without Loader=yaml.SafeLoader")
        if name.startswith("subprocess.") and "shell" in kw:
            v = kw["shell"]
            if not (isinstance(v, ast.Constant) and v.value is False):
                self.flag(node, "shell", f"{name}(shell=...): runs a shell")
        if name == "importlib.import_module":
            first = node.args[0] if node.args else kw.get("name")
            if not (isinstance(first, ast.Constant) and isinstance(first.value, str)):
                self.flag(node, "import_module", "importlib.import_module() of a computed name")
        if name == "numpy.load":
            v = kw.get("allow_pickle")
            if v is not None and not (isinstance(v, ast.Constant) and v.value is False):
                self.flag(node, "allow_pickle", "numpy.load(allow_pickle=...): unpickling")
        self.generic_visit(node)


def scan_source(text: str, path: str) -> Scanner:
    s = Scanner(path)
    s.visit(ast.parse(text, filename=path))
    return s


@pytest.fixture(scope="module")
def scanned() -> list[Scanner]:
    return [scan_source(p.read_text(encoding="utf-8"), p.relative_to(ROOT).as_posix())
            for p in sources()]  # fmt: skip


# ------------------------------------------------------------------ the scanner itself
BAD = """
import pickle as pk, subprocess, os, yaml, importlib, marshal
from dill import loads
import pandas as pd
import numpy as np
eval("1")
exec("x = 1")
compile("1", "f", "eval")
__import__("os")
pk.loads(b"")
loads(b"")
marshal.loads(b"")
pd.read_pickle("f")
np.load("f", allow_pickle=True)
yaml.load("a: 1")
yaml.load("a: 1", Loader=yaml.FullLoader)
subprocess.run("ls", shell=True)
os.system("ls")
importlib.import_module(name)
"""
GOOD = """
import re, subprocess, importlib, yaml, os
re.compile("x")
subprocess.run(["ls"], shell=False)
subprocess.run(["ls"])
importlib.import_module("json")
yaml.load("a: 1", Loader=yaml.SafeLoader)
yaml.safe_load("a: 1")
os.execve("/bin/true", ["true"], {})
df.eval  # an attribute, not a call
"""


def test_the_scanner_finds_every_pattern_and_no_false_alarm() -> None:
    found = scan_source(BAD, "bad.py").findings
    lines = {f.line for f in found}
    assert lines == set(range(6, 20)), "\n".join(map(str, found))
    assert scan_source(GOOD, "good.py").findings == []


# ------------------------------------------------------------------ the code base
def test_sources_are_found() -> None:
    names = {p.relative_to(ROOT).as_posix() for p in sources()}
    assert {"run.py", "sim/scenario.py", "app/page.py", "benchmarks/bench.py"} <= names


def test_no_eval_exec_pickle_or_shell_anywhere(scanned: list[Scanner]) -> None:
    findings = [f for s in scanned for f in s.findings]
    unexpected = [f for f in findings if (f.path, f.rule) not in ALLOWED]
    assert not unexpected, "unsafe calls:\n" + "\n".join(map(str, unexpected))
    # an allow-list entry that no longer matches anything must go
    stale = set(ALLOWED) - {(f.path, f.rule) for f in findings}
    assert not stale, f"stale ALLOWED entries: {stale}"
    for key in ALLOWED:
        assert sum((f.path, f.rule) == key for f in findings) == 1, key


def test_toml_is_read_with_tomllib_only(scanned: list[Scanner]) -> None:
    toml_libs = {m for s in scanned for m in s.imports if "toml" in m.split(".")[0]}
    assert toml_libs == {"tomllib"}, toml_libs
    readers = {(s.path, n) for s in scanned for _, n, _ in s.calls if n.startswith("tomllib.")}
    assert ("sim/scenario.py", "tomllib.loads") in readers  # scenario files
    # comparison, experiment, base and mapping files go through sim.scenario.read_toml_file,
    # which checks the file's shape (nesting, keys) before tomllib parses it (issue 15, class 8)
    assert ("sim/experiment.py", "tomllib.loads") not in readers


def test_csv_is_read_with_csv_or_pandas_only(scanned: list[Scanner]) -> None:
    ends = ("read_csv", "reader", "DictReader", "Sniffer", "genfromtxt", "loadtxt")
    used = {
        (s.path, line, n)
        for s in scanned
        for line, n, _ in s.calls
        if n.split(".")[-1] in ends or n == "pandas.read_table"
    }
    bad = [f"{p}:{line}: {n}" for p, line, n in used if n not in CSV_READERS]
    assert not bad, bad
    # user CSVs (org charts, customer books) are read as text and converted explicitly
    for s in scanned:
        for line, n, call in s.calls:
            if n == "pandas.read_csv" and s.path.startswith("sim/structures/"):
                kw = {k.arg: k.value for k in call.keywords}
                dtype = kw.get("dtype")
                assert isinstance(dtype, ast.Name) and dtype.id == "str", f"{s.path}:{line}"


def test_user_csv_cells_are_text_never_evaluated(tmp_path: Path) -> None:
    from sim.structures.org_chart import parse_org_chart

    chart = tmp_path / "chart.csv"
    chart.write_text(
        "id,manager_id,role,unit,name\n"
        "1,,executive,=1+1,__import__('os').system('false')\n"
        "2,1,sales,@SUM(A1),eval('2')\n"
        "3,1,service,+cmd|' /C calc'!A0,-2+3\n",
        encoding="utf-8",
    )
    c = parse_org_chart(chart)
    assert set(c.unit_names) == {"=1+1", "@SUM(A1)", "+cmd|' /C calc'!A0"}
    assert list(c.name) == ["__import__('os').system('false')", "eval('2')", "-2+3"]


def test_the_apps_only_upload_is_capped_on_the_server() -> None:
    """The app's one file input (a scenario TOML, app/address.py) is read through
    ``app.keep.read_scenario_upload``, which refuses more than ``MAX_UPLOAD_BYTES`` by the bytes
    it received, whatever size the browser claims (a client can lie), and parses nothing then."""
    from app.keep import MAX_UPLOAD_BYTES, read_scenario_upload
    from sim.scenario import ScenarioError

    files = [p for p in (ROOT / "app").rglob("*") if p.suffix in (".py", ".vue", ".js", ".html")]
    hits = {
        str(p.relative_to(ROOT))
        for p in files
        for line in p.read_text(encoding="utf-8").splitlines()
        for m in UPLOAD_MARKERS
        if m in line
    }
    assert hits == {"app/address.py"}, (
        "a new upload in the app: limit its size on the server (and say so in "
        f"docs/RELIABILITY.md), then update this test: {sorted(hits)}"
    )
    big = b'name = "x"\n' + b"#" * MAX_UPLOAD_BYTES
    with pytest.raises(ScenarioError, match=f"{len(big)} bytes"):
        read_scenario_upload("big.toml", big, size=10)


# ------------------------------------------------------------------ CSV neutralisation
EVIL = ["=HYPERLINK(1)", "+1+1", "-2+3", "@SUM(A1)", "\t=1", "\r=1"]
#: What a spreadsheet sees: an apostrophe first, and no bare carriage return (it would end the row).
SAFE = ["'=HYPERLINK(1)", "'+1+1", "'-2+3", "'@SUM(A1)", "'\t=1", "'\n=1"]


def _csv_files_in(path: Path) -> Iterator[Path]:
    yield from sorted(path.rglob("*.csv")) if path.is_dir() else [path]


def assert_safe_csv(path_or_text: Path | str) -> pd.DataFrame:
    """Every text cell of the CSV is neutralised; numbers read back as numbers."""
    text = path_or_text.read_text() if isinstance(path_or_text, Path) else path_or_text
    df = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)
    for col in df.columns:
        assert not col.startswith(DANGEROUS_PREFIXES), col
        for cell in df[col]:
            if cell.startswith(DANGEROUS_PREFIXES):
                float(cell)  # a number (e.g. -0.5) may start with a sign; text may not
    return pd.read_csv(io.StringIO(text))


def test_neutralise_cells() -> None:
    assert [neutralise(bad) for bad in EVIL] == SAFE
    for fine in ("fine", "", "a=b", " x=1", "'=x", "a\nb"):
        assert neutralise(fine) == fine
    assert neutralise("a\r=1") == neutralise("a\r\n=1") == "a\n=1"  # quoted by the writer
    for number in (-0.5, -1, 0, 2.5, np.float64(-3.0), np.int64(-4), True, None):
        assert neutralise(number) is number
    assert math.isnan(neutralise(float("nan")))  # type: ignore[arg-type]


def test_neutralise_frame_keeps_numbers_numeric() -> None:
    df = pd.DataFrame(
        {
            "name": EVIL,
            "value": [-0.5, 1.0, -2.0, 3.0, -4.0, 5.0],
            "n": [-1, 2, -3, 4, -5, 6],
            "mixed": ["-x", -1.5, None, "ok", "@y", 2],
            "cat": pd.Categorical(["=a", "b", "=a", "b", "c", "c"]),
            "=head": ["x"] * 6,
        }
    )
    before = df.copy()
    out = neutralise_frame(df)
    pd.testing.assert_frame_equal(df, before)  # the input is untouched
    assert list(out["name"]) == SAFE
    assert list(out.columns) == ["name", "value", "n", "mixed", "cat", "'=head"]
    assert out["mixed"].tolist()[:4] == ["'-x", -1.5, None, "ok"]
    assert list(out["cat"]) == ["'=a", "b", "'=a", "b", "c", "c"]
    back = assert_safe_csv(str(csvsafe.to_csv(df)))
    assert len(back) == len(df)  # no row split by a carriage return
    assert back["value"].dtype == float and back["value"].tolist()[0] == -0.5
    assert back["n"].dtype == np.int64 and back["n"].tolist()[0] == -1


def test_app_csv_export_is_safe() -> None:
    pytest.importorskip("matplotlib")
    from app.charts import results_csv
    from app.session import Config, Session

    s = Session(Config.for_preset("command_and_control", seed=3))
    s.step(2)
    df = s.runs[0].df.copy()
    df["roi"] = -0.75  # a negative number must stay a number
    text = results_csv([(e, df, [(0, e, 0.5)]) for e in EVIL])
    back = assert_safe_csv(text)
    assert len(back) == len(EVIL) * len(df)
    assert sorted(set(back["design"])) == sorted(SAFE)
    assert back["roi"].dtype == float and (back["roi"] == -0.75).all()
    assert_safe_csv(s.csv())


def test_run_table_is_safe(tmp_path: Path) -> None:
    from sim.outputs import write_table

    df = pd.DataFrame({"scenario": EVIL, "week": range(6), "roi": [-0.5] * 6})
    write_table(df, tmp_path / "weekly.csv")
    back = assert_safe_csv(tmp_path / "weekly.csv")
    assert len(back) == len(df)
    assert back["roi"].dtype == float and (back["roi"] == -0.5).all()
    write_table(df, tmp_path / "weekly.parquet")  # Parquet keeps the text as it is
    assert pd.read_parquet(tmp_path / "weekly.parquet")["scenario"].tolist() == EVIL


@pytest.mark.filterwarnings("ignore:Glyph:UserWarning")  # tab and CR in the chart's legend
def test_compare_outputs_are_safe(tmp_path: Path) -> None:
    pytest.importorskip("tqdm")
    from sim.outputs import compare_and_save
    from tests.conftest import small

    scenarios = {e: small("command_and_control", horizon_weeks=3) for e in EVIL}
    out = compare_and_save(scenarios, replicates=2, seed=5, workers=1, out=tmp_path / "cmp")
    files = list(_csv_files_in(out))
    assert {p.name for p in files} == {"headlines.csv", "summary.csv", "paired_differences.csv"}
    for p in files:
        back = assert_safe_csv(p)
        assert set(back["scenario"]) <= set(SAFE), p.name
    heads = pd.read_csv(out / "headlines.csv")
    assert heads.select_dtypes("number").shape[1] > 5  # the outcomes are still numbers


def test_report_csv_is_safe(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from sim import report

    table = pd.DataFrame({"section": ["outcome"] * 6, "key": EVIL, "label": EVIL,
                          "difference": [-0.5, 1, -2, 3, -4, 5]})  # fmt: skip
    monkeypatch.setattr(report, "render_html", lambda data: "<html></html>")
    breakdown = pd.DataFrame({"change": EVIL, "alone": [-0.5, 1, -2, 3, -4, 5]})
    data = SimpleNamespace(table=table, breakdown=breakdown, currency="USD")
    _, csv_out = report.write_report(data, tmp_path / "r.html")  # type: ignore[arg-type]
    back = assert_safe_csv(csv_out)
    assert len(back) == len(table)
    assert back["difference"].tolist() == [-0.5, 1, -2, 3, -4, 5]
    # the breakdown CSV written beside it is neutralised too
    back = assert_safe_csv(report.breakdown_path(tmp_path / "r.html"))
    assert back["alone"].tolist() == [-0.5, 1, -2, 3, -4, 5]


def _csv_writers(source: str, rel: str) -> list[int]:
    """Lines of ``source`` that write CSV other than through ``sim.csvsafe.to_csv``."""
    lines = []
    for line, name, call in scan_source(source, rel).calls:
        attr = call.func.attr if isinstance(call.func, ast.Attribute) else ""
        if (attr == "to_csv" and not name.endswith("csvsafe.to_csv")) or name in (
            "csv.writer",
            "csv.DictWriter",
        ):
            lines.append(line)
    return lines


def _to_csv_calls() -> dict[str, list[int]]:
    """Files (other than sim/csvsafe.py) that call ``.to_csv`` or a csv writer, and where."""
    out: dict[str, list[int]] = {}
    for p in sources():
        rel = p.relative_to(ROOT).as_posix()
        if rel != "sim/csvsafe.py" and (lines := _csv_writers(p.read_text("utf-8"), rel)):
            out[rel] = lines
    return out


def test_every_csv_writer_goes_through_csvsafe() -> None:
    calls = _to_csv_calls()
    assert calls == {}, f"write CSVs with sim.csvsafe.to_csv (text cells neutralised): {calls}"


def test_the_csv_writer_scan_finds_a_direct_writer() -> None:
    """The scan above can fail: a direct ``.to_csv`` or ``csv.writer`` is found, csvsafe's not."""
    src = (
        "import csv\nfrom sim import csvsafe\nfrom sim.csvsafe import to_csv\n"
        "df.to_csv('a.csv')\ncsv.writer(f)\ncsvsafe.to_csv(df, 'b.csv')\nto_csv(df, 'c.csv')\n"
    )
    assert _csv_writers(src, "planted.py") == [4, 5]
