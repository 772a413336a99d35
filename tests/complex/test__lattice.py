"""The level loop of the face lattice (regions.complex._lattice.descend) on hand-worked sign
tables: a rectangle cut in two, a 7-cube (128 vertices: two 64-bit words of generators),
and a table no polyhedron has."""

from itertools import product
from math import comb

import numpy as np
import pytest

from regions.complex._lattice import descend
from regions.errors import RegionsError


def run(table, regions, vertex_rows, top):
    """descend on rows given as lists, each region's rows a list; returns every face as
    ``{frozenset(rows): (dim, regions)}`` and the edges as pairs of row sets."""
    starts = np.cumsum([0] + [len(r) for r in regions])
    rows, row_starts, signs, dims, parents, children, owners, owner_starts = descend(
        np.array(table, dtype=np.int8), np.array(sum(regions, []), dtype=np.int32),
        starts.astype(np.int64), np.array(vertex_rows, dtype=np.int32), top)
    face = [frozenset(rows[row_starts[f]:row_starts[f + 1]].tolist()) for f in range(len(dims))]
    faces = {face[f]: (int(dims[f]), owners[owner_starts[f]:owner_starts[f + 1]].tolist())
             for f in range(len(dims))}
    assert len(faces) == len(dims)
    return faces, {(face[p], face[c]) for p, c in zip(parents, children)}, signs


def test_a_rectangle_cut_in_two():
    # [0, 2] x [0, 1] cut by x = 1. Labels: x - 1, then the domain rows x, 2 - x, y, 1 - y.
    # Vertices a (0, 0), b (1, 0), c (2, 0), d (0, 1), e (1, 1), f (2, 1).
    table = [[-1, 0, 1, 0, 1],     # a
             [0, 1, 1, 0, 1],      # b
             [1, 1, 0, 0, 1],      # c
             [-1, 0, 1, 1, 0],     # d
             [0, 1, 1, 1, 0],      # e
             [1, 1, 0, 1, 0]]      # f
    a, b, c, d, e, f = range(6)
    faces, edges, signs = run(table, [[a, b, d, e], [b, c, e, f]], [1] * 6, 2)
    expected = {frozenset(rows): (dim, owners) for rows, dim, owners in [
        ((a, b, d, e), 2, [0]), ((b, c, e, f), 2, [1]),
        ((a, d), 1, [0]), ((a, b), 1, [0]), ((d, e), 1, [0]), ((b, e), 1, [0, 1]),
        ((c, f), 1, [1]), ((b, c), 1, [1]), ((e, f), 1, [1]),
        ((a,), 0, [0]), ((d,), 0, [0]), ((b,), 0, [0, 1]), ((e,), 0, [0, 1]),
        ((c,), 0, [1]), ((f,), 0, [1])]}
    assert faces == expected
    # Every face's boundary: the faces one dimension down whose rows it holds.
    assert edges == {(big, small) for big in faces for small in faces
                     if faces[small][0] == faces[big][0] - 1 and small < big}
    # The regions' sign vectors first, then the shared edge's: 0 on x - 1 only.
    assert signs[:2].tolist() == [[-1, 1, 1, 1, 1], [1, 1, 1, 1, 1]]
    assert [0, 1, 1, 1, 1] in signs.tolist()


def test_a_7_cube_has_its_faces():
    # [0, 1]^7 and the labels x_i, 1 - x_i: a vertex v has x_i = 0 where v_i = 0, and
    # 1 - x_i = 0 where v_i = 1. A face fixes some coordinates: f_k = C(7, k) 2^(7 - k).
    corners = list(product([0, 1], repeat=7))
    table = [[s for v in corner for s in (v, 1 - v)] for corner in corners]
    faces, edges, _ = run(table, [list(range(len(corners)))], [1] * len(corners), 7)
    counts = np.bincount([dim for dim, _ in faces.values()], minlength=8).tolist()
    assert counts == [comb(7, k) * 2 ** (7 - k) for k in range(8)]
    assert all(len(rows) == 2 ** dim for rows, (dim, _) in faces.items())
    assert len(edges) == sum(comb(7, k) * 2 ** (7 - k) * 2 * k for k in range(1, 8))


def test_a_label_of_both_signs_on_a_face_is_refused():
    # Vertices (0, 0), (1, 0), (0, 1), (1, 1) with a label that is + at (1, 0) and - at
    # (0, 1): no face of a complex has it.
    table = [[0, 1, 0, 1, 0], [1, 0, 0, 1, 1], [0, 1, 1, 0, -1], [1, 0, 1, 0, 0]]
    with pytest.raises(RegionsError, match="changes sign"):
        run(table, [[0, 1, 2, 3]], [1] * 4, 2)
