"""Tutorial: depth against width at an equal number of parameters, on [-1, 1]^2.

The same 109 weights as one wide layer or three narrow ones: the exact region counts
over a few random initialisations, beside the upper bounds.

    python examples/depth_vs_width.py
"""

import numpy as np

import regions
from regions.random_networks import random_network

SHAPES = {"wide [2, 27, 1]": [2, 27, 1], "deep [2, 6, 6, 6, 1]": [2, 6, 6, 6, 1]}

for name, widths in SHAPES.items():
    parameters = sum((a + 1) * b for a, b in zip(widths[:-1], widths[1:]))
    counts = [len(regions.enumerate_regions(random_network(widths, seed=s), regions.box(-1, 1)))
              for s in range(5)]
    upper = min(b.value for b in regions.bounds.network_bounds(
        random_network(widths, seed=0), regions.box(-1, 1).resolve(2)) if b.kind == "upper")
    print(f"{name}: {parameters} parameters, regions {counts} (mean {np.mean(counts):.0f}), "
          f"at most {upper:,}")
