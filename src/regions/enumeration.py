"""Exact enumeration of the linear regions: pick an engine, drive it, build the Partition.

Every engine (:mod:`regions.engines`) splits the domain layer by layer,
depth-first: on a cell produced by layers ``0..l-1`` the network up to layer
``l`` is one affine map, so the breakpoints of layer ``l`` are hyperplanes
there, and the cell is cut by those that split it into full-dimensional
pieces. Whole final regions come out early, so when a budget
(``max_regions``, ``time_limit``, ``memory_limit``) runs out or the user
presses Ctrl-C the result holds true final regions, marked incomplete. The
depth-first stack is the whole state of a run: it is checkpointed to disk
(:mod:`regions.io.checkpoint`), and a run resumed from any checkpoint ends with
exactly the regions, in exactly the order, of an uninterrupted one. The
driver (:mod:`regions.engines.driver`) does all of this once for every
engine, and :mod:`regions.engines.parallel` runs any engine on an executor.
"""

from __future__ import annotations

import inspect
import math
import os
import time
import warnings

import numpy as np

from .io import checkpoint as checkpoints
from .domain import resolve
from .engines.driver import (Interrupt, SetupStopped, Tally, build_partition, drive, prepare,
                             run_fields, setup_check, stack_cells)
from .engines.parallel import run_on
from .engines.base import Settings
from .engines.split import SplitEngine
from .engines.vertex import VertexEngine, supports
from .engines.walk import WalkEngine
from .errors import DomainError, RegionsError
from .network import Network
from .partition import Partition, RegionCount
from .predicates import Decisions
from .rounding import float_rank, overflow_expected
from .tolerances import (AUTO_COST, CHECKPOINT_SECONDS, MAX_APEX_CONDITION,
                         MAX_MODEL_HYPERPLANES, MIN_RADIUS)

__all__ = ["METHODS", "ENGINES", "enumerate_regions", "count_regions"]

METHODS = ("auto", "split", "vertex", "walk")
#: The depth-first engines, by method name.
ENGINES = {"split": SplitEngine, "vertex": VertexEngine, "walk": WalkEngine}


