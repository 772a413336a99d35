"""Every tolerance, limit and scheduling constant of the package, each with its meaning.

None decides an answer. Every count, pattern, adjacency, face and linear piece is
decided exactly: a geometric decision is a predicate evaluated in float64 with a
rigorous error bound and redone in rational arithmetic when the bound cannot decide
(:mod:`regions.predicates`, :mod:`regions.rounding`). The constants here are of three
kinds, one section each below (their meanings are the ``#:`` comments):

*Tolerances*
    Float parameters that decide what gets *reported* (thin regions) or *drawn*, and
    the margins of float proposals (LPs, pivots) whose answers are always checked
    exactly. Changing one changes no count.
*Limits*
    What the package refuses (too large an input, a domain the vertex engine cannot
    start from), where it switches methods (``method="auto"``), and how far it looks
    (windows of unbounded domains, sample sizes).
*Scheduling and caches*
    How often the driver, the executors and the command line look at the clock, and
    how much they keep: speed and responsiveness, never a result.

This module is a leaf: it imports nothing from the package but :mod:`regions.errors`,
so every module can import from it. The modules that use a constant import it from
here (from nowhere else), and it stays importable there (``regions.engines.vertex.MAX_CORNERS`` is
``regions.tolerances.MAX_CORNERS``); docs/tolerances.md lists every one with where it
is used.

Distances are Euclidean, in the working coordinates of the domain (input
coordinates, or orthonormal slice coordinates for planes and lines), in units of
the *tolerance scale* ``s`` (:func:`regions.tolerance_scale`): half the longest side
of the domain's bounding box when that is below 1, and 1 otherwise.

The Cython cores use some of these constants, in two ways:

* read from here when the extension module is imported, into a C variable of the
  same name: ``MAX_TERMS_PER_NEURON``, ``TIGHT_ERROR`` and ``WORK_PER_STEP`` in
  ``src/regions/engines/_vertex.pyx`` (and ``VERTEX_SPLIT_STEPS``, ``VERTEX_RUN_STEPS``,
  the defaults of its ``VertexCore``, and ``VERTEX_SPARE_BYTES``); ``SIMPLEX_SINGULAR_PIVOT``,
  ``SIMPLEX_FEASIBILITY`` and ``SIMPLEX_DUAL_TOLERANCE`` in
  ``src/regions/_simplex.pyx``;
* compile-time C constants of the same name in ``src/regions/engines/compiled.pxd``
  (``MAX_DIM`` sizes the vertex core's fixed-size buffers, and the inline functions of
  the ``.pxd`` files see only C constants): ``MAX_DIM``, ``BALL_SUBSET_LIMIT``,
  ``BALL_SINGULAR_PIVOT``, ``BOUND_SAFETY`` (and float64's ``UNIT_ROUNDOFF``, which is
  :data:`regions.rounding.UNIT_ROUNDOFF`). The compiled module exports their values
  as ``regions.engines._vertex.COMPILED``, and tests/test_tolerances.py asserts each
  equals the one here.
"""

import math

from .errors import RegionsError

