"""Renamed public names (``regions.deprecation``): each old name still gives the function
under its new name, with a DeprecationWarning, for one release; docs/release.md lists
exactly these renames. The expected renames are written out here, not read from the
package's ``RENAMED`` tables."""

import importlib
import re
import warnings
from pathlib import Path

import pytest

RENAMES = {
    ("regions", "load"): "read_network",
    ("regions", "save"): "write_network",
    ("regions", "to_json"): "write_json",
    ("regions", "to_npz"): "write_npz",
    ("regions.io.networks", "load"): "read_network",
    ("regions.io.networks", "save"): "write_network",
    ("regions.io.networks", "load_torch"): "read_torch",
    ("regions.io.partitions", "to_json"): "write_json",
    ("regions.io.partitions", "to_npz"): "write_npz",
    ("regions.pictures", "save_figure"): "write_figure",
}
ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize("module, old", sorted(RENAMES), ids=lambda x: x)
def test_an_old_name_warns_and_gives_the_new_function(module, old):
    namespace = importlib.import_module(module)
    new = RENAMES[module, old]
    assert old not in namespace.__all__ and new in namespace.__all__
    with pytest.warns(DeprecationWarning, match=rf"{re.escape(module)}\.{old} is deprecated"
                                                 rf".*use {re.escape(module)}\.{new}$"):
        function = getattr(namespace, old)
    assert function is getattr(namespace, new)


def test_the_old_names_work_where_users_called_them(tmp_path):
    """A script of the previous release still runs: it writes and reads a network and a
    partition by the old names (one warning per name), with the same results."""
    import numpy as np

    import regions
    net = regions.Network.from_layers([([[1.0, 0.0], [0.0, 1.0]], [0.0, 0.0]),
                                       ([[1.0, 1.0]], [0.0])])
    part = regions.enumerate_regions(net, regions.box(-1, 1))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        regions.save(net, tmp_path / "net.npz")
        back = regions.load(tmp_path / "net.npz")
        text = regions.to_json(part)
        regions.to_npz(part, tmp_path / "part.npz")
    assert [w.category for w in caught] == [DeprecationWarning] * 4
    assert all(np.array_equal(a.weight, b.weight) for a, b in zip(net.layers, back.layers))
    assert text == regions.write_json(part)
    assert np.array_equal(regions.read_npz(tmp_path / "part.npz").patterns, part.patterns)


def test_unknown_names_still_raise_attribute_error():
    import regions
    with pytest.raises(AttributeError, match="has no attribute 'lod'"):
        regions.lod


def test_the_release_notes_list_every_rename():
    text = (ROOT / "docs" / "release.md").read_text()
    listed = set(re.findall(r"^\| `([\w.]+)` \| `([\w.]+)` \|$", text, re.M))
    assert listed == {(f"{module}.{old}", f"{module}.{new}")
                      for (module, old), new in RENAMES.items()}