@overflow_expected
def enumerate_regions(network: Network, domain=None, *, method: str = "auto",
                      min_radius: float = MIN_RADIUS, exact: bool = True,
                      exact_budget: int | None = None, progress=None,
                      max_regions: int | None = None, time_limit: float | None = None,
                      memory_limit: float | None = None, checkpoint=None,
                      checkpoint_every: float = CHECKPOINT_SECONDS, resume=None,
                      executor=None, start=None) -> Partition:
    """Enumerate every full-dimensional linear region of ``network`` over ``domain``.

    Parameters
    ----------
    network : Network
    domain : Domain, optional
        Default: all of R^n (:func:`regions.whole_space`). Slices (``plane``,
        ``line``, ``segment``) are enumerated in their own coordinates.
    method : {"auto", "split", "vertex", "walk"}
        ``"split"``: layer-by-layer splitting with LP feasibility tests
        (:mod:`regions.engines.split`). ``"vertex"``: the same splitting on
        cells that carry their vertices and rays, LP-free except for the
        inscribed balls of thin regions (:mod:`regions.engines.vertex`; bounded domains and
        domains without faces: all of R^n, unbounded planes and lines).
        ``"auto"`` (default): ``"vertex"`` where it applies and the cost model
        ``regions.enumeration.vertex_advantage`` predicts it faster (about up to
        dimension 7 on bounded domains and 9 on all of R^n, counted in the dimensions
        the first layer's hyperplanes span, depending on the widths), else ``"split"``
        (also for the rare networks whose first breakpoints give no well-conditioned
        apex on an unbounded domain, and for networks with max layers, which every
        engine carries, but ``"vertex"`` not on every domain: it refuses a final region
        that contains a line); a resumed run keeps
        the method of its checkpoint. ``"walk"``: the breadth-first walk across
        facets of :mod:`regions.engines.walk`, a second, independent
        algorithm (budgets and checkpoints, but no executor; regions sorted by
        pattern; ``start`` picks the region it starts from).
    min_radius : float
        Regions whose largest inscribed ball has a radius at most ``min_radius``
        times the scale (:func:`regions.tolerance_scale`) are reported as
        thin (:attr:`Partition.thin`). It changes no count: every region with an
        interior is enumerated, however thin.
    exact : bool
        True (default): every geometric decision is exact
        (``regions.predicates``). False: the float-only mode, where decisions
        float64 cannot certify are left to rounding and counted in
        ``uncertain_decisions`` (the count may then be wrong: :attr:`Partition.certain`).
    exact_budget : int, optional
        The exact mode's budget: the most decisions to settle beyond float64 (in ball
        or rational arithmetic). Once it is spent, the run goes on float-only, and
        :attr:`Partition.exact_budget_spent` and ``uncertain_decisions`` say whether a
        later decision was left to rounding. Checked between batches of cells, so a
        run may exceed it by one batch's decisions; with an ``executor``, each task
        has the whole budget. Default: no limit.
    progress : callable, optional
        Called as ``progress(regions_found, layer, pending_cells, seconds, explored)``,
        where ``layer`` is the layer of the cell on top of the work stack and
        ``explored`` the share of the first layer's cells whose subtrees are finished
        (``regions.engines.driver.explored``; on all of R^n the vertex engine's first
        cones weigh the same, ``DepthFirstShare``; None while unknown, and for the walk), at
        most every 0.5 s and only between cells (between batches of 512
        cells on the vertex path; one huge cell is split in steps, see
        ``split_steps`` of the engines), and a run shorter than 0.5 s gets
        no call. A callback of four arguments (before ``explored`` was added) is still
        called with four, with a DeprecationWarning: that form goes in the next release.
    max_regions : int, optional
        Stop once this many final regions are found.
    time_limit : float, optional
        Stop after this many seconds (counting earlier runs of a resumed enumeration).
    memory_limit : float, optional
        Stop when the process's resident memory exceeds this many bytes.
    checkpoint : path, optional
        Write the state there atomically every ``checkpoint_every`` seconds
        and when the run ends (complete or not).
    resume : path, optional
        Continue from this checkpoint (refused if it was written for another
        network, domain, tolerance or method). With no ``checkpoint`` given,
        further checkpoints go to the same file.
    executor : concurrent.futures.Executor, optional
        Run the region subtrees as tasks on this executor (a thread or process
        pool, or a ``dask.distributed`` client's ``get_executor()``); the
        result is identical, region for region, to a serial run
        (:mod:`regions.engines.parallel`). Not with checkpoints, nor with ``method="walk"``.
    start : array_like, shape (dim,), optional
        ``method="walk"`` only: a point of the domain (its own coordinates) whose region
        the walk starts from (default: the center of the domain's largest ball).

    Returns
    -------
    Partition
        ``complete`` is False when a budget ran out or the run was
        interrupted; then ``stop_reason`` says why and ``unfinished`` counts
        the cells left on the stack. The regions returned are final regions
        either way.

    Examples
    --------
    Three lines in general position cut the plane into 7 regions (Zaslavsky:
    1 + 3 + 3); a box around their crossings holds all of them, a smaller
    one fewer, and a budget stops early with true final regions:

    >>> import numpy as np
    >>> import regions
    >>> W = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]])
    >>> net = regions.Network.from_layers([(W, np.array([0.0, 0.0, -1.0])),
    ...                                    (np.ones((1, 3)), np.zeros(1))])
    >>> len(regions.enumerate_regions(net)), len(regions.enumerate_regions(net, regions.box(-5, 5)))
    (7, 7)
    >>> len(regions.enumerate_regions(net, regions.box(0.1, 0.4)))
    1
    >>> part = regions.enumerate_regions(net, max_regions=3)
    >>> len(part), part.complete, part.stop_reason
    (3, False, 'max_regions')
    """
    _check_options(method, max_regions, time_limit, memory_limit, exact, exact_budget, executor)
    progress = _progress_callback(progress)
    if start is not None and method != "walk":
        raise RegionsError("start is the walk's start point: give it with method='walk'")
    domain = resolve(domain, network)
    if resume is not None and checkpoint is None:
        checkpoint = resume
    if executor is not None and checkpoint is not None:
        raise RegionsError("checkpoints and resume run serially: no executor")
    min_radius, scale, scaled = prepare(domain, min_radius)
    settings = Settings(exact=bool(exact), thin_radius=min_radius,
                        start=_working_start(start, scaled, scale), exact_budget=exact_budget)
    key = None if checkpoint is None else checkpoints.fingerprint(network, domain, min_radius,
                                                                  settings.exact)
    saved = _load(resume, key, "enumeration")
    started = time.perf_counter()
    engine = _engine(_resumed_method(method, saved, resume), network, scaled, settings)
    records: list = []
    seconds_before = 0.0
    if saved is None:
        roots = _checked_roots(engine, started, time_limit, memory_limit)
        if isinstance(roots, SetupStopped):
            return build_partition(engine, network, domain, scale, min_radius, [],
                                   engine.counters(), roots.reason, 1,
                                   time.perf_counter() - started)
    else:
        roots = [engine.cell_type(*cell) for cell in reversed(saved.cells)]
        records.extend(engine.record_type(*record) for record in saved.records)
        engine.restore(saved.counters, records)
        seconds_before = saved.seconds
    if executor is not None:
        run = run_on(executor, engine, network, scaled, settings, progress, max_regions,
                     time_limit, memory_limit, roots,
                     seconds_before=time.perf_counter() - started)
        return build_partition(engine, network, domain, scale, min_radius, run.records,
                               run.counters, run.stop_reason, run.unfinished, run.seconds,
                               run.notes)
    for cell in reversed(roots):
        engine.push(cell)
    save = None if checkpoint is None else _writer(checkpoint, key, resume, saved)
    if save is not None:
        # A first write at once: an unwritable path fails now, not after the first interval.
        save(engine, records, seconds_before)
    reason, seconds = drive(engine, records, max_regions=max_regions, time_limit=time_limit,
                            memory_limit=memory_limit, progress=progress, checkpoint=save,
                            checkpoint_every=checkpoint_every,
                            seconds_before=seconds_before + time.perf_counter() - started)
    return build_partition(engine, network, domain, scale, min_radius, records,
                           engine.counters(), reason, engine.pending, seconds)