__all__ = [
    # tolerances
    "MIN_RADIUS", "THIN_FACTOR", "RADIUS_CAP", "UNITS_RADIUS_CAP", "VERTEX_MERGE", "POLISH_NEAR",
    "POLISH_MOVE", "QHULL_ROOM", "QHULL_OFF",
    "EMPTY_MARGIN", "FAR_RADII", "MAX_APEX_CONDITION", "VERTEX_APEX_LIMIT", "PARALLEL", "CHECK_RTOL",
    "BOUND_SAFETY", "TIGHT_ERROR", "MAX_TERMS_PER_NEURON", "BALL_SINGULAR_PIVOT",
    "SIMPLEX_SINGULAR_PIVOT", "SIMPLEX_FEASIBILITY", "SIMPLEX_DUAL_TOLERANCE",
    # limits
    "PIECES_LIMIT", "GENERAL_POSITION_BUDGET", "FAR", "WINDOW_REACH", "AUTO_COST",
    "MAX_MODEL_HYPERPLANES",
    "MAX_CORNERS", "MAX_CONES", "MAX_VERTEX_SUBSETS", "MAX_DIM", "BALL_SUBSET_LIMIT",
    "MAX_WINDOW", "CHECK_SAMPLES", "CHECK_SCALES", "MAX_ARRAY_ELEMENTS", "MAX_TOTAL_ELEMENTS",
    "MAX_LAYERS", "NOTEBOOK_MAX_REGIONS", "WINDOW_TAIL", "WINDOW_MARGIN", "BALL_BITS",
    "UNBOUNDED_RADII", "MAX_REJECTION",
    # scheduling and caches
    "PROGRESS_DELAY", "PROGRESS_LOG_EVERY", "HEARTBEAT_SECONDS", "SCHEDULER_TIMEOUT",
    "CHECK_EVERY", "WORK_PER_STEP", "SPLIT_STEPS", "SPLIT_CHUNK", "SPLIT_ROW_ROOM",
    "VERTEX_CHUNK", "VERTEX_SPLIT_STEPS",
    "VERTEX_RUN_STEPS", "VERTEX_SPARE_BYTES", "MEMORY_CHECK_EVERY", "RESULTS_EVERY",
    "PROGRESS_SECONDS",
    "CHECKPOINT_SECONDS", "FRONTIER_CELLS", "MAX_TASKS", "POLL_SECONDS", "STOP_SECONDS",
    "SLICE_SECONDS", "DEMAND_SECONDS", "IN_FLIGHT", "PROGRESS_LANES", "REPORT_SECONDS",
    "LEFTOVER_TASKS", "BRANCHING", "DISTINCT_BYTES", "GENERATOR_CACHE",
    "CACHE_SIZE", "SPECTRAL_CACHE", "ROOT_CACHE", "CHUNK",
    "check_min_radius",
]

# --------------------------------------------------------------------------- tolerances

