"""The trainer's browser app: ``python run.py app`` (Solara; install the ``app`` extra).

- :mod:`app.page`: the page (controls, live view, compare, debrief, downloads);
- :mod:`app.session`: one browser session's designs, models and pictures (no Solara);
- :mod:`app.orgview`: vectorised org layouts and the live org/customer drawing;
- :mod:`app.charts`: time-series and difference charts, CSV export;
- :mod:`app.debrief`: the plain-language debrief from the run's own data;
- :mod:`app.render`: fast PNG frames from matplotlib; :mod:`app.server`: the offline server;
- :mod:`app.bench`: step-and-frame timings.

The app imports :mod:`sim`; :mod:`sim` never imports the app.
"""

from __future__ import annotations
