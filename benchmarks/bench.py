"""Benchmark ``OrgModel`` (cost per agent-step against Mesa's examples, scale, scaling, collection).

Usage::

    python benchmarks/bench.py [--size tiny|full] [--out FILE]

Prints Markdown tables and writes JSON (default ``benchmarks/results/bench-<date>.json``). The
work is done by ``sim.benchmark``; see ``docs/PERFORMANCE.md`` for what the figures mean.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sim.benchmark import main  # noqa: E402

if __name__ == "__main__":
    sys.exit(main())
