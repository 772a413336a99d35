"""The one driver every engine runs under: budgets, progress, Ctrl-C, checkpoints.

An engine (``Engine``) owns a stack of cells and the geometry that
processes them; the driver decides when it runs, when it stops and what is
saved. Between two calls of ``engine.run`` (at most ``engine.chunk`` cells: one for
the facet walk, whose cells take milliseconds; one split and the final regions it
leaves for the split engine; hundreds for the vertex engine) the driver checks, in
this order: Ctrl-C, ``max_regions``, ``time_limit``, ``memory_limit`` (every
``MEMORY_CHECK_EVERY`` cells), then the exact-decision budget (``Settings.exact_budget``: once spent, the
engine goes on float-only), reports progress (at most every
``PROGRESS_SECONDS``) and writes a checkpoint (every ``checkpoint_every``
seconds). A stopped run keeps every
final region found so far: they are the first regions of the uninterrupted
run, in its order, because the engines work depth-first.
"""

from __future__ import annotations

import os
import signal
import threading
import time
from fractions import Fraction

import numpy as np

from ..domain import Domain, tolerance_scale
from ..network import Network
from ..partition import PatternMaps, PatternRows, Partition
from ..tolerances import (CHECKPOINT_SECONDS, MEMORY_CHECK_EVERY, PROGRESS_SECONDS, RESULTS_EVERY,
                          check_min_radius)
from .base import Counters, Engine, RegionArrays

__all__ = ["MEMORY_CHECK_EVERY", "PROGRESS_SECONDS", "CHECKPOINT_SECONDS", "UNLIMITED", "Interrupt",
           "budget_exhausted", "SetupStopped", "setup_check", "resident_memory", "stack_cells",
           "explored", "first_cells_finished", "drive", "Tally", "prepare", "run_fields",
           "build_partition", "domain_fields"]

#: ``max_regions`` when none is given.
UNLIMITED = 2 ** 62


class Interrupt:
    """Turns SIGINT into a flag the driver reads between chunks (main thread only)."""

    def __init__(self):
        self.requested = False
        self._previous = None

    def __enter__(self):
        if threading.current_thread() is threading.main_thread():
            self._previous = signal.signal(signal.SIGINT, self._handle)
        return self

    def _handle(self, signum, frame):
        self.requested = True

    def __exit__(self, *exc):
        if self._previous is not None:
            signal.signal(signal.SIGINT, self._previous)
        return False


def budget_exhausted(interrupt, found: int, seconds: float, check_memory: bool, max_regions,
                     time_limit, memory_limit) -> str | None:
    """Why a run must stop now (``"interrupted"``, ``"max_regions"``, ``"time_limit"``,
    ``"memory_limit"``), or None; memory is measured only when ``check_memory``."""
    if interrupt.requested:
        return "interrupted"
    if max_regions is not None and found >= max_regions:
        return "max_regions"
    if time_limit is not None and seconds >= time_limit:
        return "time_limit"
    if memory_limit is not None and check_memory and resident_memory() > memory_limit:
        return "memory_limit"
    return None


class SetupStopped(Exception):
    """Raised by a setup ``check`` (:func:`setup_check`): a budget ran out, or Ctrl-C came,
    before the engine's first cells were built. ``reason`` as :func:`budget_exhausted`'s."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def setup_check(interrupt: Interrupt, started: float, time_limit=None, memory_limit=None):
    """The ``check()`` an engine's setup (``engine.roots(check)``) calls between steps of
    work that may be long (``regions.tolerances.CHECK_EVERY``): it raises
    :class:`SetupStopped` on Ctrl-C (``interrupt``), once ``time_limit`` seconds have passed
    since ``started`` (``time.perf_counter()``), or beyond ``memory_limit`` bytes."""
    def check() -> None:
        reason = budget_exhausted(interrupt, 0, time.perf_counter() - started, True, None,
                                  time_limit, memory_limit)
        if reason is not None:
            raise SetupStopped(reason)
    return check


def resident_memory() -> int:
    """Resident set size of this process in bytes (Linux ``/proc``; 0 where unavailable)."""
    try:
        with open("/proc/self/statm") as handle:
            return int(handle.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return 0


def stack_cells(engine: Engine) -> list:
    """The engine's pending cells, bottom first, without changing its stack."""
    cells = [engine.pop() for _ in range(engine.pending)]
    for cell in reversed(cells):
        engine.push(cell)
    return cells[::-1]


def explored(first_cells: int, waiting, open_below: int) -> float | None:
    """The share of the first layer's cells whose subtrees are finished: of the
    ``first_cells`` cells layer 0 made (``per_layer[0]``), those not waiting
    (``waiting``: the cells waiting by layer, :meth:`Engine.layer_counts`) and not among the
    ``open_below`` ones a deeper waiting cell descends from. None while a cell of layer 0
    waits (not every first-layer cell is known yet), or without layers (the walk).

    It counts cells, not volume: each first-layer cell weighs the same, however many
    regions it holds. A first-layer cell whose split was cut short (``split_steps``) waits
    as several pieces, so the share is then a little low.

    Examples
    --------
    >>> explored(10, [0, 3, 5, 0], 1)       # 3 wait, 1 is under way: 6 of 10 done
    0.6
    >>> explored(10, [1, 3, 5, 0], 1) is None
    True
    """
    if waiting is None or waiting[0] or not first_cells:
        return None
    return max(0.0, first_cells_finished(first_cells, waiting, open_below) / first_cells)