@overflow_expected
def count_regions(network: Network, domain=None, *, method: str = "auto",
                  min_radius: float = MIN_RADIUS, exact: bool = True,
                  exact_budget: int | None = None, progress=None,
                  max_regions: int | None = None, time_limit: float | None = None,
                  memory_limit: float | None = None, checkpoint=None,
                  checkpoint_every: float = CHECKPOINT_SECONDS, resume=None,
                  executor=None) -> RegionCount:
    """Count the regions of ``network`` over ``domain`` without keeping them.

    The same enumeration as :func:`enumerate_regions` (same options, same
    count), but each batch of final regions is counted (and its
    thin ones) and dropped, so memory is the engine's work stack only, however
    many regions there are; with an ``executor`` so is every task's, and the
    calling process receives counts. A stopped parallel count (a budget, Ctrl-C)
    keeps the regions of every task that returned, in whatever order they
    finished: stopped by ``max_regions``, it may hold more. Its counters and
    unfinished cells are those of that work, as its checkpoint's
    (``per_layer``). ``method="walk"`` keeps its set of visited patterns
    (it needs it).

    A count's checkpoint (``checkpoint``, ``resume``, as in :func:`enumerate_regions`)
    holds the cells not finished, the counters and the thin regions' patterns: its
    size and the cost of writing it follow the work stack, not the regions found.
    With an ``executor`` the calling process writes it; the cells of running tasks are
    saved as they were given, so a resumed count redoes at most their last time slice
    (``regions.tolerances.SLICE_SECONDS``).

    Examples
    --------
    >>> import numpy as np
    >>> import regions
    >>> W = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]])
    >>> net = regions.Network.from_layers([(W, np.array([0.0, 0.0, -1.0])),
    ...                                    (np.ones((1, 3)), np.zeros(1))])
    >>> counted = regions.count_regions(net)
    >>> counted.regions, counted.per_layer, counted.complete
    (7, [7, 7], True)
    """
    _check_options(method, max_regions, time_limit, memory_limit, exact, exact_budget, executor)
    progress = _progress_callback(progress)
    domain = resolve(domain, network)
    if resume is not None and checkpoint is None:
        checkpoint = resume
    min_radius, scale, scaled = prepare(domain, min_radius)
    settings = Settings(exact=bool(exact), thin_radius=min_radius, exact_budget=exact_budget,
                        count_only=True)
    key = None if checkpoint is None else checkpoints.fingerprint(network, domain, min_radius,
                                                                  settings.exact)
    saved = _load(resume, key, "count")
    started = time.perf_counter()
    engine = _engine(_resumed_method(method, saved, resume), network, scaled, settings)
    if saved is None:
        roots, seconds_before = _checked_roots(engine, started, time_limit, memory_limit), 0.0
        thin_before = np.zeros((0, network.pattern_length), np.int8)
        if isinstance(roots, SetupStopped):
            return RegionCount(regions=0, thin=0, thin_patterns=thin_before,
                               **run_fields(engine, network, domain, scale, min_radius,
                                            engine.counters(), roots.reason, 1,
                                            time.perf_counter() - started))
    else:
        roots = [engine.cell_type(*cell) for cell in reversed(saved.cells)]
        engine.restore(saved.counters, [])
        thin_before, seconds_before = saved.thin_patterns, saved.seconds
    save = None if checkpoint is None else _count_writer(checkpoint, key, engine.name,
                                                         thin_before)
    if save is not None:
        save(roots, engine.counters(), thin_before[:0], seconds_before)
    seconds_before += time.perf_counter() - started
    if executor is not None:
        counted = run_on(executor, engine, network, scaled, settings, progress, max_regions,
                         time_limit, memory_limit, roots, count_only=True,
                         checkpoint=save, checkpoint_every=checkpoint_every,
                         seconds_before=seconds_before)
        counters, reason, unfinished, seconds = (counted.counters, counted.stop_reason,
                                                 counted.unfinished, counted.seconds)
        thin_patterns, notes = counted.thin_patterns, counted.notes
    else:
        for cell in reversed(roots):
            engine.push(cell)
        tally = Tally(engine, min_radius, network.pattern_length)
        serial_save = None if save is None else (
            lambda engine, records, seconds: save(stack_cells(engine)[::-1], engine.counters(),
                                                  tally.thin_patterns, seconds))
        reason, seconds = drive(engine, [], max_regions=max_regions, time_limit=time_limit,
                                memory_limit=memory_limit, progress=progress,
                                checkpoint=serial_save, checkpoint_every=checkpoint_every,
                                seconds_before=seconds_before, sink=tally)
        counters, unfinished, thin_patterns = engine.counters(), engine.pending, tally.thin_patterns
        notes = ()
    thin_patterns = np.concatenate([thin_before, thin_patterns])
    return RegionCount(regions=int(counters.regions), thin=len(thin_patterns),
                       thin_patterns=thin_patterns,
                       **run_fields(engine, network, domain, scale, min_radius, counters, reason,
                                    unfinished, seconds, notes))


