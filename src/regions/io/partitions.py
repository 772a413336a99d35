"""Lossless partition files (JSON and npz), and graph files for networkx, Gephi and Cytoscape.

:func:`write_json` writes everything an enumeration produced: the network, the
domain, and per region its pattern, H-representation (rows, right-hand
sides, labels, as the engine kept them), witness, margin and affine map;
:func:`read_json` rebuilds an equal :class:`regions.Partition` (floats are
written with Python's shortest round-tripping repr, so every array comes
back bit for bit; non-finite numbers, which plain JSON lacks, are written as
the strings ``"inf"``, ``"-inf"`` and ``"nan"``; a slice's exact rational basis,
:meth:`regions.Domain.exact_basis`, as ``"p/q"`` strings beside the float64 one, so a
partition read back is over exactly the same set). :func:`write_npz` and
:func:`read_npz` hold the same content as numpy arrays (the network, domain
and run metadata as the same JSON, in the ``header`` entry), smaller and
faster for large partitions.

:func:`write_graph` picks the format from the file extension: ``.graphml``,
``.gexf`` or ``.json`` (networkx node-link data, ``edges`` key).
"""

from __future__ import annotations

import json
import os
from dataclasses import fields
from fractions import Fraction

import networkx as nx
import numpy as np

from ..deprecation import renamed_attribute
from ..domain import Domain
from ..errors import FileFormatError
from ..network import Network, make_layer
from ..partition import Partition, Region

__all__ = ["FORMAT", "FORMAT_VERSION", "RENAMED", "pattern_string", "parse_pattern", "jsonable",
           "partition_dict", "write_json", "read_json", "write_npz", "read_npz", "graph_format",
           "write_graph", "read_graph"]

#: Old names of this module's functions (deprecated, kept for one release): old -> new.
RENAMED = {"to_json": "write_json", "to_npz": "write_npz"}

FORMAT = "regions.partition"
#: Version 2 names the domain's right-hand sides ``b`` (as a region's), not ``c``.
FORMAT_VERSION = 2

_STATE_CHARS = {-1: "-", 0: "0", 1: "1"}
_CHAR_STATES = {c: s for s, c in _STATE_CHARS.items()}


def pattern_string(network: Network, pattern, part: slice | None = None) -> str:
    """Compact text of an activation pattern: ``0``/``1``/``-`` per state, ``|`` between
    layers; a max layer's states (window positions) as decimal numbers separated by ``,``,
    with a trailing ``,`` for a single unit (as a Python 1-tuple), so no layer's text is
    ambiguous.

    With ``part`` (one layer's slice of the pattern, from ``network.pattern_slices()``)
    only that layer's text; another slice is a ValueError.

    >>> net = Network.from_layers([(np.eye(3), np.zeros(3)), (np.eye(3)[:2], np.zeros(2)),
    ...                            ([[1.0]], [0.0])], ["relu", "max", "identity"],
    ...                           windows={1: [[0, 1]]})
    >>> pattern_string(net, np.array([1, 0, 1, 1], np.int8))
    '101|1,'
    """
    pattern = np.asarray(pattern)
    layers = list(zip(network.layers, network.pattern_slices()))
    if part is not None:
        layers = [(layer, s) for layer, s in layers
                  if (s.start, s.stop) == (part.start, part.stop)]
        if not layers:
            raise ValueError(f"the slice {part} of the pattern is not one layer's states")
    return "|".join(_layer_text(pattern[s], layer.activation) for layer, s in layers
                    if s.stop > s.start)


def _layer_text(states: np.ndarray, activation: str) -> str:
    if activation == "max":
        text = ",".join(str(int(v)) for v in states)
        return text + "," if len(states) == 1 else text
    return "".join(_STATE_CHARS[int(v)] for v in states)


def parse_pattern(text: str) -> np.ndarray:
    """Inverse of :func:`pattern_string`: the pattern (P,) int8.

    >>> parse_pattern("-01|10").tolist(), parse_pattern("1|0,12,3|4,").tolist()
    ([-1, 0, 1, 1, 0], [1, 0, 12, 3, 4])
    """
    states = []
    for segment in text.split("|"):
        if "," in segment:
            try:
                values = [int(v) for v in segment.split(",") if v != ""]
                if any(not -128 <= v <= 127 for v in values):
                    raise ValueError
                states += values
            except ValueError:
                raise FileFormatError(f"bad max states {segment!r} in pattern string "
                                      f"{text!r}") from None
            continue
        try:
            states += [_CHAR_STATES[c] for c in segment]
        except KeyError as exc:
            raise FileFormatError(f"bad character {exc} in pattern string {text!r}") from None
    return np.array(states, dtype=np.int8)


