"""Comparisons of two runs of the same enumeration, shared by the long-run, fault and
executor tests: a partial run is a prefix of the full one, a resumed run is identical; and
an executor that decides which tasks run, so that a budget's stop is not a race."""

import concurrent.futures

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


class InlineExecutor(concurrent.futures.Executor):
    """Runs the first ``ready`` tasks submitted (all when None) at once, in the calling
    thread and in submission order; later ones stay pending, never started, until the run
    cancels them. Which tasks finished before a budget ran out is then fixed, not a race."""

    def __init__(self, ready=None):
        self.ready = ready
        self.submitted = []

    def submit(self, fn, /, *args, **kwargs):
        future = concurrent.futures.Future()
        self.submitted.append(future)
        if self.ready is None or len(self.submitted) <= self.ready:
            future.set_running_or_notify_cancel()
            try:
                future.set_result(fn(*args, **kwargs))
            except BaseException as exc:    # noqa: BLE001 - delivered through the future
                future.set_exception(exc)
        return future

    @property
    def held(self):
        return self.submitted[self.ready:] if self.ready is not None else []
