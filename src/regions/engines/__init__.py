"""Enumeration engines and the driver they share.

An engine is the geometry of one algorithm: a depth-first stack of cells and
the rule that splits a cell into the cells of the next layer (or records it
as a final region). :mod:`regions.engines.driver` runs any engine under the
budgets, progress reports, Ctrl-C and checkpoints; :mod:`regions.engines.parallel`
spreads its subtrees over an executor. The engines:

* :mod:`regions.engines.split`: cells as H-representations, split by LP
  feasibility tests (any domain, any dimension);
* :mod:`regions.engines.vertex`: cells that also carry their vertices, split
  without LPs (bounded domains);
* :mod:`regions.engines.walk`: a breadth-first walk across facets, a second,
  independent algorithm used as a cross-check.
"""

__all__ = ["base", "driver", "parallel", "split", "vertex", "walk"]
