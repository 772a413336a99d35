"""Tutorial: the exact count beside every bound and sampled estimate (regions.verify).

    python examples/verify_bound.py
"""

import regions

net = regions.read_network("data/example_2x8x8x8.npz")
report = regions.verify(net, regions.box(-1, 1), samples=20_000, lines=50)
print(report.format_table())
print("every relation holds" if report.ok else "a relation is violated")