#: The default ``min_radius``: regions whose largest inscribed ball has a radius at most
#: ``MIN_RADIUS`` times the tolerance scale are reported as thin (``Partition.thin``, the
#: ``thin`` field of every JSON summary, ``LineCounts.thin``); they are counted like every
#: other region. ``min_radius=...`` and ``--min-radius`` change it per call; no count
#: depends on it.
MIN_RADIUS = 1e-7
#: The vertex engine's witness is the mean of a region's vertices, its margin the distance
#: from that mean to the boundary; when the margin is below ``THIN_FACTOR * min_radius * s``
#: the largest inscribed ball is computed instead, so *thin* means the same for every
#: engine.
THIN_FACTOR = 100.0
#: Largest radius the inscribed-ball LP may return: unbounded regions (on all of R^n, or in
#: an unbounded polytope) have no finite inscribed ball, and the cap gives every region a
#: witness at a finite place, with margin ``min(true inscribed radius, RADIUS_CAP)``. The
#: witness is certified inside its region whatever the cap.
RADIUS_CAP = 1e3
#: Largest radius, in units of a polyhedron's size (a power of two), of the inscribed ball
#: that :func:`regions.domain.inscribed_ball` asks HiGHS for in those units when the ball
#: solved as it is certifies none (HiGHS fails near the end of float64, or in a box 1e-300
#: thin) or less room than its caller wants: the centre lies up to a sixteenth of that size
#: inside every side, and in an unbounded polyhedron near its sides, at its scale. The
#: centre is certified inside whatever the cap.
UNITS_RADIUS_CAP = 2.0 ** -4
#: Pictures and the float64 polygon geometry of 2-D partitions
#: (:func:`regions.complex.geometry.planar_complex`, used to draw) merge polygon vertices
#: closer than ``VERTEX_MERGE * s``. The exact face lattice merges nothing: its vertices
#: are rational points.
VERTEX_MERGE = 1e-9
#: Polishing a vertex found by halfspace intersection (:mod:`regions.complex.geometry`):
#: the rows within ``POLISH_NEAR`` of it (relative to its size) are the rows that meet
#: there, and solving them again may move it by at most ``POLISH_MOVE`` (relative):
#: rounding, never a different vertex.
POLISH_NEAR = 1e-9
#: Largest relative move of a polished vertex (see ``POLISH_NEAR``).
POLISH_MOVE = 1e-10
#: Halfspace intersection (qhull, :func:`regions.complex.geometry.region_vertices`) needs
#: its interior point clearly inside: a region's witness serves when float64 certifies it
#: at least ``QHULL_ROOM`` half-widths of the drawn box inside every side, else the centre
#: of an inscribed ball does (:func:`regions.complex.geometry.region_interior`).
QHULL_ROOM = 2.0 ** -40
#: qhull's vertices of a region far thinner than the drawn box may be NaN or off the region:
#: a vertex more than ``QHULL_OFF`` half-widths of the box outside a side of its region is
#: refused (a DomainError: the region is too thin to draw at that scale).
QHULL_OFF = 1e-6
#: The split engine's dual simplex stops on a part once its radius bound is below
#: ``-EMPTY_MARGIN`` times the piece's radius: far enough below 0 for the rigorous bound
#: to confirm the part empty.
EMPTY_MARGIN = 1e-3
#: A hyperplane farther than this many certified radii from a split cell's center usually
#: misses the cell (counting [10, 10, 10, 10, 1] over [0, 1]^10: 9 in 10 beyond 10 radii,
#: 6 in 10 between 5 and 10, a quarter between 3 and 5, almost none nearer): the split
#: engine tests these on the whole cell first. Chooses LPs, never decides an answer.
FAR_RADII = 5.0
#: Condition number of the apex's unit normals above which ``method="auto"`` takes the
#: split engine on an unbounded domain: a choice of engine, not of answer. The vertex
#: engine's cones are tested exact with lines meeting 1e15 away, but a first layer whose
#: rank is lower only up to rounding (condition ~1e16 and more) can break their float
#: incidences (``method="vertex"`` refuses beyond ``VERTEX_APEX_LIMIT``).
MAX_APEX_CONDITION = 1e8
#: Condition number of the apex beyond which the vertex engine refuses an unbounded
#: domain (a DomainError before any work; ``"auto"`` and the split engine are exact there):
#: fuzzing found first layers of rank lower only up to rounding (condition 2e16 to 2e17,
#: hyperplanes through the apex) where its cones gave the right count with wrong
#: patterns, while exact-oracle tests up to 1e16 pass.
VERTEX_APEX_LIMIT = 1e15
#: Restricted rows shorter than this are parallel to the hyperplane in the float LP that
#: proposes a facet witness (:mod:`regions.facets`; a proposal only: every answer is
#: checked exactly).
PARALLEL = 1e-12
#: A converted network (PyTorch, ONNX) must match the model's own forward pass to this
#: relative accuracy.
CHECK_RTOL = 1e-10
#: Rounding bounds are computed in float64 themselves; multiplying them by this covers
#: their own rounding (a few dozen operations each, far below 1e-6 relative).
BOUND_SAFETY = 1.0 + 1e-6
#: Vertex engine: a generator whose sign float64 cannot certify is solved again from its
#: tight rows (resetting its error bound) before the exact path is taken, unless its bound
#: is already within this many units of rounding of its size.
TIGHT_ERROR = 16.0
#: Vertex engine: a pre-activation map built by rank-one updates (a neuron whose state
#: differs, per child) is recomputed in full after this many updates per neuron of the
#: previous layer; its error bound covers the updates, so this only keeps the bound small
#: enough to certify.
MAX_TERMS_PER_NEURON = 0.25
#: Vertex engine, the largest ball of a thin region without an LP: a subset of ``dim + 1``
#: unit rows with a smaller elimination pivot is singular and skipped (a speed choice:
#: the ball only reports).
BALL_SINGULAR_PIVOT = 1e-12
#: The dense dual simplex of the inscribed-ball LP (:mod:`regions._simplex`, a proposal
#: certified by its callers): pivots of the basis inverse below this (its rows have norm
#: about sqrt 2) mean singular.
SIMPLEX_SINGULAR_PIVOT = 1e-11
#: The dense dual simplex: a row violated by less than this (relative to ``1 + abs(b_i)``)
#: counts as satisfied.
SIMPLEX_FEASIBILITY = 1e-10
#: The dense dual simplex: multipliers above minus this count as non-negative; pivot
#: entries below it are skipped.
SIMPLEX_DUAL_TOLERANCE = 1e-10

# --------------------------------------------------------------------------- limits

