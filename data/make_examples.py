"""Regenerate the example networks in this folder (deterministic, seeded)."""

from pathlib import Path

import numpy as np

from regions import save
from regions.random_networks import random_network

HERE = Path(__file__).parent

EXAMPLES = {
    "example_2x8x8x8.npz": ([2, 8, 8, 8, 1], "relu"),
    "example_2x16x16x16.npz": ([2, 16, 16, 16, 1], "relu"),
    "example_3x8x8x8.npz": ([3, 8, 8, 8, 1], "relu"),
    "example_hardtanh_2x6x6.npz": ([2, 6, 6, 1], "hardtanh"),
}

if __name__ == "__main__":
    for name, (widths, activation) in EXAMPLES.items():
        net = random_network(widths, seed=0, activation=activation)
        save(net, HERE / name, widths=np.array(widths), seed=np.int64(0))
        print(name)
