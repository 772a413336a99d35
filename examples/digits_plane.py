"""Tutorial: the linear regions of a digit classifier on the plane through three images.

Trains a small ReLU MLP on scikit-learn's bundled 8x8 digits (no download), converts it
to a regions.Network, and enumerates its regions exactly on the 2-D plane through three
test images, then draws them with the class boundaries.

    python examples/digits_plane.py [PICTURE.png]
"""

import sys
import warnings

import numpy as np
from sklearn.datasets import load_digits
from sklearn.exceptions import ConvergenceWarning
from sklearn.neural_network import MLPClassifier

import regions

digits = load_digits()
X, y = digits.data / 16.0, digits.target
with warnings.catch_warnings():
    warnings.simplefilter("ignore", ConvergenceWarning)
    model = MLPClassifier(hidden_layer_sizes=(16, 16), max_iter=200, random_state=0).fit(
        X[:1500], y[:1500])

# scikit-learn stores weights as (in, out); regions uses (out, in), y = W x + b.
layers = [(W.T, b) for W, b in zip(model.coefs_, model.intercepts_)]
net = regions.Network.from_layers(layers, ["relu", "relu", "identity"])
test = X[1500:]
assert np.array_equal(np.argmax(net.forward(test), axis=1), model.predict(test))

# The plane through three test images of different digits, in slice coordinates (u, v).
p0, p1, p2 = test[0], test[1], test[2]
corners = regions.plane(p0, p1, p2)
uv = (np.stack([p0, p1, p2]) - corners.origin) @ corners.basis
lo, hi = uv.min() - 1.0, uv.max() + 1.0
part = regions.enumerate_regions(net, regions.plane(p0, p1, p2, lo, hi))
classes = np.argmax(net.forward(part.input_witnesses), axis=1)
print(f"{len(part)} regions on the plane through three test digits "
      f"({', '.join(str(d) for d in y[1500:1503])})")
print(f"classes predicted on the plane: {sorted(set(classes.tolist()))}")
print(f"linear pieces: {regions.linear_pieces(part).count}")

if len(sys.argv) > 1:
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    ax = regions.plot(part, color="output", boundary=True)
    ax.plot(uv[:, 0], uv[:, 1], "k*", markersize=12)
    ax.figure.savefig(sys.argv[1], dpi=120, bbox_inches="tight")
    plt.close(ax.figure)
    print(f"picture -> {sys.argv[1]}")
