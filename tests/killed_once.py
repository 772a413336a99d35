"""An engine whose first task kills the worker running it: a worker lost mid-task, on cue.

Imported by the workers of a dask cluster (they unpickle the engine's class), so it lives
in a module of its own, not in a test file.
"""

import os

from regions.engines.split import SplitEngine

#: The file whose creation marks the one kill (set by the test, read by the workers).
MARK = "REGIONS_TEST_KILL_MARK"
#: The test's own process, which runs the engine too (the frontier) and must live.
PARENT = "REGIONS_TEST_PARENT"


class KilledOnce(SplitEngine):
    """The split engine, except that the first process other than the test's to run it
    exits at once, as a worker killed in the middle of a task."""

    def run(self, max_cells: int, max_regions: int) -> int:
        if os.environ.get(MARK) and str(os.getpid()) != os.environ.get(PARENT):
            try:
                os.close(os.open(os.environ[MARK], os.O_CREAT | os.O_EXCL))
            except FileExistsError:
                pass
            else:
                os._exit(1)
        return super().run(max_cells, max_regions)
