"""Sphinx configuration of the documentation: the guides (docs/*.md, through MyST) and the
API reference generated from the docstrings (docs/reference/).

Build it from the repository's root, with every warning an error:

    python3 -m pip install ".[docs]"
    python3 -m sphinx -E -W -n --keep-going -b html docs docs/_build/html

and open docs/_build/html/index.html. ``-n`` (nitpicky) makes a cross-reference to anything
the reference does not document a warning, and ``-W`` every warning an error, so a broken
reference in a docstring or a guide fails the build; ``-E`` rereads every source. `.ci/run`
runs this command against the installed wheel.
"""

import importlib
import pkgutil

from sphinx.pycode import ModuleAnalyzer
from sphinx.util import logging

import regions

logger = logging.getLogger(__name__)

project = "regions"
version = release = regions.__version__
copyright = "the regions authors, BSD-3-Clause"

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "numpydoc",
    "myst_parser",
]
exclude_patterns = ["_build"]

# Docstrings: numpydoc sections; the types are the docstrings' own, not the annotations.
autodoc_typehints = "none"
autodoc_member_order = "bysource"
numpydoc_show_class_members = False     # autoclass :members: lists them

html_theme = "pydata_sphinx_theme"
html_title = f"regions {release}"


def constant_comment(name: str) -> list[str]:
    """The ``#:`` comment of a constant, in its module or, for a constant a package
    re-exports, in the submodule defining it; limits and tolerances are in
    :mod:`regions.tolerances`, wherever they are imported."""
    owner, _, attr = name.rpartition(".")
    modules = [owner]
    path = getattr(importlib.import_module(owner), "__path__", None)
    if path:
        modules += [module.name for module in pkgutil.iter_modules(path, f"{owner}.")
                    if not module.name.rpartition(".")[2].startswith("_")]  # __main__, extensions
    modules.append("regions.tolerances")
    for module in modules:
        comments = ModuleAnalyzer.for_module(module).find_attr_docs()
        if ("", attr) in comments:
            return list(comments["", attr])
    return []


def require_docstring(app, what, name, obj, options, lines):
    """Every object on a page has a docstring (a warning, so an error under -W); a
    constant's is its ``#:`` comment, not the docstring of its type (int, float, dict)."""
    if what == "data":
        lines[:] = constant_comment(name)
    if what in ("module", "class", "exception", "function", "data") and not "".join(lines).strip():
        logger.warning(f"{name} has no docstring")


def setup(app):
    app.connect("autodoc-process-docstring", require_docstring)