#: ``verify`` counts the linear pieces (one LP per region row) up to this many regions.
PIECES_LIMIT = 20_000
#: Largest number of determinants ``general_position`` evaluates before giving up.
GENERAL_POSITION_BUDGET = 500_000
#: Half-width of the box that stands for an unbounded domain while
#: ``regions.complex.geometry.vertex_window`` looks for the partition's vertices.
FAR = 1e7
#: On all of R^n, the box standing for it reaches this factor beyond the farthest face
#: point of the level complex (at least 1).
WINDOW_REACH = 2.0
#: ``method="auto"``'s cost model (``regions.enumeration.vertex_advantage``), one line per
#: kind of domain: the predicted log2 of the split engine's cost per region over the vertex
#: engine's is ``base - vertices * g + low_rank * [first layer of rank below the dimension]
#: + first_width * log2(h) + depth * (L - 1)``. ``g`` is log2 of the mean number of vertices
#: of a cell of the network's hyperplanes (all layers', and a bounded domain's facets) taken
#: as hyperplanes in general position in the ``e`` dimensions the vertex engine works in (a
#: bounded domain's; on a domain without faces the first layer's rank):
#: ``regions.enumeration.cell_vertices``, about ``e`` for many hyperplanes, 0 for ``e`` of
#: them. ``h`` is the first layer's hyperplanes (clipped to 4..64), ``L`` the layers with
#: breakpoints (at most 4); "auto" takes the vertex engine when the sum is positive. Why
#: these terms: the vertex engine's cost per region follows its cells' generators, which its
#: cuts pair (``vertices``, shared by both kinds), while the split engine's LPs grow slowly
#: with the dimension; a domain without faces makes the split engine's LPs unbounded and
#: degenerate, about ten times dearer than a box's (``base``); a low-rank first layer leaves
#: a cell fewer vertices (``low_rank``); the split engine tests every hyperplane of a layer
#: on each of its cells, so it pays more LPs per region for a wide first layer and for deep
#: stacks of narrow ones (``first_width``, ``depth``: 11 LPs per region for ``[10, 64, 1]``
#: on R^10, 2 for ``[10, 16, 16, 1]``), more so where its LPs are dear. Fitted by least
#: squares (``python benchmarks/auto_dims.py --fit``) to the log2 rate ratios measured by
#: ``benchmarks/auto_dims.py`` on its cases with ``e`` from 6 to 12 (each engine run to
#: 20,000 regions, 15 s or the end), clipped to +-6; it decides a choice of engine, never an
#: answer.
AUTO_COST = {
    "bounded": {"base": 8.25, "vertices": 1.77, "low_rank": 1.84, "first_width": 0.87,
                "depth": 0.47},
    "unbounded": {"base": 6.09, "vertices": 1.77, "low_rank": 2.0, "first_width": 1.78,
                  "depth": 1.19},
}
#: The cost model counts at most this many hyperplanes (its binomials stay small; beyond a
#: few times the dimension more change ``g`` by little).
MAX_MODEL_HYPERPLANES = 4096
#: A box with more corners than this is refused by the vertex engine: a cut tests pairs
#: of a cell's vertices, so the first cut of a box costs about 4^d (12-D: 0.3 s, 13-D:
#: 1.4 s, 14-D: 24 s on 2 shared cores), and no control acts inside one cut.
MAX_CORNERS = 2 ** 12
#: A domain without faces cut into more first cones than this is refused by the vertex
#: engine: each cone is a cell of ``(r + 1)^2`` generators, built before the run starts
#: (2^16 of them in 16-D take about 1 s and 300 MB).
MAX_CONES = 2 ** 16
#: A polytope domain whose vertices would take more row subsets than this is refused by
#: the vertex engine.
MAX_VERTEX_SUBSETS = 200_000
#: Largest working dimension of the vertex engine (the fixed-size buffers of its Cython
#: core).
MAX_DIM = 64
#: Vertex engine, the largest ball of a thin region without an LP: more row subsets than
#: this are left to an LP.
BALL_SUBSET_LIMIT = 4096
#: Largest window of a max unit (its state, a position in the window, is an int8).
MAX_WINDOW = 127
#: Random inputs of the check of a converted network: normal directions at sizes spread
#: log-uniformly over ``CHECK_SCALES`` (a gated term of the model, e.g. behind a ReLU
#: with a large bias, may be zero near the origin).
CHECK_SAMPLES = 64
#: Smallest and largest size of those random inputs.
CHECK_SCALES = (0.1, 100.0)
#: Largest number of elements accepted in one array of a network file.
MAX_ARRAY_ELEMENTS = 50_000_000
#: Largest number of elements accepted in a whole network file.
MAX_TOTAL_ELEMENTS = 200_000_000
#: Largest number of layers accepted in a network file.
MAX_LAYERS = 10_000
#: Partitions with more regions than this are not drawn inline in a notebook (their
#: one-line ``repr`` is shown).
NOTEBOOK_MAX_REGIONS = 20_000
#: Unbounded domains: the default window of a picture leaves out at most this share of the
#: vertices on each side of each axis (2-D, 3-D; in 1-D none), and is then widened by
#: ``WINDOW_MARGIN`` of its size on each side, its size taken as at least 1.
WINDOW_TAIL = 0.05
#: The default window of an unbounded picture is widened by this share of its size on
#: each side.
WINDOW_MARGIN = 0.15
#: Working precision (bits) of ``regions.rational.BallMaps``.
BALL_BITS = 128
#: Radii (working units) between which points of an unbounded domain are drawn,
#: log-uniformly.
UNBOUNDED_RADII = (1e-2, 1e4)
#: Draws per accepted point after which rejection sampling gives up.
MAX_REJECTION = 1000

