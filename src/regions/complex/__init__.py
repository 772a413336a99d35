"""The polyhedral complex of a partition, beyond its top-dimensional regions.

* :mod:`~regions.complex.geometry`: vertices, polygons and intervals of regions;
* :mod:`~regions.complex.faces`: the face lattice in every dimension (:func:`regions.face_lattice`);
* :mod:`~regions.complex.homology`: Betti numbers of superlevel, sublevel and level sets;
* :mod:`~regions.complex.persistence`: critical points and sublevel persistence;
* :mod:`~regions.complex.decision`: the decision boundary (:func:`regions.decision_boundary`);
* :mod:`~regions.complex.dynamics`: laps and topological entropy of 1-D self-maps.
"""

__all__ = ["decision", "dynamics", "faces", "geometry", "homology", "persistence"]
