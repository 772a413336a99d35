"""Exceptions raised for bad input. Every one is a ``ValueError`` subclass."""

__all__ = ["RegionsError", "NetworkError", "DomainError", "FileFormatError", "CheckpointError",
           "SPELLINGS", "activations_spelling", "float64_overflow"]


class RegionsError(ValueError):
    """Base class of every error this package raises on purpose.

    A message that tells the caller which argument to give names it by a ``{field}`` of
    ``arguments``, ``{field: (as the Python API spells it, as the command line does)}``:
    ``str(error)`` reads the API's spelling, :attr:`command_line_message` the command
    line's.

    >>> error = RegionsError("give {shape}", arguments={"shape": SPELLINGS["input_shape"]})
    >>> str(error), error.command_line_message
    ('give input_shape=(C, H, W)', 'give --input-shape C,H,W')
    """

    def __init__(self, message: str = "", *, arguments: dict | None = None):
        self.template, self.arguments = message, dict(arguments or {})
        super().__init__(self._spelled(0))

    @property
    def command_line_message(self) -> str:
        """The message with every argument named as the command line spells it."""
        return self._spelled(1)

    def _spelled(self, which: int) -> str:
        message = self.template      # replaced, not str.format: a path may hold braces
        for field, spellings in self.arguments.items():
            message = message.replace("{" + field + "}", spellings[which])
        return message


#: How messages name the arguments that loading a model may need.
SPELLINGS = {
    "input_shape": ("input_shape=(C, H, W)", "--input-shape C,H,W"),
    "allow_pickle": ("allow_pickle=True", "--allow-pickle"),
}


def activations_spelling(activations: list) -> tuple[str, str]:
    """The ``activations`` argument with the value ``activations``, spelled as the API and
    the command line take it."""
    return f"activations={list(activations)!r}", f"--activations {','.join(activations)}"


class NetworkError(RegionsError):
    """A network is malformed: bad shapes, non-finite weights, unknown activation.

    Examples
    --------
    >>> import regions
    >>> regions.Network.from_layers([([[1.0, 2.0]], [0.0]), ([[1.0, 1.0]], [0.0])])
    Traceback (most recent call last):
        ...
    regions.errors.NetworkError: layer 1 expects 2 inputs but layer 0 has 1 outputs ...
    """


class DomainError(RegionsError):
    """A domain is malformed or empty: inverted box, infeasible polytope, collinear points.

    Examples
    --------
    >>> import regions
    >>> regions.box(1, -1)
    Traceback (most recent call last):
        ...
    regions.errors.DomainError: empty box: lo=1.0 is not below hi=-1.0
    """


class FileFormatError(RegionsError):
    """A network file is missing, unreadable, or does not follow the ``.npz`` contract.

    Examples
    --------
    >>> import regions
    >>> regions.read_network("net.txt")
    Traceback (most recent call last):
        ...
    regions.errors.FileFormatError: no such network file: net.txt
    """


class CheckpointError(FileFormatError):
    """A checkpoint cannot be written (read-only directory, full disk: the previous
    checkpoint is kept) or read (missing, truncated, corrupt, another format, or made
    for another network, domain or tolerance).

    Examples
    --------
    >>> import numpy as np
    >>> import regions
    >>> net = regions.Network.from_layers([([[1.0, 0.0], [0.0, 1.0]], [0.0, 0.0]),
    ...                                    ([[1.0, 1.0]], [0.0])])
    >>> regions.enumerate_regions(net, resume="missing.npz")
    Traceback (most recent call last):
        ...
    regions.errors.CheckpointError: no such checkpoint: missing.npz
    """


def float64_overflow(what: str, near: str = "", remedy: str = "") -> DomainError:
    """The refusal of a computation that needs ``what`` in float64 where it is beyond
    float64's range (about 1.8e308) on this network and domain, ``near`` that magnitude
    when known: products of weights of 1e200 and more, ratios of subnormal ones, or a
    domain reaching 1e300. Raised
    where the value appears, before any answer is given; ``remedy`` adds a way out
    particular to the caller.

    >>> str(float64_overflow("the apex", "1e+400"))[:56]
    'the apex is near 1e+400, beyond float64 (about 1.8e308) '
    """
    where = f"is near {near}, beyond" if near else "is beyond"
    return DomainError(
        f"{what} {where} float64 (about 1.8e308) on this network and domain, whose "
        f"weights' products or ratios (or the domain's extent) leave float64's range. "
        f"Rescale the weights "
        f"(multiplying one layer's weights and biases, and every later layer's biases, by "
        f"the same power of two, such as 2^-500, keeps the regions of relu, leaky_relu and max "
        f"layers) or shrink the domain{remedy}")