def _checked_roots(engine, started: float, time_limit, memory_limit):
    """The engine's first cells, built under the run's budgets and Ctrl-C
    (:func:`regions.engines.driver.setup_check`), or the :class:`SetupStopped` that
    stopped them: a run stopped there has no region and one cell unfinished, the domain,
    and writes no checkpoint (there is no state to save)."""
    with Interrupt() as interrupt:
        check = setup_check(interrupt, started, time_limit, memory_limit)
        try:
            check()         # a budget already spent, or Ctrl-C, while the engine was made
            roots = engine.roots(check)
            check()
        except SetupStopped as stopped:
            return stopped
    return roots


def _progress_callback(progress):
    """``progress`` as a callback of five arguments: one written for four (the form before
    ``explored``) is wrapped to drop it, with a DeprecationWarning."""
    if progress is None:
        return None
    try:
        inspect.signature(progress).bind(0, 0, 0, 0.0, None)
    except TypeError:
        warnings.warn("a progress callback of four arguments is deprecated: it takes a fifth, "
                      "explored (the share of the first layer's cells done)",
                      DeprecationWarning, stacklevel=3)
        return lambda found, layer, pending, seconds, explored: progress(found, layer,
                                                                         pending, seconds)
    except ValueError:          # no signature to inspect (a builtin): taken as it is
        pass
    return progress