# --------------------------------------------------------------------------- scheduling and caches

#: Seconds before the command line's first progress line.
PROGRESS_DELAY = 1.0
#: Seconds between progress lines when stderr is not a terminal.
PROGRESS_LOG_EVERY = 10.0
#: Seconds between progress lines without ``--progress`` (a heartbeat).
HEARTBEAT_SECONDS = 30.0
#: How long ``--scheduler`` waits for the dask scheduler to answer.
SCHEDULER_TIMEOUT = "10s"
#: Cones, corners or vertex candidates an engine's setup builds between two calls of its
#: ``check`` (the driver's budgets and Ctrl-C, ``regions.engines.driver.setup_check``).
CHECK_EVERY = 256
#: Work a piece step of the vertex core counts for per step of ``split_steps`` and
#: ``run_steps`` (vertex-hyperplane pairs filtered, and the edge test's bound in a cut), so
#: a split of cells of thousands of vertices returns to the driver in bounded time: a 2-D
#: piece of a 64-wide layer counts 1, a cut of a 12-D piece of 2,000 generators, 1,000 on
#: each side of the hyperplane, about 7,600.
WORK_PER_STEP = 4096
#: Pieces the split engine's split of one cell takes off its stack (about one LP each)
#: before the cell goes back unfinished, so one huge cell returns to the driver like small
#: ones.
SPLIT_STEPS = 1024
#: Cells the split engine processes between two returns to the driver: one split (at most
#: ``SPLIT_STEPS`` pieces) and the final regions it leaves on top of its stack, each a
#: record only.
SPLIT_CHUNK = 64
#: Rows to spare a new row store of the split engine's pieces keeps after a piece's rows
#: (``engines._split.RowStore``; fewer when fewer cuts are left): each spare row saves
#: a copy of the piece's rows, and each costs memory in every cell that holds the store.
SPLIT_ROW_ROOM = 16
#: Cells the vertex engine processes between two returns to the driver (budgets, progress,
#: Ctrl-C).
VERTEX_CHUNK = 512
#: Piece steps (``WORK_PER_STEP``) after which the vertex engine's split of one cell goes
#: back on the stack unfinished.
VERTEX_SPLIT_STEPS = 4096
#: Piece steps after which the vertex core's ``run`` returns to the driver.
VERTEX_RUN_STEPS = 65536
#: Bytes of a released vertex core's memory (stack, work space, results) kept for the next
#: core, so that short runs do not take megabytes from the system anew each time (a page
#: fault per page).
VERTEX_SPARE_BYTES = 1 << 24
#: Cells processed between two measurements of the resident memory (at least one per look).
MEMORY_CHECK_EVERY = 256
#: Final regions an engine may hold before the driver takes them into an enumeration's
#: records (and once at the end, and before a checkpoint): one take per batch of regions,
#: not per return to the driver.
RESULTS_EVERY = 4096
#: Least seconds between two progress reports of the driver.
PROGRESS_SECONDS = 0.5
#: Default seconds between two checkpoints.
CHECKPOINT_SECONDS = 5.0
#: A parallel run's frontier is expanded until it holds at least this many cells (tasks).
FRONTIER_CELLS = 64
#: Tasks at most from the frontier (time slices share the work out further).
MAX_TASKS = 16
#: Seconds between two looks at the tasks (budgets, progress, Ctrl-C).
POLL_SECONDS = 0.5
#: Seconds a stopped run waits for its running tasks' partial results, and a closing pool
#: for its processes and its manager thread.
STOP_SECONDS = 1.0
#: Seconds a task runs before it hands its unfinished cells back to be shared out again
#: (None: tasks run to the end). Work stealing without talk between workers: no subtree
#: keeps one worker busy for longer than this while the others have nothing to do. On a
#: process pool, whose workers see the caller's ``Demand``, a task hands its cells back
#: only once a worker is idle, after at least ``DEMAND_SECONDS``.
SLICE_SECONDS = 1.0
#: On a process pool, a task hands its cells back only once a worker is idle, and after at
#: least this many seconds.
DEMAND_SECONDS = 0.2
#: On a process pool, tasks kept out per worker (running or waiting): fewer, and a running
#: task hands its cells back. 2 (a task queued behind each running one) measured slower
#: than 1: every hand-back sends a task's whole stack of cells back and forth.
IN_FLIGHT = 1
#: On a process pool, running tasks that tell the calling process's progress line the
#: regions and first-layer cells they found so far (two int64 of shared memory each; a
#: task returns its counts only when it ends, minutes apart on a long run); tasks beyond
#: this many report only when they return. Progress only: no count depends on it.
PROGRESS_LANES = 256
#: On a process pool, seconds between a running task's reports of the first-layer cells it
#: finished (counting its stack's cells by layer takes a pass over them: a cone split at
#: its first layer holds hundreds of thousands). Progress only.
REPORT_SECONDS = 0.5
#: Parts a returned task's unfinished cells are cut into by its worker, each sent on as a
#: task (when fewer than twice as many tasks are left; else they make one task).
LEFTOVER_TASKS = 4
#: The guess of how many cells one cell becomes per layer, to cut cells into tasks of about
#: equal work (``regions.engines.parallel.batches``).
BRANCHING = 256
#: Bytes an array field's first array takes at least for ``regions.packing.pack_tuples``
#: (``distinct``) to look for arrays that several tuples share: a vertex cell's map error
#: bounds (2 KiB for a 256-wide layer) are shared by many cells; smaller fields save little
#: and finding repeats costs a copy of every array (packing 2,000 cells of a 256-wide net
#: took 0.06-0.11 s looking at every field, 0.04 s at these).
DISTINCT_BYTES = 1024
#: Exact generators kept by ``regions.engines.vertex.ExactGenerators`` (least recently
#: used dropped).
GENERATOR_CACHE = 65536
#: Pattern prefixes whose exact maps ``regions.rational.RationalMaps`` keeps (least
#: recently used dropped).
CACHE_SIZE = 4096
#: Norm bounds ``regions.rounding.spectral_norm_bound``, ``row_norm_bounds`` and
#: ``weight_sizes`` (and ranks, ``float_rank``) keep, by matrix contents (each engine asks
#: again for the same layers: every run, every task of a parallel run; oldest dropped).
SPECTRAL_CACHE = 64
#: First cells of bounded domains the vertex engine keeps, by the domain's contents (every
#: run over the same box or polytope starts from the same cell; oldest dropped).
ROOT_CACHE = 16
#: Points per vectorised block in ``regions.sampling.distinct_patterns``.
CHUNK = 1 << 16


def check_min_radius(min_radius) -> float:
    """``min_radius`` as a float; RegionsError unless positive and finite.

    Examples
    --------
    >>> check_min_radius("1e-9")
    1e-09
    >>> check_min_radius(0)
    Traceback (most recent call last):
    ...
    regions.errors.RegionsError: min_radius must be positive and finite, got 0
    """
    value = float(min_radius)
    if not (math.isfinite(value) and value > 0.0):
        raise RegionsError(f"min_radius must be positive and finite, got {min_radius}")
    return value
