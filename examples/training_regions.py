"""Tutorial: the exact number of linear regions of a digit classifier across training.

Serra et al. (2018) counted the regions of small MNIST networks during training; Hanin
and Rolnick (2019) argued that the count stays far below the theoretical maximum. This
script repeats the experiment exactly, on inputs small enough that the whole input box
is counted in a fraction of a second: scikit-learn's bundled 8x8 digits (no download)
projected on their first 4 principal components and scaled to [-1, 1]^4 (the box of
the training images). A [4, 16, 16, 10] ReLU MLP is trained in numpy (minibatch SGD
with momentum on the cross-entropy, fixed seeds) for 100 epochs; at a few epochs, the table
gives the train and test accuracy, the exact region count over the box (and its
seconds), the distinct activation patterns among 100,000 random points of the box (a
sampled lower bound), and the Hanin-Rolnick estimate from 200 random lines, beside Serra
et al.'s upper bound for the shape.

    python examples/training_regions.py [--quick] [PICTURE.png]

``--quick`` trains a [4, 8, 8, 10] network for 10 epochs (a few seconds); the picture
shows the counts against the epoch, with the test accuracy on a second axis.
"""

import argparse

import numpy as np
from sklearn.datasets import load_digits
from sklearn.decomposition import PCA

import regions
from regions import sampling

SAMPLES = 100_000   # random points for the sampled lower bound
LINES = 200         # random lines for the Hanin-Rolnick estimate

parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
parser.add_argument("picture", nargs="?", help="write the picture here (.png)")
parser.add_argument("--quick", action="store_true",
                    help="a [4, 8, 8, 10] network for 10 epochs instead of [4, 16, 16, 10] for 100")
args = parser.parse_args()
widths = [4, 8, 8, 10] if args.quick else [4, 16, 16, 10]
checkpoints = [0, 1, 2, 5, 10] if args.quick else [0, 1, 2, 5, 10, 20, 35, 50, 75, 100]

# The data: 4 principal components of the training images, scaled so that the training
# images fill [-1, 1]^4 (the test images may fall slightly outside; they are still scored).
digits = load_digits()
X, y = digits.data / 16.0, digits.target
pca = PCA(n_components=widths[0], random_state=0).fit(X[:1500])
Z = pca.transform(X)
lower, upper = Z[:1500].min(axis=0), Z[:1500].max(axis=0)
Z = 2.0 * (Z - lower) / (upper - lower) - 1.0
train_x, train_y, test_x, test_y = Z[:1500], y[:1500], Z[1500:], y[1500:]
box = regions.box(-1, 1)

# PyTorch's default initialisation of a linear layer: weights and biases uniform in
# +-1/sqrt(fan_in); regions stores weights as (out, in), y = W x + b.
rng = np.random.default_rng(0)
weights = [rng.uniform(-1, 1, (n_out, n_in)) / np.sqrt(n_in)
           for n_in, n_out in zip(widths[:-1], widths[1:])]
biases = [rng.uniform(-1, 1, n_out) / np.sqrt(n_in)
          for n_in, n_out in zip(widths[:-1], widths[1:])]
velocity = [np.zeros_like(p) for p in weights + biases]


def network():
    """The current weights as a regions.Network (ReLU hidden layers, identity output)."""
    return regions.Network.from_layers(list(zip(weights, biases)), ["relu", "relu", "identity"])


def accuracy(net, x, labels):
    return float(np.mean(np.argmax(net.forward(x), axis=1) == labels))


def sgd_epoch(rate=0.05, momentum=0.9, batch=32):
    """One pass over the training set in random minibatches (cross-entropy gradient)."""
    for index in np.array_split(rng.permutation(len(train_x)), len(train_x) // batch):
        activations = [train_x[index]]
        for W, b in zip(weights[:-1], biases[:-1]):
            activations.append(np.maximum(activations[-1] @ W.T + b, 0.0))
        logits = activations[-1] @ weights[-1].T + biases[-1]
        delta = np.exp(logits - logits.max(axis=1, keepdims=True))
        delta /= delta.sum(axis=1, keepdims=True)
        delta[np.arange(len(index)), train_y[index]] -= 1.0
        delta /= len(index)
        grads_w, grads_b = [], []
        for i in reversed(range(len(weights))):
            grads_w.insert(0, delta.T @ activations[i])
            grads_b.insert(0, delta.sum(axis=0))
            if i > 0:
                delta = (delta @ weights[i]) * (activations[i] > 0)
        for p, g, v in zip(weights + biases, grads_w + grads_b, velocity):
            v *= momentum
            v -= rate * g
            p += v


serra = regions.bounds.serra_upper(widths[0], widths[1:-1])
print(f"{widths} ReLU MLP on 4 principal components of the digits, box [-1, 1]^4; "
      f"Serra et al.'s upper bound: {serra:,} regions")
print("epoch  train  test  regions  sampled  Hanin-Rolnick  seconds")
rows = []
for epoch in range(checkpoints[-1] + 1):
    if epoch > 0:
        sgd_epoch()
    if epoch not in checkpoints:
        continue
    net = network()
    counted = regions.count_regions(net, box)
    row = {"epoch": epoch, "network": net, "regions": counted.regions,
           "train": accuracy(net, train_x, train_y), "test": accuracy(net, test_x, test_y),
           "sampled": sampling.distinct_patterns(net, box, SAMPLES, seed=0).distinct,
           "hanin_rolnick": sampling.density_estimate(net, box, LINES, seed=0).expected_regions}
    rows.append(row)
    print(f"{epoch:5d}  {row['train']:5.3f}  {row['test']:5.3f}  {row['regions']:7d}  "
          f"{row['sampled']:7d}  {row['hanin_rolnick']:13.0f}  {counted.seconds:7.2f}")
most = max(row["regions"] for row in rows)
print(f"most regions: {most:,}, {most / serra:.2%} of Serra et al.'s bound")

if args.picture:
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    epoch_axis = [row["epoch"] for row in rows]
    fig, ax = plt.subplots(figsize=(6, 3.6))
    ax.plot(epoch_axis, [row["regions"] for row in rows], "o-", color="C0", label="exact count")
    ax.plot(epoch_axis, [row["sampled"] for row in rows], "s--", color="C1",
            label=f"patterns at {SAMPLES:,} points")
    ax.plot(epoch_axis, [row["hanin_rolnick"] for row in rows], "d:", color="C2",
            label="Hanin-Rolnick estimate")
    ax.set_xlabel("epoch")
    ax.set_ylabel("regions in [-1, 1]^4")
    ax.set_ylim(bottom=0)
    ax.set_title(f"{widths} on 4-D digits; Serra's bound {serra:.2g}", fontsize=10)
    twin = ax.twinx()
    twin.plot(epoch_axis, [row["test"] for row in rows], "^-", color="k", label="test accuracy")
    twin.set_ylabel("test accuracy")
    twin.set_ylim(0, 1)
    handles, labels = ax.get_legend_handles_labels()
    more_handles, more_labels = twin.get_legend_handles_labels()
    ax.legend(handles + more_handles, labels + more_labels, loc="center right", fontsize=8)
    fig.savefig(args.picture, dpi=90, bbox_inches="tight")
    plt.close(fig)
    print(f"picture -> {args.picture}")