def first_cells_finished(made: int, waiting, open_below: int) -> int:
    """Of ``made`` first-layer cells, those whose subtrees are finished: not waiting at
    layer 1 (``waiting``: cells waiting by layer) and not among the ``open_below`` ones a
    deeper waiting cell descends from (:func:`explored`)."""
    return made - int(waiting[1]) - open_below


def drive(engine: Engine, records: list, *, max_regions=None, time_limit=None,
          memory_limit=None, progress=None, checkpoint=None,
          checkpoint_every: float = CHECKPOINT_SECONDS, seconds_before: float = 0.0,
          sink=None, slice_seconds: float | None = None, wanted=None, stop=None):
    """Run ``engine`` until its stack is empty or a budget runs out.

    ``engine`` is any :class:`regions.engines.base.Engine`.

    The engine's final-region records are handed to ``sink(new_records)`` after each
    ``engine.run`` when it is given (then nothing is kept, and memory does not grow with the
    regions found; a sink may also report them as they come), else appended to ``records``
    once the engine holds ``RESULTS_EVERY`` regions, before a checkpoint and at the end.
    ``checkpoint``, if given, is called as
    ``checkpoint(engine, records, seconds)`` every ``checkpoint_every``
    seconds and once at the end. ``slice_seconds``: return ``"slice"`` once this long has
    passed, after at least one ``engine.run``, and (when given) ``wanted()`` is true (a
    parallel task's share of the work, :mod:`regions.engines.parallel`); ``stop``: return
    ``"slice"`` at once when ``stop()`` is true (the run the task belongs to stopped).
    Returns ``(stop reason or None, seconds)``, seconds counting
    ``seconds_before`` (earlier runs of a resumed enumeration).
    """
    started = time.perf_counter()
    last_report = last_save = started
    limit = UNLIMITED if max_regions is None else max_regions
    memory_every = max(1, MEMORY_CHECK_EVERY // engine.chunk)
    reason, looks = None, 0
    seconds = seconds_before
    budget = engine.settings.exact_budget if engine.settings.exact else None
    share = DepthFirstShare(engine) if progress else None
    taken = engine.n_regions

    def deliver():
        nonlocal taken
        if sink is None:
            records.extend(engine.take_results())
        else:
            sink(engine.take_results())
        taken = engine.n_regions

    with Interrupt() as interrupt:
        while engine.pending:
            now = time.perf_counter()
            seconds = seconds_before + (now - started)
            reason = budget_exhausted(interrupt, engine.n_regions, seconds,
                                      looks % memory_every == 0, max_regions, time_limit,
                                      memory_limit)
            if not reason and ((stop is not None and stop()) or (
                    looks and slice_seconds is not None and now - started >= slice_seconds
                    and (wanted is None or wanted()))):
                reason = "slice"
            if reason:
                break
            looks += 1
            if budget is not None and engine.counters().exact_decisions >= budget:
                engine.stop_exact()
                budget = None
            if progress is not None and now - last_report >= PROGRESS_SECONDS:
                last_report = now
                progress(engine.n_regions, engine.top_layer, engine.pending, seconds,
                         share(engine))
            if checkpoint is not None and now - last_save >= checkpoint_every:
                last_save = now
                deliver()
                checkpoint(engine, records, seconds)
            engine.run(engine.chunk, limit)
            if sink is not None or engine.n_regions - taken >= RESULTS_EVERY:
                deliver()
    deliver()
    seconds = seconds_before + (time.perf_counter() - started)
    if checkpoint is not None:
        checkpoint(engine, records, seconds)
    return reason, seconds


class DepthFirstShare:
    """The share of a depth-first run done, read at its progress looks
    (``share(engine)``; None when unknown).

    With one first cell (a bounded domain, the split engine on any domain) it is
    :func:`explored`: its deeper waiting cells all descend from the one first-layer cell
    under way. With several (the vertex engine's first cones on an unbounded domain), layer
    0 waits until the last cone is split, so each cone weighs the same: the cones finished,
    plus the share done of the first-layer cells of the one under way (those made since
    the look that first saw it under way). None until a look sees fewer cells waiting at
    layer 0 than there were cones (a cone whose split was cut short, ``split_steps``, waits
    there as several pieces). A run resumed after a first cell was split does not know how
    many were finished before it: :func:`explored`, None while layer 0 waits.
    """

    def __init__(self, engine: Engine):
        waiting, made = engine.layer_counts(), engine.counters().per_layer
        fresh = waiting is not None and not (made and made[0])
        self.roots = int(waiting[0]) if fresh else 0
        self.least, self.base = self.roots, 0

    def __call__(self, engine: Engine) -> float | None:
        waiting = engine.layer_counts()
        if waiting is None:
            return None
        made, open_below = engine.counters().per_layer[0], int(waiting[2:].any())
        if self.roots <= 1:
            return explored(made, waiting, open_below)
        if waiting[0] < self.least:        # another first cell is under way
            self.least, self.base = int(waiting[0]), made - int(waiting[1]) - open_below
        started = self.roots - self.least
        if not started:
            return None
        current = made - self.base
        inner = (first_cells_finished(current, waiting, open_below) / current
                 if current > 0 else 0.0)
        return (started - 1 + min(max(inner, 0.0), 1.0)) / self.roots


class Tally:
    """A :func:`drive` sink that counts final regions as they come and keeps only what a
    count reports of them: the thin ones' patterns (margin at most ``thin_radius``,
    working units)."""

    def __init__(self, engine: Engine, thin_radius: float, pattern_length: int):
        self.engine, self.thin_radius = engine, thin_radius
        self.count = 0
        self._patterns = [np.zeros((0, pattern_length), np.int8)]

    def __call__(self, records: list) -> None:
        if not records:         # most runs of one cell find no region
            return
        narrow = self.engine.margins(records) <= self.thin_radius
        if np.count_nonzero(narrow):    # rare: build the batch's arrays only then
            self._patterns.append(self.engine.collect(records).patterns[narrow])
        self.count += self.engine.count(records)

    @property
    def thin_patterns(self) -> np.ndarray:
        """(T, P) int8: the thin regions' patterns, in the run's order."""
        return np.concatenate(self._patterns)


def prepare(domain: Domain, min_radius: float) -> tuple[float, float, Domain]:
    """``(min_radius, scale, working domain)`` for an engine: the thin threshold checked and
    the domain's coordinates divided by its scale (:func:`regions.tolerance_scale`,
    a power of two, so the working domain is exactly the same set), or by 1 when that
    division would overflow or lose bits to underflow (a bound near 1e308 beside a small
    box): the scale only sets what is reported as thin."""
    min_radius = check_min_radius(min_radius)
    scale = tolerance_scale(domain)
    working = domain.scaled(scale)
    with np.errstate(over="ignore", under="ignore"):
        exact = (np.array_equal(working.b * scale, domain.b)
                 and np.array_equal(working.basis / scale, domain.basis)
                 and np.array_equal(working.lower * scale, domain.lower)
                 and np.array_equal(working.upper * scale, domain.upper))
    if not exact:
        return min_radius, 1.0, domain
    return min_radius, scale, working


def run_fields(engine: Engine, network: Network, domain: Domain, scale: float,
               min_radius: float, counters: Counters, stop_reason, unfinished: int,
               seconds: float, notes: tuple = ()) -> dict:
    """The attributes of :class:`regions.partition.Run` of an enumeration."""
    return dict(network=network, domain=domain, min_radius=min_radius, scale=scale,
                complete=stop_reason is None, stop_reason=stop_reason, unfinished=unfinished,
                seconds=seconds, method=engine.name, per_layer=list(counters.per_layer),
                lps=int(counters.lps), lp_seconds=float(counters.lp_seconds),
                exact=engine.settings.exact, exact_budget=engine.settings.exact_budget,
                exact_decisions=int(counters.exact_decisions),
                uncertain_decisions=int(counters.uncertain_decisions), notes=tuple(notes))


def build_partition(engine: Engine, network: Network, domain: Domain, scale: float,
                    min_radius: float, records: list, counters: Counters, stop_reason,
                    unfinished: int, seconds: float, notes: tuple = ()) -> Partition:
    """The :class:`Partition` of an engine's final-region ``records``: the one place a
    partition is assembled from an enumeration, and where working coordinates (divided by
    ``scale``) become the domain's."""
    arrays = engine.collect(records)
    return Partition(**run_fields(engine, network, domain, scale, min_radius, counters,
                                  stop_reason, unfinished, seconds, notes),
                     **domain_fields(arrays, network, domain, scale))


def domain_fields(arrays: RegionArrays, network: Network, domain: Domain, scale: float) -> dict:
    """Partition fields of ``arrays`` in the coordinates of ``domain`` (the working ones
    times ``scale``; exact, ``scale`` being a power of two)."""
    if arrays.rows is None:
        rows = PatternRows(network, domain, arrays.patterns, arrays.facet_offsets,
                           arrays.facet_labels)
    else:
        rows = [(A, b * scale, labels) for A, b, labels in arrays.rows]
    rational = {i: tuple(v * Fraction(scale) for v in point)
                for i, point in arrays.rational_witnesses.items()}
    return dict(patterns=arrays.patterns, witnesses=arrays.witnesses * scale,
                margins=arrays.margins * scale, rows=rows,
                maps=PatternMaps(network, domain, arrays.patterns),
                rational_witnesses=rational)
