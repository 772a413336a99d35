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

import regions

project = "regions"
version = release = regions.__version__
copyright = "the regions authors, BSD-3-Clause"

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.mathjax",
    "numpydoc",
    "myst_parser",
]
source_suffix = {".rst": "restructuredtext", ".md": "markdown"}
root_doc = "index"
exclude_patterns = ["_build"]

# Docstrings: numpydoc sections; the types are the docstrings' own, not the annotations.
autodoc_typehints = "none"
autodoc_member_order = "bysource"
autosummary_generate = False
numpydoc_show_class_members = False
numpydoc_xref_param_type = False
numpydoc_validation_checks = set()

# The guides are GitHub Markdown: their `#` anchors are GitHub's heading slugs.
myst_heading_anchors = 3
myst_enable_extensions = ["dollarmath"]

html_theme = "pydata_sphinx_theme"
html_title = f"regions {release}"
html_theme_options = {"navigation_depth": 2, "show_toc_level": 2}
html_show_sourcelink = False
