"""Exceptions raised for bad input. Every one is a ``ValueError`` subclass."""


class RegionsError(ValueError):
    """Base class of every error this package raises on purpose."""


class NetworkError(RegionsError):
    """A network is malformed: bad shapes, non-finite weights, unknown activation."""


class DomainError(RegionsError):
    """A domain is malformed or empty: inverted box, infeasible polytope, collinear points."""


class FileFormatError(RegionsError):
    """A network file is missing, unreadable, or does not follow the ``.npz`` contract."""


class CheckpointError(FileFormatError):
    """A checkpoint cannot be written (read-only directory, full disk: the previous
    checkpoint is kept) or read (missing, truncated, corrupt, another format, or made
    for another network, domain or tolerance)."""
