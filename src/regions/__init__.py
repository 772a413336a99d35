"""regions: exact enumeration of the linear regions of piecewise-linear networks.

Four ReLU lines through the origin cut the plane into 8 regions:

>>> import numpy as np
>>> import regions
>>> W = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0], [1.0, -1.0]])
>>> net = regions.Network.from_layers([(W, np.zeros(4)), (np.ones((1, 4)), np.zeros(1))])
>>> part = regions.enumerate_regions(net)
>>> len(part), part.per_layer, part.complete
(8, [8, 8], True)
>>> len(regions.enumerate_regions(net, regions.box(-1, 1)))
8

The public names, in the order the data flows:

Networks
    Network, Layer, read_network, write_network, from_torch, from_onnx
Domains
    Domain, AnyDimension, whole_space, box, polytope, plane, line, segment,
    tolerance_scale, MIN_RADIUS
Enumeration
    enumerate_regions, count_regions
Partitions
    Partition, Region, RegionCount, minimal_rows
Analyses of a partition
    adjacency_graph, linear_pieces, LinearPieces, region_path, segment_path, certify,
    Certificate, Violation, verify, VerifyReport, compare, Comparison, canonical, Canonical
Bounds and sampled estimates
    bounds, sampling
The polyhedral complex
    face_lattice, FaceLattice, decision_boundary, DecisionBoundary, betti_numbers,
    boundary_betti_numbers, unbounded_components, critical_points, CriticalPoint,
    sublevel_persistence, superlevel_persistence, entropy, EntropyReport
Files and pictures
    write_json, read_json, write_npz, read_npz, write_graph, read_graph, plot
Errors
    RegionsError, NetworkError, DomainError, FileFormatError, CheckpointError

Renamed names, kept for one release (each warns with a DeprecationWarning): ``load`` and
``save`` (now ``read_network`` and ``write_network``), ``to_json`` and ``to_npz`` (now
``write_json`` and ``write_npz``).
"""

import importlib.metadata

from . import bounds, sampling
from .analysis.certify import Certificate, Violation, certify
from .analysis.canonical import Canonical, canonical
from .analysis.compare import Comparison, compare
from .domain import (AnyDimension, Domain, box, line, plane, polytope, segment, tolerance_scale,
                     whole_space)
from .enumeration import count_regions, enumerate_regions
from .complex.decision import DecisionBoundary, decision_boundary
from .complex.homology import betti_numbers, boundary_betti_numbers, unbounded_components
from .complex.dynamics import EntropyReport, entropy
from .complex.persistence import (CriticalPoint, critical_points, sublevel_persistence,
                                 superlevel_persistence)
from .complex.faces import FaceLattice, face_lattice
from .analysis.graph import adjacency_graph
from .analysis.pieces import LinearPieces, linear_pieces
from .analysis.paths import region_path, segment_path
from .errors import CheckpointError, DomainError, FileFormatError, NetworkError, RegionsError
from .deprecation import renamed_attribute
from .io.networks import read_network, write_network
from .network import Layer, Network
from .partition import Partition, Region, RegionCount
from .pictures import plot
from .polyhedra import minimal_rows
from .io.partitions import (read_graph, read_json, read_npz, write_graph, write_json,
                            write_npz)
from .tolerances import MIN_RADIUS
from .io.onnx_model import from_onnx
from .io.torch_model import from_torch
from .analysis.verify import VerifyReport, verify

__all__ = [
    # networks
    "Network", "Layer", "read_network", "write_network", "from_torch", "from_onnx",
    # domains
    "Domain", "AnyDimension", "whole_space", "box", "polytope", "plane", "line", "segment",
    "tolerance_scale", "MIN_RADIUS",
    # enumeration
    "enumerate_regions", "count_regions",
    # partitions
    "Partition", "Region", "RegionCount", "minimal_rows",
    # analyses of a partition
    "adjacency_graph", "linear_pieces", "LinearPieces", "region_path", "segment_path",
    "certify", "Certificate", "Violation", "verify", "VerifyReport", "compare", "Comparison",
    "canonical", "Canonical",
    # bounds and sampled estimates
    "bounds", "sampling",
    # the polyhedral complex
    "face_lattice", "FaceLattice", "decision_boundary", "DecisionBoundary", "betti_numbers",
    "boundary_betti_numbers", "unbounded_components", "critical_points", "CriticalPoint",
    "sublevel_persistence", "superlevel_persistence", "entropy", "EntropyReport",
    # files and pictures
    "write_json", "read_json", "write_npz", "read_npz", "write_graph", "read_graph", "plot",
    # errors
    "RegionsError", "NetworkError", "DomainError", "FileFormatError", "CheckpointError",
]
__version__ = importlib.metadata.version("regions")

#: Old public names (deprecated, kept for one release; docs/release.md): old -> new.
RENAMED = {"load": "read_network", "save": "write_network", "to_json": "write_json",
           "to_npz": "write_npz"}


def __getattr__(name):
    return renamed_attribute(__name__, RENAMED, globals(), name)
