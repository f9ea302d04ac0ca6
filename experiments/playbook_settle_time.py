"""CPU seconds of the playbook settling at N people (args: N); docs/ODD.md 6.5b."""

import sys, time, functools
sys.path.insert(0, ".")
import numpy as np
from sim.mechanisms import playbook, learning
from sim.coefficients.learning import Learning
lp = Learning()
n = int(sys.argv[1])
g = np.random.default_rng(1)
reality, code, beliefs = playbook.initial_playbook(30, n, 0.65, 0.6, rng=g)
front = g.random(n) < 0.85
tenure = g.integers(26, 520, n)
f = functools.partial(learning.playbook_rate, lp.playbook_p1, 0.3, newcomer_boost=3.0, p=lp)
t = time.process_time()
r, c, b = playbook.settle_front_line(reality, code, beliefs, front, tenure, f, 0.134 * 0.25, 0.0063, 0.0013, 780, panel_size=50, cohort=2000, rng=g)
print(n, "settle CPU s", round(time.process_time() - t, 3), "code", playbook.code_knowledge(c, r), "practice", playbook.practice_knowledge(b, r)[front].mean().round(3))
