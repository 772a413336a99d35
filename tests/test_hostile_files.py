"""Loaders never unpickle, never allocate absurd sizes, and fail with FileFormatError/NetworkError."""

import io
import os
import pickle
import zipfile

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import regions
from regions.io.networks import MAX_ARRAY_ELEMENTS

KEYS = ["W0", "b0", "W1", "b1", "W2", "activations", "extra"]
DTYPES = st.sampled_from([np.float64, np.float32, np.int32, np.int8, np.bool_, np.complex128,
                          "U6"])
ARRAYS = DTYPES.flatmap(lambda dtype: hnp.arrays(dtype, hnp.array_shapes(min_dims=0, max_dims=3,
                                                                         max_side=4)))
HYPO = settings(max_examples=150, deadline=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture])


def well_formed_file(path):
    rng = np.random.default_rng(0)
    np.savez(path, W0=rng.normal(size=(3, 2)), b0=rng.normal(size=3),
             W1=rng.normal(size=(1, 3)), b1=np.zeros(1))


@HYPO
@given(contents=st.dictionaries(st.sampled_from(KEYS), ARRAYS, max_size=6))
def test_random_arrays_load_or_fail_cleanly(tmp_path, contents):
    path = tmp_path / "fuzz.npz"
    np.savez(path, **contents)
    try:
        net = regions.read_network(path)
    except regions.RegionsError:
        return
    # Whatever loads is a valid network: finite weights, chained shapes.
    for layer in net.layers:
        assert np.all(np.isfinite(layer.weight)) and layer.weight.ndim == 2
    assert net.forward(np.zeros(net.input_dim)).shape == (net.output_dim,)


@HYPO
@given(fraction=st.floats(0.0, 0.999))
def test_truncated_files_fail_cleanly(tmp_path, fraction):
    path = tmp_path / "net.npz"
    well_formed_file(path)
    data = path.read_bytes()
    path.write_bytes(data[: int(len(data) * fraction)])
    with pytest.raises(regions.FileFormatError):
        regions.read_network(path)


def test_nan_weights_rejected(tmp_path):
    path = tmp_path / "nan.npz"
    np.savez(path, W0=np.array([[np.nan, 1.0]]), b0=np.zeros(1))
    with pytest.raises(regions.NetworkError, match="NaN"):
        regions.read_network(path)


def test_object_arrays_are_never_unpickled(tmp_path):
    path = tmp_path / "evil.npz"
    np.savez(path, W0=np.array([object()], dtype=object), b0=np.zeros(1))
    with pytest.raises(regions.FileFormatError, match="objects"):
        regions.read_network(path)


def test_absurd_shape_rejected_before_allocation(tmp_path):
    """A header claiming 10^12 float64 (8 TB) is refused from the header alone."""
    path = tmp_path / "huge.npz"
    header = io.BytesIO()
    np.lib.format.write_array_header_1_0(
        header, {"descr": "<f8", "fortran_order": False, "shape": (10**6, 10**6)})
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("W0.npy", header.getvalue() + b"\0" * 64)
        archive.writestr("b0.npy", header.getvalue())
    with pytest.raises(regions.FileFormatError, match=f"{MAX_ARRAY_ELEMENTS:,}"):
        regions.read_network(path)


def test_not_a_zip(tmp_path):
    path = tmp_path / "text.npz"
    path.write_text("hello")
    with pytest.raises(regions.FileFormatError):
        regions.read_network(path)


class Exploit:
    def __reduce__(self):
        return (os.system, ("echo pwned > /dev/null",))


def test_torch_files_load_weights_only(tmp_path):
    torch = pytest.importorskip("torch")
    good = tmp_path / "model.pt"
    model = torch.nn.Sequential(torch.nn.Linear(2, 4), torch.nn.ReLU(), torch.nn.Linear(4, 1))
    torch.save(model.state_dict(), good)
    net = regions.read_network(good, activations=["relu", "identity"])
    x = np.random.default_rng(0).normal(size=(5, 2))
    expected = model.double()(torch.tensor(x)).detach().numpy()
    assert np.allclose(net.forward(x), expected)

    evil = tmp_path / "evil.pt"
    with open(evil, "wb") as handle:
        pickle.dump({"0.weight": Exploit()}, handle)
    with pytest.raises(regions.FileFormatError):
        regions.read_network(evil, activations=["relu", "identity"])
