"""The Examples of every docstring of the installed package run as doctests.

Collected from ``regions`` as imported (the installed wheel in ``.ci/run``, the
source tree under an editable install), one test per module, so a module the
wheel lacks fails here rather than passing unnoticed.
"""

from __future__ import annotations

import doctest
import importlib
import importlib.util
import pkgutil

import pytest

import regions

MODULES = sorted(info.name for info in pkgutil.walk_packages(regions.__path__, "regions.")
                 if not info.name.endswith("__main__"))


@pytest.mark.parametrize("name", ["regions"] + MODULES)
def test_docstring_examples(name):
    module = importlib.import_module(name)
    finder = doctest.DocTestFinder(exclude_empty=True)
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    for test in finder.find(module, name):
        if test.examples and _needs_missing_module(test):
            continue
        runner.run(test)
    result = runner.summarize(verbose=False)
    assert result.failed == 0, f"{result.failed} doctest examples of {name} failed (see the output)"


def _needs_missing_module(test) -> bool:
    """Whether the examples import an optional package that is not installed (torch, onnx):
    ``import torch`` or ``pytest.importorskip("torch")``."""
    for example in test.examples:
        for optional in ("torch", "onnx"):
            if (f"import {optional}" in example.source or f'importorskip("{optional}")'
                    in example.source) and importlib.util.find_spec(optional) is None:
                return True
    return False
