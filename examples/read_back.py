"""Tutorial: write a whole partition to JSON (as `regions count NET -o PART.json` does) and
read it back with every region's pattern, H-representation, witness and affine map.

    python examples/read_back.py PART.json
"""

import sys

import numpy as np

import regions

net = regions.read_network("data/example_2x8x8x8.npz")
part = regions.enumerate_regions(net, regions.box(-1, 1))
path = sys.argv[1] if len(sys.argv) > 1 else "partition.json"
with open(path, "w", encoding="utf-8") as handle:
    handle.write(regions.write_json(part))
again = regions.read_json(path)
assert np.array_equal(again.patterns, part.patterns)
region = again[0]
print(f"{len(again)} regions read back from {path}")
print(f"region 0: {region.A.shape[0]} facets, witness {region.witness.round(4)}, "
      f"output map C = {region.C.round(4)}")