# --------------------------------------------------------------------------- partitions


def jsonable(value):
    """``value`` with numpy arrays and scalars turned into plain JSON types, recursively.

    The one JSON encoding of the package: arrays become nested lists, numpy
    integers, floats and booleans Python ones (integers of any size stay
    exact), and non-finite floats, which JSON lacks, the strings ``"inf"``,
    ``"-inf"`` and ``"nan"`` (``float()`` reads them back).

    >>> jsonable({"x": np.array([1.0, np.inf]), "n": np.int64(3), "ok": np.bool_(True)})
    {'x': [1.0, 'inf'], 'n': 3, 'ok': True}
    """
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    if isinstance(value, np.ndarray):
        return jsonable(value.tolist())
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, (float, np.floating)):
        value = float(value)
        return value if np.isfinite(value) else str(value)
    return value


def _encode(array) -> list:
    """A float array (or scalar) as :func:`jsonable` lists."""
    return jsonable(np.asarray(array, dtype=np.float64))


def _decode(value, shape_tail=()) -> np.ndarray:
    def number(v):
        return float(v)  # float("inf") / float("nan") read the string forms

    def walk(v):
        return [walk(x) for x in v] if isinstance(v, list) else number(v)

    array = np.array(walk(value), dtype=np.float64)
    return array.reshape((-1,) + tuple(shape_tail)) if shape_tail else array


_SCALARS = (bool, int, float, str, type(None))
_NON_FINITE = ("inf", "-inf", "nan")


def partition_dict(part) -> dict:
    """The JSON-ready dictionary written by :func:`write_json`."""
    regions = []
    for region in part:
        regions.append({
            "pattern": pattern_string(part.network, region.pattern),
            "witness": _encode(region.witness),
            "margin": _encode(region.margin),
            "A": _encode(region.A), "b": _encode(region.b),
            "labels": [int(v) for v in region.labels],
            "C": _encode(region.C), "d": _encode(region.d),
        })
    return {**_header(part), "regions": regions}


def _header(part) -> dict:
    """Format, network, domain and run metadata: everything but the regions."""
    network, domain = part.network, part.domain
    metadata = {}
    for f in fields(part):
        value = getattr(part, f.name)
        if f.name.startswith("_") or f.name in ("network", "domain", "rows", "maps"):
            continue
        if isinstance(value, (np.generic, np.ndarray)) and np.ndim(value) == 0:
            value = value.item()
        if isinstance(value, (list, tuple)) and all(isinstance(v, _SCALARS) for v in value):
            metadata[f.name] = list(value)
        elif isinstance(value, float):
            metadata[f.name] = _encode(value)
        elif isinstance(value, _SCALARS):
            metadata[f.name] = value
    return {
        "format": FORMAT,
        "version": FORMAT_VERSION,
        "network": {"layers": [_layer_dict(layer) for layer in network.layers]},
        "domain": _domain_dict(domain),
        "partition": metadata,
    }


def _domain_dict(domain: Domain) -> dict:
    """A domain's JSON; a slice's exact basis as ``"p/q"`` strings (``rational_basis``)."""
    data = {"kind": domain.kind, "A": _encode(domain.A), "b": _encode(domain.b),
            "origin": _encode(domain.origin), "basis": _encode(domain.basis),
            "lower": _encode(domain.lower), "upper": _encode(domain.upper)}
    if domain.rational_basis is not None:
        data["rational_basis"] = [[str(Fraction(v)) for v in row]
                                  for row in domain.rational_basis]
    return data


def _layer_dict(layer) -> dict:
    """One layer's JSON: weight, bias, activation, slope, and a max layer's windows."""
    data = {"weight": _encode(layer.weight), "bias": _encode(layer.bias),
            "activation": layer.activation, "slope": float(layer.slope)}
    if layer.windows is not None:
        data["windows"] = layer.windows.tolist()
    return data


def write_json(part, path=None, indent: int | None = None) -> str:
    """The partition as JSON text (and written to ``path`` when given).

    >>> import regions
    >>> net = regions.Network.from_layers([([[1.0, 0.0]], [0.0]), ([[1.0]], [0.0])])
    >>> part = regions.enumerate_regions(net, regions.box(-1, 1))
    >>> again = read_json(write_json(part))
    >>> len(again), bool((again.patterns == part.patterns).all())
    (2, True)
    """
    text = json.dumps(partition_dict(part), indent=indent, allow_nan=False)
    if path is not None:
        with open(os.fspath(path), "w", encoding="utf-8") as handle:
            handle.write(text)
    return text