def _check_options(method: str, max_regions, time_limit, memory_limit, exact,
                   exact_budget, executor) -> None:
    if method not in METHODS:
        raise RegionsError(f"unknown method {method!r}: expected one of {', '.join(METHODS)}")
    if method == "walk" and executor is not None:
        raise RegionsError("method='walk' runs serially (its queue shares one set of seen "
                           "patterns): no executor")
    if exact_budget is not None:
        if not exact:
            raise RegionsError("exact_budget limits the exact mode: not with exact=False")
        if isinstance(exact_budget, bool) or not isinstance(exact_budget, (int, np.integer)) \
                or exact_budget < 0:
            raise RegionsError(f"exact_budget must be a whole number >= 0, got {exact_budget!r}")
    for name, value in (("max_regions", max_regions), ("time_limit", time_limit),
                        ("memory_limit", memory_limit)):
        if value is not None and not value > 0:
            raise RegionsError(f"{name} must be positive, got {value}")


def _engine(method: str, network: Network, scaled, settings: Settings):
    """The engine of ``method`` for the working domain (:func:`_auto_engine` for "auto")."""
    if method == "auto":
        return _auto_engine(network, scaled, settings)
    return ENGINES[method](network, scaled, settings)


def _auto_engine(network: Network, scaled, settings: Settings):
    """The engine the cost model :func:`vertex_advantage` predicts faster: the vertex engine
    where it applies, accepts the domain (no more than ``MAX_CORNERS`` corners or
    ``MAX_CONES`` cones) and its first cones' apex is well conditioned
    (``MAX_APEX_CONDITION``), and the model gives it the lower cost per region; else the
    split engine. Always the split engine for a network with max layers: the vertex engine
    carries them too (``method="vertex"``, faster on boxes in
    ``benchmarks/max_vertex_vs_split.py``), but not on every domain (a final region that
    contains a line). The choice depends only on the network and the domain."""
    if network.has_max or not supports(scaled):
        return SplitEngine(network, scaled, settings)
    rank = _first_rank(network, scaled)
    dim = scaled.dim if scaled.is_bounded else min(scaled.dim, rank)
    facets = scaled.A.shape[0] if scaled.is_bounded else 0
    if vertex_advantage(network, dim, scaled.is_bounded, rank < scaled.dim, facets=facets) > 0:
        try:
            engine = VertexEngine(network, scaled, settings)
        except DomainError:   # too many corners or cones, or first cells beyond float64
            return SplitEngine(network, scaled, settings)
        if engine.apex_condition <= MAX_APEX_CONDITION and vertex_advantage(
                network, engine.working.dim, scaled.is_bounded, rank < scaled.dim,
                facets=facets) > 0:
            return engine
    return SplitEngine(network, scaled, settings)


def vertex_advantage(network: Network, dim: int, bounded: bool, low_rank: bool,
                     costs: dict = AUTO_COST, facets: int = 0) -> float:
    """The cost model of ``method="auto"``: the predicted log2 of the split engine's cost per
    region over the vertex engine's (positive: the vertex engine is predicted faster), from
    what is known before a run: the dimension ``dim`` the vertex engine works in, whether the
    domain is ``bounded`` (with ``facets`` facets), whether the first layer's rank is below
    the domain's dimension (``low_rank``), the layers' hyperplanes and the number of layers
    with breakpoints; the constants are ``costs``, by default
    ``regions.tolerances.AUTO_COST`` (with their meaning there).

    >>> from regions.random_networks import random_network
    >>> vertex_advantage(random_network([2, 16, 16, 1], seed=0), 2, True, False, facets=4) > 0
    True
    >>> vertex_advantage(random_network([12, 16, 16, 1], seed=0), 12, True, False,
    ...                  facets=24) > 0
    False
    """
    layers = [layer for layer in network.layers if layer.activation != "identity"]
    if not layers:
        return math.inf         # a constant network: one region, no cut
    hyperplanes = min(max(layers[0].num_labels, 4), 64)
    planes = min(sum(layer.num_labels for layer in layers), MAX_MODEL_HYPERPLANES)
    cost = costs["bounded" if bounded else "unbounded"]
    return (cost["base"] - cost["vertices"] * cell_vertices(planes + facets, dim)
            + cost["low_rank"] * low_rank + cost["first_width"] * math.log2(hyperplanes)
            + cost["depth"] * (min(len(layers), 4) - 1))


