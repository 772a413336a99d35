"""Fixtures shared by the test files of every folder.

The helpers that build independent truths (``oracles``, ``rational_oracle``,
``geometry_oracle``), the run comparisons (``runs``) and the small networks written by
hand in several files (``nets``) are modules of this folder, imported by name:
pyproject.toml puts tests/ on the path (``pythonpath``).
"""

import pytest

import regions


@pytest.fixture
def network_file(tmp_path):
    """``network_file(net, name="net.npz")``: ``net`` written to ``name`` in the test's
    temporary folder (the ``.npz`` format of ``regions.write_network``); returns the path."""
    def write(net, name="net.npz"):
        path = tmp_path / name
        regions.write_network(net, path)
        return path

    return write
