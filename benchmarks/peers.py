"""Adapters for the peer tools that ``benchmarks/run.py`` measures against: regioncam, relucent.

Both are optional (relucent is AGPL and needs torch and gurobipy); a missing one is reported,
never required. Each adapter takes the layers of a network as ``[(W, b), ...]`` (``W`` of shape
``(out, in)``, float64; every layer but the last ReLU, the last identity) and returns
``(regions, seconds)``, timing only the tool's own work. The tools are imported only inside
the adapters, so that a process measuring ``regions`` never loads them; a child that measures a
peer imports ``MODULES[peer]`` before its clock (and relucent's time budget) starts.
"""

from __future__ import annotations

import importlib.metadata
import importlib.util
import time

import numpy as np

#: Peer name -> the modules it needs.
MODULES = {"regioncam": ("regioncam",), "relucent": ("torch", "gurobipy", "relucent")}

#: Worker processes relucent's search may use (as in the shared table).
RELUCENT_WORKERS = 2


def version(package: str) -> str:
    """The installed version of ``package``, or ``"not installed"``."""
    try:
        return importlib.metadata.version(package)
    except importlib.metadata.PackageNotFoundError:
        return "not installed"


def installed(peer: str) -> bool:
    """Whether every module ``peer`` needs can be imported."""
    return all(importlib.util.find_spec(name) is not None for name in MODULES[peer])


def unsupported(peer: str, input_dim: int, activation: str, whole: bool) -> bool:
    """Whether ``peer`` cannot handle this case at all (reported as "n/a").

    regioncam: 2-D ReLU networks on the square ``[-1, 1]^2`` (it has ``relu`` and
    ``leaky_relu`` layers but no hard tanh, and its domain is always a square).
    relucent: ReLU networks only (its converter rejects ``nn.Hardtanh``), any input dimension,
    on a box or on all of R^d.
    """
    if peer == "regioncam":
        return input_dim != 2 or activation != "relu" or whole
    return activation != "relu"


def count_regioncam(layers, whole: bool = False) -> tuple[int, float]:
    """Faces of regioncam's partition of ``[-1, 1]^2``: float32 weights as ``(in, out)``.

    The output layer is not applied: its own zero set would split regions too. ``whole`` is
    there for a common signature only: regioncam has no whole-space mode (see ``unsupported``).
    """
    import regioncam

    hidden = [(w.T.astype(np.float32), b.astype(np.float32)) for w, b in layers[:-1]]
    started = time.perf_counter()
    cam = regioncam.Regioncam(size=1.0)
    for weight, bias in hidden:
        cam.linear(weight, bias)
        cam.relu()
    count = cam.num_faces
    return count, time.perf_counter() - started


def torch_sequential(layers):
    """The network as a float64 ``torch.nn.Sequential`` (Linear, ReLU, ..., Linear)."""
    import torch

    modules = []
    for weight, bias in layers:
        linear = torch.nn.Linear(weight.shape[1], weight.shape[0], dtype=torch.float64)
        with torch.no_grad():
            linear.weight.copy_(torch.tensor(weight))
            linear.bias.copy_(torch.tensor(bias))
        modules += [linear, torch.nn.ReLU()]
    return torch.nn.Sequential(*modules[:-1])


def count_relucent(layers, whole: bool = False) -> tuple[int, float]:
    """Cells found by relucent's breadth-first search, clipped to ``[-1, 1]^d`` unless ``whole``.

    The search starts from a random point near the origin (the default start, the origin
    itself, fails when it lies on a hyperplane, e.g. for bias-free layers). Must run in a
    process whose main module is guarded by ``if __name__ == "__main__":`` (worker processes).
    """
    import relucent

    model = torch_sequential(layers)
    start = np.random.default_rng(1).uniform(-1e-2, 1e-2, size=layers[0][0].shape[1])
    cube = {} if whole else {"cube_radius": 1.0, "cube_mode": "clipped"}
    started = time.perf_counter()
    cplx = relucent.Complex(model)
    cplx.bfs(start=start, nworkers=RELUCENT_WORKERS, verify=False, verbose=0, **cube)
    return len(cplx), time.perf_counter() - started


#: Peer name -> adapter.
COUNTERS = {"regioncam": count_regioncam, "relucent": count_relucent}
