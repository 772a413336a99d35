"""Old public names kept for one release after a rename (listed in docs/release.md).

A module that renamed some of its functions keeps a ``RENAMED`` table (old name -> new
name) and defines ``__getattr__`` with :func:`renamed_attribute`: reading an old name warns
(:class:`DeprecationWarning`) and gives the function under its new name.
"""

import warnings

__all__ = ["renamed_attribute"]


def renamed_attribute(module: str, renamed: dict, namespace: dict, name: str):
    """The object ``name`` of ``module`` under its new name ``renamed[name]``, with a
    :class:`DeprecationWarning`; :class:`AttributeError` for names never renamed.

    Examples
    --------
    >>> import warnings
    >>> import regions
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     old = regions.save
    >>> old is regions.write_network, caught[0].category.__name__
    (True, 'DeprecationWarning')
    >>> print(caught[0].message)  # doctest: +NORMALIZE_WHITESPACE
    regions.save is deprecated and will be removed in the next release:
    use regions.write_network
    """
    if name not in renamed:
        raise AttributeError(f"module {module!r} has no attribute {name!r}")
    warnings.warn(f"{module}.{name} is deprecated and will be removed in the next release: use "
                  f"{module}.{renamed[name]}", DeprecationWarning, stacklevel=3)
    return namespace[renamed[name]]