def read_json(source) -> Partition:
    """Rebuild a partition from :func:`write_json` output: a path, or the JSON text itself.

    Raises :class:`regions.FileFormatError` for unreadable files, invalid JSON
    or a document that is not a serialised partition.

    Examples
    --------
    >>> import numpy as np
    >>> import regions
    >>> net = regions.Network.from_layers([([[1.0, 0.0], [0.0, 1.0]], [0.0, 0.0]),
    ...                                    ([[1.0, 1.0]], [0.0])])
    >>> part = regions.enumerate_regions(net, regions.box(-1, 1))
    >>> back = regions.read_json(regions.write_json(part))
    >>> len(back), bool((back.patterns == part.patterns).all())
    (4, True)
    """
    if isinstance(source, str) and source.lstrip().startswith("{"):
        text = source
    else:
        path = os.fspath(source)
        try:
            with open(path, encoding="utf-8") as handle:
                text = handle.read()
        except OSError as exc:
            raise FileFormatError(f"cannot read {path}: {exc}") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise FileFormatError(f"not valid JSON: {exc}") from None
    _check_header(data)
    try:
        return _partition_from_dict(data)
    except (KeyError, TypeError, ValueError) as exc:
        raise FileFormatError(f"malformed partition JSON: {exc!r}") from None


def write_npz(part, path) -> None:
    """Write the partition to ``path`` (.npz): what :func:`write_json` writes, as arrays.

    Entries: ``header`` (the JSON of the network, domain and run metadata),
    ``patterns`` (R, P) int8, ``witnesses`` (R, dim), ``margins`` (R,), the
    rows of every region stacked as ``A`` (M, dim), ``b`` (M,), ``labels``
    (M,) with region ``i``'s in ``row_offsets[i]:row_offsets[i + 1]``, and
    the affine maps ``C`` (R, out, dim), ``d`` (R, out).

    >>> import os, tempfile
    >>> import regions
    >>> net = regions.Network.from_layers([([[1.0, 0.0]], [0.0]), ([[1.0]], [0.0])])
    >>> part = regions.enumerate_regions(net, regions.box(-1, 1))
    >>> path = os.path.join(tempfile.mkdtemp(), "part.npz")
    >>> write_npz(part, path)
    >>> again = read_npz(path)
    >>> len(again), bool((again.patterns == part.patterns).all())
    (2, True)
    >>> all((again.constraints(i)[0] == part.constraints(i)[0]).all() for i in range(2))
    True
    """
    dim, out, count = part.domain.dim, part.network.output_dim, len(part)
    rows = [part.constraints(i) for i in range(count)]
    maps = [part.affine_map(i) for i in range(count)]
    sizes = np.array([len(b) for _, b, _ in rows], dtype=np.int64)
    with open(os.fspath(path), "wb") as handle:     # a handle: numpy adds no ".npz" suffix
        _save_arrays(handle, part, rows, maps, sizes, dim, out, count)


def _save_arrays(handle, part, rows, maps, sizes, dim: int, out: int, count: int) -> None:
    np.savez_compressed(
        handle, header=np.array(json.dumps(_header(part), allow_nan=False)),
        patterns=part.patterns, witnesses=part.witnesses, margins=part.margins,
        row_offsets=np.concatenate([[0], np.cumsum(sizes)]),
        A=np.concatenate([A for A, _, _ in rows]) if count else np.zeros((0, dim)),
        b=np.concatenate([b for _, b, _ in rows]) if count else np.zeros(0),
        labels=np.concatenate([l for _, _, l in rows]) if count else np.zeros(0, np.int64),
        C=np.array([C for C, _ in maps]).reshape(count, out, dim),
        d=np.array([d for _, d in maps]).reshape(count, out))


