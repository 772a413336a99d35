"""Comparisons of two runs of the same enumeration, shared by the long-run, fault and
executor tests: a partial run is a prefix of the full one, a resumed run is identical."""

import numpy as np


def is_prefix(part, whole) -> bool:
    """``part`` holds exactly the first regions of ``whole``, in order, bit for bit."""
    n = len(part)
    return (n <= len(whole) and np.array_equal(part.patterns, whole.patterns[:n])
            and np.array_equal(part.witnesses, whole.witnesses[:n])
            and np.array_equal(part.margins, whole.margins[:n]))


def identical(resumed, full) -> None:
    """A resumed run ended exactly as the uninterrupted one: regions, order, witnesses,
    margins, counters and H-representations."""
    assert resumed.complete and resumed.unfinished == 0
    assert np.array_equal(resumed.patterns, full.patterns)
    assert np.array_equal(resumed.witnesses, full.witnesses)
    assert np.array_equal(resumed.margins, full.margins)
    assert resumed.per_layer == full.per_layer and resumed.lps == full.lps
    for i in (0, len(full) // 2, len(full) - 1):
        assert np.array_equal(resumed[i].A, full[i].A) and np.array_equal(resumed[i].C, full[i].C)
