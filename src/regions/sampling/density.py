"""The Hanin-Rolnick view: breakpoints per unit length along random lines, as a density."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ..domain import is_box, resolve
from ..errors import DomainError
from ..network import Network
from ..rounding import overflow_expected
from .lines import regions_along_lines

__all__ = ["DensityEstimate", "density_estimate", "density_from_counts"]


@dataclass(frozen=True)
class DensityEstimate:
    """The Hanin-Rolnick style density estimate (see :func:`density_estimate`).

    Attributes
    ----------
    dim : int
        Working dimension ``n`` of the domain.
    lines : int
    total_length : float
        Summed chord length of the lines (input units).
    transitions : int
        Summed breakpoints (region changes) met by the lines.
    crossings_per_length : float
        ``lambda = transitions / total_length``.
    standard_error : float
        Delta-method standard error of ``lambda`` (lines are i.i.d.).
    boundary_density : float
        ``S = n kappa_n / (2 kappa_{n-1}) * lambda``: (n-1)-volume of region
        boundaries per unit volume (Crofton).
    regions_per_volume : float
        ``kappa_n (lambda / 2)^n``.
    volume : float or None
        Volume of the domain (box-shaped domains only).
    expected_regions : float or None
        ``sum_k kappa_k (lambda / 2)^k V_k(domain)`` (box-shaped domains
        only, ``V_k`` the intrinsic volumes: elementary symmetric
        polynomials of the side lengths).
    neurons : int
        Breakpoint hyperplanes of the network (hard-tanh neurons count twice, a max unit
        once per pair of its inputs: :meth:`regions.Network.label_offsets`).
    """

    dim: int
    lines: int
    total_length: float
    transitions: int
    crossings_per_length: float
    standard_error: float
    boundary_density: float
    regions_per_volume: float
    volume: float | None
    expected_regions: float | None
    neurons: int

    @property
    def crossings_per_length_per_neuron(self) -> float:
        """``lambda / neurons``: Hanin and Rolnick predict it roughly independent of depth."""
        return self.crossings_per_length / self.neurons if self.neurons else 0.0


@overflow_expected
def density_estimate(network: Network, domain=None, lines: int = 1000, *,
                     seed: int = 0) -> DensityEstimate:
    """Regions per unit volume from breakpoint counts along random lines (Hanin and Rolnick).

    Hanin and Rolnick ("Complexity of linear regions in deep networks", ICML
    2019; "Deep ReLU networks have surprisingly few activation patterns",
    NeurIPS 2019) show that the expected number of region boundaries a line
    segment crosses grows like (number of neurons) x (length), whatever the
    depth, and that the number of regions per unit volume grows like
    (number of neurons)^n. This function measures the first quantity and
    converts it into the second the way an isotropic random hyperplane
    arrangement would:

    1. ``lambda``: breakpoints per unit length along isotropic uniform random
       lines through the (bounded) domain, the ratio of total transitions to
       total chord length; exact counts per line (:func:`line_intervals`).
       This is a consistent estimator of the mean boundary-crossing density
       of the network's partition inside the domain.
    2. By the Cauchy-Crofton formula the (n-1)-volume of the region
       boundaries per unit volume of the domain is
       ``S = n kappa_n / (2 kappa_{n-1}) * lambda`` (``kappa_j`` the volume
       of the unit j-ball; ``S = 2 lambda`` in 3-D, ``pi lambda / 2`` in 2-D).
       This step is exact in expectation: no model assumed.
    3. ``regions_per_volume = kappa_n (lambda / 2)^n`` is the number of cells
       per unit volume of a stationary isotropic Poisson hyperplane
       tessellation with the same ``lambda`` (its vertex intensity), and
       ``expected_regions = sum_k kappa_k (lambda/2)^k V_k(K)`` is that
       tessellation's expected number of cells meeting the box ``K``
       (boundary regions included; Hadwiger's theorem fixes the constants
       from the k-dimensional case). This step is a model: it is what
       "regions per unit volume from line crossings" means, not a bound.
       In 1-D it is exact: ``1 + lambda L``, the count along the segment.

    Needs a bounded domain (raises :class:`~regions.errors.DomainError`).
    """
    domain = resolve(domain, network)
    if not domain.is_bounded:
        raise DomainError("the density estimate needs a bounded domain (a box, a bounded "
                          "polytope or a bounded slice)")
    return density_from_counts(network, domain, regions_along_lines(network, domain, lines,
                                                                     seed=seed))


@overflow_expected
def density_from_counts(network: Network, domain, counts) -> DensityEstimate:
    """:func:`density_estimate` from the line counts of :func:`regions_along_lines` on a
    bounded, resolved ``domain``."""
    n = domain.dim
    crossings = (counts.counts - 1).astype(np.float64)
    total = float(counts.lengths.sum())
    lam = float(crossings.sum()) / total
    residual = crossings - lam * counts.lengths
    error = float(np.sqrt(np.sum(residual ** 2))) / total
    boundary = n * _ball_volume(n) / (2.0 * _ball_volume(n - 1)) * lam
    per_volume = float(_ball_volume(n) * np.float64(lam / 2.0) ** n)  # inf beyond float64
    volume = expected = None
    if is_box(domain):
        sides = domain.upper - domain.lower
        volume = float(np.prod(sides))
        # e_k of the sides scaled by lam / 2 (coefficient k of prod (x + s_i lam / 2)):
        # (lam / 2)^k e_k(sides) without the overflow of each factor
        elementary = np.poly(-sides * (lam / 2.0))
        expected = float(sum(_ball_volume(k) * elementary[k] for k in range(n + 1)))
    neurons = int(network.label_offsets()[-1])
    return DensityEstimate(n, counts.lines, total, int(crossings.sum()), lam, error, boundary,
                           per_volume, volume, expected, neurons)


def _ball_volume(j: int) -> float:
    return math.pi ** (j / 2.0) / math.gamma(j / 2.0 + 1.0)