def read_npz(path) -> Partition:
    """Rebuild a partition from :func:`write_npz` output (raises :class:`regions.FileFormatError`
    for a file that is not one).

    Examples
    --------
    >>> import numpy as np
    >>> import regions
    >>> net = regions.Network.from_layers([([[1.0, 0.0], [0.0, 1.0]], [0.0, 0.0]),
    ...                                    ([[1.0, 1.0]], [0.0])])
    >>> import os, tempfile
    >>> path = os.path.join(tempfile.mkdtemp(), "part.npz")
    >>> regions.write_npz(regions.enumerate_regions(net, regions.box(-1, 1)), path)
    >>> len(regions.read_npz(path))
    4
    """
    path = os.fspath(path)
    try:
        stored = np.load(path, allow_pickle=False)
        if not isinstance(stored, np.lib.npyio.NpzFile):
            raise ValueError("not an .npz archive")
        with stored:
            arrays = {key: stored[key] for key in stored.files}
        data = json.loads(str(arrays.pop("header")))
    except (OSError, ValueError, KeyError) as exc:
        raise FileFormatError(f"cannot read a partition from {path}: {exc}") from None
    _check_header(data)
    try:
        network, domain = _network_and_domain(data)
        offsets = arrays["row_offsets"]
        count = len(arrays["patterns"])
        rows = len(arrays["A"])
        if (len(offsets) != count + 1 or offsets[0] != 0 or np.any(np.diff(offsets) < 0)
                or offsets[-1] != rows or len(arrays["b"]) != rows
                or len(arrays["labels"]) != rows
                or any(len(arrays[k]) != count for k in ("witnesses", "margins", "C", "d"))):
            raise ValueError("its arrays do not agree in length")
        found = [Region(arrays["patterns"][i].astype(np.int8),
                        arrays["A"][offsets[i]:offsets[i + 1]],
                        arrays["b"][offsets[i]:offsets[i + 1]],
                        arrays["labels"][offsets[i]:offsets[i + 1]].astype(np.int64),
                        arrays["witnesses"][i], float(arrays["margins"][i]), arrays["C"][i],
                        arrays["d"][i])
                 for i in range(len(offsets) - 1)]
        return Partition.from_regions(network, domain, found, **_metadata(data))
    except (KeyError, TypeError, ValueError, IndexError) as exc:
        raise FileFormatError(f"malformed partition npz {path}: {exc!r}") from None


def _check_header(data) -> None:
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise FileFormatError(f"not a serialised partition (no \"format\": \"{FORMAT}\")")
    if data.get("version") != FORMAT_VERSION:
        raise FileFormatError(f"unsupported partition format version {data.get('version')!r}")


def _network_and_domain(data: dict) -> tuple[Network, Domain]:
    network = Network([make_layer(_decode(layer["weight"]), _decode(layer["bias"]),
                                  layer["activation"], layer["slope"], index,
                                  layer.get("windows"))
                       for index, layer in enumerate(data["network"]["layers"])])
    d = data["domain"]
    origin = _decode(d["origin"])
    basis = _decode(d["basis"]).reshape(origin.size, -1)
    dim = basis.shape[1]
    rational = None if d.get("rational_basis") is None else _exact_rows(d["rational_basis"],
                                                                        basis)
    domain = Domain(d["kind"], _decode(d["A"], (dim,)), _decode(d["b"]), origin, basis,
                    _decode(d["lower"]), _decode(d["upper"]), rational)
    return network, domain


def _exact_rows(value, basis: np.ndarray) -> tuple:
    """A slice's exact basis from its ``"p/q"`` strings, checked against ``basis`` (n, dim),
    which must be it rounded to float64; ValueError when it is not."""
    if not (isinstance(value, list) and len(value) == basis.shape[0]
            and all(isinstance(row, list) and len(row) == basis.shape[1] for row in value)
            and all(isinstance(v, str) for row in value for v in row)):
        raise ValueError(f"rational_basis must be {basis.shape[0]} lists of "
                         f"{basis.shape[1]} \"p/q\" strings")
    try:
        rows = tuple(tuple(Fraction(v) for v in row) for row in value)
    except ZeroDivisionError:
        raise ValueError("rational_basis has a zero denominator") from None
    if not np.array_equal(np.array([[float(v) for v in row] for row in rows]), basis):
        raise ValueError("basis is not rational_basis rounded to float64")
    return rows


def _metadata(data: dict) -> dict:
    """The run's attributes (``per_layer``, ``lps``, ...) from a header."""
    known = {f.name for f in fields(Partition)}
    metadata = {k: (float(v) if v in _NON_FINITE else v)
                for k, v in data["partition"].items() if k in known}
    for name in ("patterns", "witnesses", "margins"):
        metadata.pop(name, None)
    return metadata


