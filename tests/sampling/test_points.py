"""Random points and lines (``regions.sampling``, points): points lie in their domain (box,
polytope, the radii of the whole space) and lines meet it."""

import numpy as np

import regions
from regions import sampling as S


def test_sample_points_respect_domains():
    rng = np.random.default_rng(0)
    box = regions.box([-1.0, 0.0], [1.0, 3.0])
    z = S.sample_points(box, 20_000, rng)
    assert box.contains(z).all()
    assert np.allclose(z.mean(axis=0), [0.0, 1.5], atol=0.05)
    triangle = regions.polytope([[-1.0, 0.0], [0.0, -1.0], [1.0, 1.0]], [0.0, 0.0, 1.0])
    z = S.sample_points(triangle, 5000, rng)
    assert z.shape == (5000, 2) and triangle.contains(z).all()
    whole = regions.whole_space(3)
    z = S.sample_points(whole, 5000, rng)
    radii = np.linalg.norm(z, axis=1)
    assert radii.min() >= S.UNBOUNDED_RADII[0] * (1 - 1e-12)
    assert radii.max() <= S.UNBOUNDED_RADII[1] * (1 + 1e-12)
    half = regions.polytope([[1.0, 0.0]], [-5.0])
    assert half.contains(S.sample_points(half, 1000, rng)).all()


def test_random_lines_meet_the_domain():
    rng = np.random.default_rng(1)
    domain = regions.box(-1, 1).resolve(3)
    p, u, lo, hi = S.random_lines(domain, 500, rng)
    assert np.allclose(np.linalg.norm(u, axis=1), 1.0)
    assert np.all(hi > lo)
    assert domain.contains(p + ((lo + hi) / 2)[:, None] * u).all()
    # The chords of the float lines computed exactly (what the line counts use).
    from regions.rational import matrix
    from regions.sampling.lines import exact_chords

    exact_lo, exact_hi = exact_chords(domain, matrix(p.T), matrix(u.T))
    assert np.allclose([float(t) for t in exact_lo], lo, rtol=0, atol=1e-12)
    assert np.allclose([float(t) for t in exact_hi], hi, rtol=0, atol=1e-12)
