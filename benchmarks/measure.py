"""Time one enumeration and print one JSON line (see docs/performance.md).

    python benchmarks/measure.py WIDTHS box|whole METHOD [REPEAT [MAX_REGIONS]]
"""

import json
import sys

import regions
from regions.random_networks import random_network

widths = json.loads(sys.argv[1])
domain = regions.box(-1, 1) if sys.argv[2] == "box" else regions.whole_space()
method, repeat = sys.argv[3], int(sys.argv[4]) if len(sys.argv) > 4 else 1
kw = {"max_regions": int(sys.argv[5])} if len(sys.argv) > 5 else {}
net = random_network(widths, seed=0)
part = min((regions.enumerate_regions(net, domain, method=method, **kw) for _ in range(repeat)),
           key=lambda p: p.seconds)
n = len(part)
print(json.dumps(dict(net=widths, regions=n, seconds=part.seconds,
                      us_per_region=1e6 * part.seconds / n, lps_per_region=part.lps / n,
                      lp_share=part.lp_seconds / part.seconds, complete=part.complete)))
