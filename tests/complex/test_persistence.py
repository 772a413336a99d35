"""Critical points and sublevel persistence in 2-D, against hand-worked functions."""

import numpy as np
import pytest

import regions
from regions.complex.persistence import critical_points, sublevel_persistence


def two_wells():
    """f = ||x1| - 1/2| + |x2|: minima 0 at (+-1/2, 0), a saddle of value 1/2 at the origin."""
    layer1 = ([[1.0, 0], [-1, 0], [0, 1], [0, -1]], [0.0] * 4)
    layer2 = ([[1.0, 1, 0, 0], [-1, -1, 0, 0], [0, 0, 1, 1]], [-0.5, 0.5, 0.0])
    return regions.Network.from_layers([layer1, layer2, ([[1.0, 1, 1]], [0.0])])


@pytest.mark.parametrize("method", ["split", "vertex"])
def test_two_wells(method):
    part = regions.enumerate_regions(two_wells(), regions.box(-1, 1), method=method)
    inside = [(p.kind, tuple(np.round(p.point, 9)), round(p.value, 9))
              for p in critical_points(part) if not p.on_boundary]
    assert sorted(inside) == [("minimum", (-0.5, 0.0), 0.0), ("minimum", (0.5, 0.0), 0.0),
                              ("saddle", (0.0, 0.0), 0.5)]
    bars = sublevel_persistence(part)
    assert bars[0].tolist() == [[0.0, 0.5], [0.0, np.inf]]
    assert bars[1].size == 0


def test_one_well_has_one_bar():
    # f = |x1| + |x2| on [-1, 1]^2: the sublevel sets are diamonds (then the box minus
    # corners), contractible from t = 0 on: one bar [0, inf) in H0, nothing in H1.
    net = regions.Network.from_layers([([[1.0, 0], [-1, 0], [0, 1], [0, -1]], [0.0] * 4),
                                       ([[1.0, 1, 1, 1]], [0.0])])
    part = regions.enumerate_regions(net, regions.box(-1, 1))
    bars = sublevel_persistence(part)
    assert bars[0].tolist() == [[0.0, np.inf]] and bars[1].size == 0


def test_refusals():
    # on R^2 every face of |x1| is a cylinder along x2: no vertex to rank
    net = regions.Network.from_layers([([[1.0, 0]], [0.0]), ([[1.0]], [0.0])])
    with pytest.raises(regions.DomainError, match="span fewer directions"):
        sublevel_persistence(regions.enumerate_regions(net))
    two = regions.Network.from_layers([(np.eye(2), np.zeros(2)), (np.eye(2), np.zeros(2))])
    with pytest.raises(regions.RegionsError, match="scalar output"):
        critical_points(regions.enumerate_regions(two, regions.box(-1, 1)))


def test_cli_topology_reports_them(tmp_path, capsys):
    import json
    from regions.cli import main
    path = tmp_path / "wells.npz"
    regions.write_network(two_wells(), path)
    assert main(["topology", str(path), "--box", "-1", "1", "--json", "--quiet"]) == 0
    summary = json.loads(capsys.readouterr().out)
    inside = sorted(p["kind"] for p in summary["critical_points"] if not p["on_boundary"])
    assert inside == ["minimum", "minimum", "saddle"]
    assert summary["persistence"]["0"] == [[0.0, 0.5], [0.0, "inf"]]