def _partition_from_dict(data: dict) -> Partition:
    network, domain = _network_and_domain(data)
    dim, out = domain.dim, network.output_dim
    count = len(data["regions"])
    patterns = np.array([parse_pattern(r["pattern"]) for r in data["regions"]],
                        dtype=np.int8).reshape(count, network.pattern_length)
    found = []
    for i, r in enumerate(data["regions"]):
        found.append(Region(patterns[i], _decode(r["A"], (dim,)), _decode(r["b"]),
                            np.array(r["labels"], dtype=np.int64), _decode(r["witness"]),
                            float(r["margin"]), _decode(r["C"], (dim,)).reshape(out, dim),
                            _decode(r["d"])))
    return Partition.from_regions(network, domain, found, **_metadata(data))


# --------------------------------------------------------------------------- graphs

_GRAPH_FORMATS = {".graphml": "graphml", ".gexf": "gexf", ".json": "json"}


def graph_format(path) -> str:
    """``"graphml"``, ``"gexf"`` or ``"json"`` by the file extension (else FileFormatError)."""
    extension = os.path.splitext(os.fspath(path))[1].lower()
    if extension not in _GRAPH_FORMATS:
        raise FileFormatError(f"unknown graph file extension {extension!r} for {path}; "
                              f"use one of {', '.join(_GRAPH_FORMATS)}")
    return _GRAPH_FORMATS[extension]


def write_graph(G: nx.Graph, path) -> None:
    """Write ``G`` as GraphML, GEXF or node-link JSON, chosen by the extension of ``path``.

    Examples
    --------
    >>> import numpy as np
    >>> import regions
    >>> net = regions.Network.from_layers([([[1.0, 0.0], [0.0, 1.0]], [0.0, 0.0]),
    ...                                    ([[1.0, 1.0]], [0.0])])
    >>> import os, tempfile
    >>> path = os.path.join(tempfile.mkdtemp(), "graph.graphml")
    >>> graph = regions.adjacency_graph(regions.enumerate_regions(net, regions.box(-1, 1)))
    >>> regions.write_graph(graph, path)
    >>> graph = regions.read_graph(path)
    >>> graph.number_of_nodes(), graph.number_of_edges()
    (4, 4)
    """
    kind = graph_format(path)
    path = os.fspath(path)
    if kind == "graphml":
        nx.write_graphml(G, path)
    elif kind == "gexf":
        nx.write_gexf(_with_positions(G), path)
    else:
        with open(path, "w", encoding="utf-8") as handle:
            json.dump(nx.node_link_data(G, edges="edges"), handle)


def _with_positions(G: nx.Graph) -> nx.Graph:
    """A copy whose nodes carry GEXF ``viz`` positions (the witness), for Gephi's layout."""
    H = G.copy()
    for _, data in H.nodes(data=True):
        if "witness_0" in data:
            data["viz"] = {"position": {"x": data["witness_0"], "y": data.get("witness_1", 0.0),
                                        "z": data.get("witness_2", 0.0)}}
    return H


def _without_gexf_extras(G: nx.Graph) -> nx.Graph:
    """Drop what GEXF adds by itself: node ``label`` and ``viz``, edge ``id``."""
    for node, data in G.nodes(data=True):
        data.pop("viz", None)
        if data.get("label") == str(node):
            del data["label"]
    for _, _, data in G.edges(data=True):
        data.pop("id", None)
    return G


def read_graph(path) -> nx.Graph:
    """Read a graph written by :func:`~regions.write_graph` (integer node ids
    restored).

    Examples
    --------
    >>> import numpy as np
    >>> import regions
    >>> net = regions.Network.from_layers([([[1.0, 0.0], [0.0, 1.0]], [0.0, 0.0]),
    ...                                    ([[1.0, 1.0]], [0.0])])
    >>> import os, tempfile
    >>> path = os.path.join(tempfile.mkdtemp(), "graph.json")
    >>> graph = regions.adjacency_graph(regions.enumerate_regions(net, regions.box(-1, 1)))
    >>> regions.write_graph(graph, path)
    >>> regions.read_graph(path).number_of_edges()
    4
    """
    kind = graph_format(path)
    path = os.fspath(path)
    if kind == "graphml":
        return nx.read_graphml(path, node_type=int)
    if kind == "gexf":
        return _without_gexf_extras(nx.read_gexf(path, node_type=int))
    with open(path, encoding="utf-8") as handle:
        return nx.node_link_graph(json.load(handle), edges="edges")


def __getattr__(name):
    return renamed_attribute(__name__, RENAMED, globals(), name)
