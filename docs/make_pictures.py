"""Make the pictures of the docs from the code: python docs/make_pictures.py"""

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

import regions  # noqa: E402

HERE = Path(__file__).resolve().parent


def main() -> None:
    net = regions.read_network(HERE.parent / "data" / "example_2x8x8x8.npz")
    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 5.5))
    regions.plot(regions.enumerate_regions(net, regions.box(-1, 1)), left, boundary=True)
    regions.plot(regions.enumerate_regions(net), right)
    fig.savefig(HERE / "example_partition.png", dpi=90, bbox_inches="tight")
    plt.close(fig)
    print(f"wrote {HERE / 'example_partition.png'}")


if __name__ == "__main__":
    main()
