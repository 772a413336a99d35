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
"""

import importlib.metadata

from . import bounds, sampling
from .analysis.certify import Certificate, Violation, certify
from .analysis.compare import Comparison, compare
from .domain import (AnyDimension, Domain, box, line, plane, polytope, segment, tolerance_scale,
                     whole_space)
from .enumeration import count_regions, enumerate_regions
from .complex.decision import DecisionBoundary, decision_boundary
from .complex.homology import betti_numbers, boundary_betti_numbers
from .complex.dynamics import EntropyReport, entropy
from .complex.persistence import CriticalPoint, critical_points, sublevel_persistence
from .complex.faces import FaceLattice, face_lattice
from .analysis.graph import adjacency_graph
from .analysis.pieces import LinearPieces, linear_pieces
from .analysis.paths import region_path, segment_path
from .errors import CheckpointError, DomainError, FileFormatError, NetworkError, RegionsError
from .io.networks import load, save
from .network import Layer, Network
from .partition import Partition, Region, RegionCount
from .pictures import plot
from .polyhedra import minimal_rows
from .io.partitions import read_graph, read_json, read_npz, to_json, to_npz, write_graph
from .tolerances import MIN_RADIUS
from .io.onnx_model import from_onnx
from .io.torch_model import from_torch
from .analysis.verify import VerifyReport, verify

__all__ = [
    "CheckpointError",
    "AnyDimension", "adjacency_graph", "certify", "count_regions", "RegionCount", "to_json",
    "Domain", "DomainError", "FileFormatError", "Layer", "MIN_RADIUS", "Network", "from_torch", "from_onnx",
    "NetworkError", "Partition", "Region", "RegionsError", "box", "enumerate_regions", "line", "load",
    "plane", "polytope", "read_json", "save", "segment", "verify", "VerifyReport", "whole_space",
    "bounds", "sampling", "plot", "entropy", "face_lattice", "decision_boundary", "DecisionBoundary", "betti_numbers", "boundary_betti_numbers", "critical_points",
    "sublevel_persistence", "FaceLattice", "minimal_rows", "read_npz", "to_npz", "linear_pieces", "region_path", "segment_path",
    "compare", "Comparison", "Certificate", "Violation", "EntropyReport", "CriticalPoint",
    "LinearPieces", "tolerance_scale", "read_graph", "write_graph",
]
__version__ = importlib.metadata.version("regions")