def cell_vertices(hyperplanes: int, dim: int) -> float:
    """log2 of the mean number of vertices of a cell of ``hyperplanes`` hyperplanes in
    general position in R^dim: each of the ``C(n, d)`` vertices lies on ``2^d`` cells, of
    which there are ``sum_{i <= d} C(n, i)`` (Zaslavsky); about ``d`` when ``n`` is large,
    0 when ``n = d`` (``2^d`` cones around one vertex).

    >>> cell_vertices(10, 10), round(cell_vertices(64, 10), 1)
    (0.0, 9.7)
    """
    if hyperplanes < dim:
        return 0.0
    cells = sum(math.comb(hyperplanes, i) for i in range(dim + 1))
    return math.log2(math.comb(hyperplanes, dim)) + dim - math.log2(cells)


def _first_rank(network: Network, domain) -> int:
    """The rank of the first layer with breakpoints in the domain's coordinates, in float64
    (it only picks an engine; the vertex engine finds it exactly), in rationals when the
    float products overflow."""
    M = domain.basis
    for index, layer in enumerate(network.layers):
        with np.errstate(over="ignore", invalid="ignore"):
            M = layer.weight @ M
        if layer.activation != "identity":
            if not np.all(np.isfinite(M)):      # products beyond float64: in rationals
                preactivation = Decisions(network, domain).maps.preactivation
                return int(preactivation(np.zeros(0, np.int8), index)[0].rank())
            return float_rank(M)
    return 0


def _working_start(start, scaled, scale: float):
    """The walk's start point in working coordinates (None when not given)."""
    if start is None:
        return None
    point = np.asarray(start, dtype=np.float64)
    if point.shape != (scaled.dim,):
        raise DomainError(f"start must have shape ({scaled.dim},), got {point.shape}")
    return point / scale


def _load(resume, key: str, run: str):
    """The checkpoint to resume (None without one), refused when another kind of ``run``
    (``"count"`` or ``"enumeration"``) wrote it."""
    if resume is None:
        return None
    saved = checkpoints.load(resume, key)
    if saved.run != run:
        kind = {"count": "a count", "enumeration": "an enumeration"}
        how = ("count_regions (regions count without --output)" if saved.run == "count"
               else "enumerate_regions (regions count --output FILE)")
        raise RegionsError(f"{resume} holds {kind[saved.run]}, not {kind[run]}: resume it "
                           f"with {how}")
    return saved


def _resumed_method(method: str, saved, resume) -> str:
    """The method of a run: a resumed run's own (``"auto"`` takes it)."""
    if saved is None:
        return method
    if method not in ("auto", saved.engine):
        raise RegionsError(f"{resume} holds a run of method {saved.engine!r}, not {method!r}: "
                           f"resume it with method={saved.engine!r} (or 'auto')")
    return saved.engine


def _count_writer(path, key: str, engine_name: str, thin_before: np.ndarray):
    """A count's checkpoint callback ``save(cells, counters, thin_patterns, seconds)``:
    the cells not finished in depth-first order, and the thin patterns found since
    ``thin_before`` (those of the runs it resumes)."""
    writer = checkpoints.Writer(path, key)

    def save(cells: list, counters, thin_patterns: np.ndarray, seconds: float) -> None:
        writer.write(checkpoints.Saved(engine_name, cells[::-1], [], counters, seconds,
                                       np.concatenate([thin_before, thin_patterns])))
    return save


def _writer(path, key: str, resume, saved):
    """The driver's checkpoint callback: the engine's stack, and the records found since
    the last write (a shard), to ``path``; a run resumed from the same file continues its
    shards."""
    same = saved is not None and os.path.abspath(resume) == os.path.abspath(path)
    writer = checkpoints.Writer(path, key, saved.shards if same else ())

    def save(engine, records: list, seconds: float) -> None:
        writer.write(checkpoints.Saved(engine.name, stack_cells(engine), records,
                                       engine.counters(), seconds))
    return save
