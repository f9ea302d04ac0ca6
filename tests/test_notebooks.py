"""The notebook gallery (examples/notebooks, issue 17): the committed notebooks are what
``make_notebooks.py`` writes, and each one executes (nbclient, a real kernel) and draws its
figure, so none of them goes stale."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

nbclient = pytest.importorskip("nbclient", reason="the test extra is not installed")
import nbformat  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
HERE = ROOT / "examples" / "notebooks"


def _maker():
    spec = importlib.util.spec_from_file_location("make_notebooks", HERE / "make_notebooks.py")
    assert spec is not None and spec.loader is not None
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


MAKER = _maker()


def test_committed_notebooks_are_what_the_script_writes() -> None:
    names = sorted(p.stem for p in HERE.glob("*.ipynb"))
    assert names == sorted(MAKER.GALLERY)
    for name, spec in MAKER.GALLERY.items():
        want = MAKER.text(MAKER.notebook(name, spec))
        got = (HERE / f"{name}.ipynb").read_text(encoding="utf-8")
        assert got == want, f"{name}.ipynb is stale: python examples/notebooks/make_notebooks.py"


@pytest.mark.parametrize("name", sorted(MAKER.GALLERY))
def test_notebook_executes_and_draws_its_figure(name: str) -> None:
    nb = nbformat.read(HERE / f"{name}.ipynb", as_version=4)
    client = nbclient.NotebookClient(
        nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(ROOT)}}
    )
    client.execute()
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])]
    assert not [o for o in outputs if o.output_type == "error"]
    table = nb.cells[2].outputs[-1]["data"]["text/plain"]
    for outcome in MAKER.GALLERY[name]["outcomes"]:
        assert outcome in table
    assert any("image/png" in o.get("data", {}) for o in nb.cells[3].outputs)
