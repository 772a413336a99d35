# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True
# cython: initializedcheck=False
"""Vertex-based splitting: the LP-free core of the vertex engine, with exact decisions.

A cell is a pointed convex polyhedron known by its generators *and* its
constraints: ``V (nv, dim + 1)`` in homogeneous coordinates (a vertex ``x``
is ``(x, 1)``, an extreme ray ``d`` is ``(d, 0)`` with ``|d| = 1``), rows
``a . z <= b`` (unit ``a``) with labels, and for each generator the bitset of
the constraints tight there. An unbounded cell also carries the row ``0 . z
<= 1`` labelled ``AT_INFINITY``, tight at its rays: the face at infinity of
the homogenised cone, so rays take part in the adjacency test like vertices,
and the row is never reported as a facet.

Cutting a cell by a hyperplane needs no LP. The hyperplane cuts the cell into
two parts with interior exactly when some generator lies strictly on each
side; otherwise the cell lies on one side. Each side is a *certified sign*:
the hyperplane's value at a generator is computed in float64 with a rigorous
bound on its error (the map's rounding, the generator's own error, the
evaluation's rounding; ``rounding.pxd``), and when the value is not farther
from zero than its bound the exact sign is asked of the Python side
(``exact``, :class:`regions.engines.vertex.ExactGenerators`), which computes
the generator exactly from the constraints tight at it and evaluates the
hyperplane in rational arithmetic. A cut makes new generators on the crossing
edges (two generators form an edge when no third one is tight on every
constraint tight at both: the combinatorial test of the double description
method), each with an error bound (``crossing.pxd``); a crossing whose ends'
values are not certified is computed exactly.

A max layer's units cut a cell into the parts where each position of a
unit's window is the argmax: each part is the cell clipped by the halfspaces of
that position's pair hyperplanes, every clip a cut that keeps one side, and a
part without interior (a generator strictly outside a clip and none strictly
inside) is dropped (``split_max``).

The depth-first stack of cells is a byte arena (``arena.pxd``) of
variable-size records (``vertex_records.pxd``), so millions of regions cost no
Python object each; finished regions go to struct-of-arrays buffers
(patterns, witnesses, margins, facet labels). Pre-activation maps and their
error bounds are in ``preactivation.pxd``; the largest ball of a thin region
(a report, not a decision) in ``small_lp.pxd``; the activation rules in
``activations.pxd``.
"""

cimport cython
import numpy as np
from libc.math cimport INFINITY, fabs, sqrt

from regions import tolerances
from regions.predicates import Decisions
from regions.rounding import weight_sizes
from libc.stdint cimport int32_t, int64_t, uint64_t
from libc.stdlib cimport free, malloc
from libc.string cimport memcpy, memmove, memset

from .activations cimport (HARDTANH, IDENTITY, LEAKY_RELU, MAX, RELU, breakpoint,
                           breakpoints_per_neuron, slope_offset, state_from_sides, tie_side)
from .arena cimport Buffer, copy_doubles, copy_words, release, reserve
from .compiled cimport (BALL_SINGULAR_PIVOT, BALL_SUBSET_LIMIT, BOUND_SAFETY, MAX_DIM,
                        SMALLEST_SUBNORMAL, UNIT_ROUNDOFF)
from .crossing cimport (common_bits, keep_rows, lowest_bit, masked_bits, on_constraints,
                        on_vertices, only_pair, renumber_bits, contains_bits, cross_rays,
                        cross_vertex_ray, cross_vertices)
from .preactivation cimport affine_map, column_norm, map_error, root_of_squares, smaller
from .refine cimport refine
from .rounding cimport bound_max, certify, dmax, dmin, gamma, largest_entry, scaled_norm
from .small_lp cimport ball_by_subsets
from .vertex_records cimport (CellHead, CellView, PieceHead, cell_bytes, piece_bytes,
                              piece_candidates, piece_cuts, piece_sides, piece_vertices, view)


ACTIVATION_CODES = {"relu": RELU, "leaky_relu": LEAKY_RELU, "hardtanh": HARDTANH,
                    "identity": IDENTITY, "max": MAX}
#: Label of the row ``0 . z <= 1`` that closes an unbounded cell at infinity.
AT_INFINITY = -(1 << 62)
cdef int64_t INFINITY_LABEL = AT_INFINITY
#: The compile-time constants this core was built with (``compiled.pxd``), by name: each
#: equals the constant of that name in :mod:`regions.tolerances` (``UNIT_ROUNDOFF``:
#: :mod:`regions.rounding`).
COMPILED = {"MAX_DIM": MAX_DIM, "BALL_SUBSET_LIMIT": BALL_SUBSET_LIMIT,
            "BALL_SINGULAR_PIVOT": BALL_SINGULAR_PIVOT, "BOUND_SAFETY": BOUND_SAFETY,
            "UNIT_ROUNDOFF": UNIT_ROUNDOFF, "SMALLEST_SUBNORMAL": SMALLEST_SUBNORMAL}
# Runtime constants, read from regions.tolerances (their meanings are there).
cdef double MAX_TERMS_PER_NEURON = tolerances.MAX_TERMS_PER_NEURON
cdef double TIGHT_ERROR = tolerances.TIGHT_ERROR
cdef long WORK_PER_STEP = tolerances.WORK_PER_STEP


cdef inline int max_terms(int n) noexcept nogil:
    """The most rank-one terms a child's pre-activation map carries after a full product,
    for a previous layer of ``n`` neurons (``premap``, ``child_map_error``)."""
    return <int>dmax(2.0, MAX_TERMS_PER_NEURON * n)


cdef inline int float_only_sign(double value) except 2:
    """The float-only mode's answer to an undecided sign (``Decisions.float_only_sign``): a
    DomainError when the value overflowed to inf or NaN, which has no sign to trust."""
    if not fabs(value) < INFINITY:
        Decisions.float_only_sign(value, "a hyperplane's value")
    return (value > 0.0) - (value < 0.0)


cdef struct LayerData:
    const double* weight   # (n_out, n_in)
    const double* bias     # (n_out,)
    const double* row_max      # (n_out,): largest |weight| of each row
    const double* weight_sum   # (n_out,): sum of |weight| over each row
    const double* row_norm     # (n_out,): bound on the 2-norm of each row of weight
    double spectral        # bound on the spectral norm of weight
    int n_out
    int n_in
    int act
    double slope           # leaky slope
    double largest_slope   # largest |slope| of any state (1 but for a steep leaky ReLU)
    int width              # outputs: the units of a max layer, else n_out
    # max layers only: windows (width, kmax) padded with -1, and the pair hyperplanes in
    # label order (``regions.network.max_pairs``): pair t is ``z[windows[unit, q]] -
    # z[windows[unit, p]]``; unit g's pairs start at first_pair[g]
    const int64_t* windows
    int kmax
    int n_pairs
    const int32_t* pair_unit
    const int32_t* pair_p
    const int32_t* pair_q
    const int32_t* first_pair


cdef struct Plane:
    double error      # error bound of the unit row (regions.predicates)
    double largest    # largest |a_k|, k < dim
    double size       # sum |a_k|, k < dim
    double offset     # |c|
    # what a generator's l1 size, its homogeneous coordinate and its error bound each add
    # to the bound of the row's value there (``VertexCore.value``), per unit
    double per_size, per_one, per_error


cdef inline void unit_row(const double* G, double offset, double G_error, bint zero,
                          int dim, double g, double* row, Plane* info) noexcept nogil:
    """The hyperplane ``G[:dim] . z + offset`` (gradient error bound ``G_error``) as the unit
    row ``[a | c]`` (dim + 1,) into ``row``, its error bound and sizes into ``info``; a zero
    row where the gradient is exactly zero (``zero``). Any positive float norm will do (a
    positive multiple of a row has the same sides), so it is taken of the row scaled by its
    largest entry, never 0 for a row that is not. A gradient not exactly zero whose float
    row is (every product underflowed) gets an infinite error bound: each of its sides is
    decided exactly."""
    cdef int k
    cdef double norm = 0.0 if zero else scaled_norm(G, dim)
    info.largest = 0.0
    info.size = 0.0
    for k in range(dim + 1):
        row[k] = 0.0
    if norm > 0.0:
        for k in range(dim):
            row[k] = G[k] / norm
            info.largest = bound_max(info.largest, fabs(row[k]))
            info.size += fabs(row[k])
        row[dim] = offset / norm
    info.offset = fabs(row[dim])
    if norm > 0.0:
        info.error = (G_error / norm + 2.0 * UNIT_ROUNDOFF * dmax(info.largest, info.offset)
                      ) * BOUND_SAFETY
    else:
        info.error = INFINITY if not zero and G_error > 0.0 else 0.0
    info.per_size = info.error + g * info.largest
    info.per_one = info.error + g * info.offset
    info.per_error = info.size + dim * info.error


cdef struct Workspace:
    # the layer's pre-activation map (of a cell not premapped), its error bounds, its
    # hyperplanes; a max layer's pairs that are exactly constant on the cell
    Buffer G, G_error, planes, plane_info, const_side
    # the generator pool of the cell being split: coordinates, error bounds, l1 sizes,
    # incidence bitsets, flat rays
    Buffer pool_z, pool_error, pool_size, pool_inc, pool_flat
    # pieces (a depth-first stack inside the cell), emitted pieces, a piece being worked on
    Buffer pieces, piece_offsets, emitted, emitted_offsets, work, members
    # the signs of the hyperplane a piece is cut by at its generators, found by side_of;
    # the sides of its ball the first piece's candidates pass on (decide_far)
    Buffer signs, decided
    # a generator's tight rows, their error bounds, and the work space to solve them
    Buffer tight_rows, tight_error, solve_work, solve_index
    # per neuron of every layer: its pre-activation is exactly constant along a ray
    Buffer flat
    # children of one cell share the next layer's pre-activation map up to a few neurons
    Buffer ref_map, ref_states, changed, child_coef, child_error


cdef struct Results:
    Buffer patterns, witnesses, margins, facet_offsets, facet_labels


cdef inline void* grab(Buffer* buf, size_t nbytes) except NULL:
    """Empty ``buf`` and make room for ``nbytes``; returns its data."""
    buf.used = 0
    reserve(buf, nbytes if nbytes else 8)
    return buf.data


cdef int copy_in(void* target, array) except -1:
    data = array.tobytes()
    memcpy(target, <const char*>data, len(data))
    return 0


cdef object copy_out(void* source, size_t nbytes, dtype):
    if nbytes == 0:
        return np.zeros(0, dtype)
    return np.frombuffer((<char*>source)[:nbytes], dtype).copy()


cdef struct Memory:
    # everything a core allocates as it runs: its stack, work space and results
    Buffer stack, stack_offsets, scratch
    Workspace ws
    Results out


# The memory of the last core released, for the next one (at most VERTEX_SPARE_BYTES of
# it): a run's buffers grow to megabytes (a layer's first cells wait on the stack
# together), and memory that large comes from the system anew each time, a page fault per
# page, which in a run of milliseconds costs a tenth of it.
cdef Memory spare
cdef bint spare_held = False
cdef size_t VERTEX_SPARE_BYTES = tolerances.VERTEX_SPARE_BYTES
# Memory is made of Buffers only: it is walked as an array of them
assert sizeof(Memory) % sizeof(Buffer) == 0


cdef size_t held_bytes(Memory* memory) noexcept:
    cdef Buffer* buffers = <Buffer*>memory
    cdef size_t i, total = 0
    for i in range(sizeof(Memory) // sizeof(Buffer)):
        total += buffers[i].cap
    return total


cdef void release_memory(Memory* memory) noexcept:
    cdef Buffer* buffers = <Buffer*>memory
    cdef size_t i
    for i in range(sizeof(Memory) // sizeof(Buffer)):
        release(&buffers[i])


cdef void empty_memory(Memory* memory) noexcept:
    cdef Buffer* buffers = <Buffer*>memory
    cdef size_t i
    for i in range(sizeof(Memory) // sizeof(Buffer)):
        buffers[i].used = 0


@cython.final   # no subclass: methods are direct C calls, which the C compiler can inline
cdef class VertexCore:
    """Depth-first splitting of cells by their generators (see the module docstring).

    Parameters
    ----------
    layers : list of (weight (out, in), bias (out,), activation code, leaky slope)
    dim : int
        Working dimension (at most ``MAX_DIM``).
    label_offsets : (L + 1,) int64
        First constraint label of each layer's breakpoint hyperplanes.
    thin_radius : float
        Regions whose inscribed radius is at most this are thin (reported).
    thin_factor : float
        A region whose witness margin is below ``thin_factor * thin_radius`` gets its
        largest inscribed ball computed, so thin regions are recognised.
    exact : object
        The exact side (:class:`regions.engines.vertex.ExactGenerators`); when its
        ``exact`` is False (the float-only mode) undecided signs follow the float values
        and are counted in ``uncertain_decisions`` instead.
    """

    cdef int dim, n_layers, pattern_length
    # the first layer of the network's tail of identity layers (n_layers when the last
    # layer has breakpoints): a finished piece of the layer before it becomes a region's cell
    # at once, since those layers split nothing and a region keeps no map
    cdef int tail
    cdef list _arrays
    cdef LayerData* layers
    cdef int64_t* label_offset
    cdef double thin_radius, thin_check
    cdef double gamma_value           # gamma(dim + 1): the rounding of one hyperplane value
    cdef double underflow             # what its dim products may lose to underflow
    cdef double root_dim              # sqrt(dim)
    cdef object exact
    cdef public bint exact_mode
    # keep every final region's generators for the face lattice (``exact.keep``)
    cdef public bint keep_generators
    cdef Buffer stack, stack_offsets, scratch
    cdef Workspace ws
    cdef Results out
    cdef list rational          # (region index in the results, exact witness as strings)
    cdef int ref_ready, ref_terms
    # the pre-activation map's error columns' 2-norm bound; its children's output maps'
    # the pre-activation map of the cell being split (its own when premapped, else ws.G's)
    cdef double* G
    cdef double* G_error
    cdef double G_norm, child_norm, child_error_norm
    # the first piece's bounding ball, from decide_far to its first step_piece
    cdef double first_center[MAX_DIM]
    cdef double first_radius
    cdef bint first_ball
    cdef public long n_regions, lps, exact_decisions, uncertain_decisions
    # A split stops after ``split_steps`` piece steps (a piece filtered and cut, or
    # emitted; one more per ``WORK_PER_STEP`` vertex-hyperplane pairs it filtered, so a
    # piece of thousands of vertices counts for its work): its unfinished pieces go back on
    # the stack as cells of the same layer, so one huge cell (a wide layer on all of R^n, a
    # cell of a 12-D cone) returns to the driver (budgets, Ctrl-C, progress, checkpoints)
    # like small ones; ``run`` returns after ``run_steps``. Counts, not a clock, so runs
    # are reproducible.
    cdef public long split_steps, run_steps
    cdef long steps
    cdef size_t current_at          # the piece being worked on: its offset in ws.pieces
    cdef object _per_layer
    cdef int64_t[::1] layer_done     # _per_layer's data, counted in C

    @property
    def per_layer(self):
        """``(n_layers,)`` int64: the cells each layer finished (its output regions)."""
        return self._per_layer

    @per_layer.setter
    def per_layer(self, counts):
        self._per_layer = np.array(counts, dtype=np.int64)
        self.layer_done = self._per_layer

    def __cinit__(self):
        global spare_held
        self.layers = NULL
        self.label_offset = NULL
        if spare_held:
            empty_memory(&spare)
            self.stack, self.stack_offsets, self.scratch = (spare.stack, spare.stack_offsets,
                                                            spare.scratch)
            self.ws, self.out = spare.ws, spare.out
            spare_held = False

    def __init__(self, layers, int dim, label_offsets, double thin_radius, double thin_factor,
                 exact):
        cdef int l, L = len(layers)
        cdef const double[:, ::1] w
        cdef const double[::1] b
        if not 1 <= dim <= MAX_DIM:
            raise ValueError(f"the vertex engine works in 1 to {MAX_DIM} dimensions, not {dim}")
        self.dim = dim
        self.gamma_value = gamma(dim + 1)
        self.underflow = (dim + 2) * SMALLEST_SUBNORMAL
        self.root_dim = sqrt(<double>dim)
        self.n_layers = L
        self._arrays = []
        self.layers = <LayerData*>malloc(L * sizeof(LayerData))
        self.label_offset = <int64_t*>malloc((L + 1) * sizeof(int64_t))
        if self.layers == NULL or self.label_offset == NULL:
            raise MemoryError("vertex engine: out of memory")
        self.pattern_length = 0
        for l in range(L):
            weight, bias, code, leak, windows = layers[l]
            weight = np.ascontiguousarray(weight, dtype=np.float64)
            bias = np.ascontiguousarray(bias, dtype=np.float64)
            row_max, weight_sum, row_norm, spectral = weight_sizes(weight)
            self._arrays.extend([weight, bias, row_max, weight_sum, row_norm])
            w = weight
            self.layers[l].weight = &w[0, 0]
            b = bias
            self.layers[l].bias = &b[0]
            b = row_max
            self.layers[l].row_max = &b[0]
            b = weight_sum
            self.layers[l].weight_sum = &b[0]
            b = row_norm
            self.layers[l].row_norm = &b[0]
            self.layers[l].spectral = spectral
            self.layers[l].n_out = weight.shape[0]
            self.layers[l].n_in = weight.shape[1]
            self.layers[l].act = code
            self.layers[l].slope = leak
            self.layers[l].largest_slope = dmax(1.0, fabs(leak)) if code == LEAKY_RELU else 1.0
            self.layers[l].width = weight.shape[0]
            self.layers[l].n_pairs = 0
            if code == MAX:
                self.max_layer(l, windows)
            if code != IDENTITY:
                self.pattern_length += self.layers[l].width
        for l in range(L + 1):
            self.label_offset[l] = label_offsets[l]
        self.tail = L
        while self.tail > 0 and self.layers[self.tail - 1].act == IDENTITY:
            self.tail -= 1
        self.thin_radius = thin_radius
        self.thin_check = thin_factor * thin_radius
        self.exact = exact
        self.exact_mode = exact.exact
        self.rational = []
        self.split_steps = tolerances.VERTEX_SPLIT_STEPS
        self.run_steps = tolerances.VERTEX_RUN_STEPS
        self.per_layer = np.zeros(L, dtype=np.int64)
        reserve(&self.out.facet_offsets, sizeof(int64_t))
        (<int64_t*>self.out.facet_offsets.data)[0] = 0
        self.out.facet_offsets.used = sizeof(int64_t)

    cdef int max_layer(self, int l, windows) except -1:
        """A max layer's windows and pair hyperplanes (see ``LayerData``)."""
        windows = np.ascontiguousarray(windows, dtype=np.int64)
        sizes = np.count_nonzero(windows >= 0, axis=1)
        unit, first, second = [], [], []
        for g, k in enumerate(sizes.tolist()):
            p, q = np.triu_indices(k, 1)
            unit += [g] * p.size
            first += p.tolist()
            second += q.tolist()
        starts = np.concatenate([[0], np.cumsum(sizes * (sizes - 1) // 2)]).astype(np.int32)
        # one padding entry each: windows of one make no pair, and a view needs an entry
        arrays = [windows] + [np.array(values + [0], dtype=np.int32)
                              for values in (unit, first, second)]
        arrays.append(starts)
        self._arrays.extend(arrays)
        cdef const int64_t[:, ::1] w = arrays[0]
        cdef const int32_t[::1] a
        self.layers[l].windows = &w[0, 0]
        self.layers[l].kmax = windows.shape[1]
        self.layers[l].width = windows.shape[0]
        self.layers[l].n_pairs = len(unit)
        a = arrays[1]
        self.layers[l].pair_unit = &a[0]
        a = arrays[2]
        self.layers[l].pair_p = &a[0]
        a = arrays[3]
        self.layers[l].pair_q = &a[0]
        a = arrays[4]
        self.layers[l].first_pair = &a[0]
        return 0

    def __dealloc__(self):
        global spare, spare_held
        cdef Memory memory
        memory.stack, memory.stack_offsets, memory.scratch = (self.stack, self.stack_offsets,
                                                              self.scratch)
        memory.ws, memory.out = self.ws, self.out
        if not spare_held and held_bytes(&memory) <= VERTEX_SPARE_BYTES:
            spare, spare_held = memory, True
        else:
            release_memory(&memory)
        free(self.layers)
        free(self.label_offset)

    # ------------------------------------------------------------------ stack

    @property
    def pending(self):
        """Cells waiting on the stack."""
        return self.stack_offsets.used // sizeof(size_t)

    @property
    def top_layer(self):
        """Layer of the cell on top of the stack (-1 when empty)."""
        cdef size_t n = self.stack_offsets.used // sizeof(size_t)
        if n == 0:
            return -1
        return (<CellHead*>(self.stack.data + (<size_t*>self.stack_offsets.data)[n - 1])).layer

    def layer_counts(self):
        """(L + 1,) int64: the cells waiting on the stack, by layer."""
        cdef size_t n = self.stack_offsets.used // sizeof(size_t), i
        counts = np.zeros(self.n_layers + 1, dtype=np.int64)
        cdef int64_t[:] view_ = counts
        for i in range(n):
            view_[(<CellHead*>(self.stack.data + (<size_t*>self.stack_offsets.data)[i])).layer] += 1
        return counts

    cdef CellView push_cell(self, int layer, int nv, int m, int nw, int n_in, int plen,
                            int premapped, int nsides) except *:
        """Room for a cell on the stack, its head filled in; returns the view to fill."""
        cdef size_t size = cell_bytes(self.dim, nv, m, nw, n_in, plen, nsides)
        reserve(&self.stack, size)
        reserve(&self.stack_offsets, sizeof(size_t))
        (<size_t*>(self.stack_offsets.data + self.stack_offsets.used))[0] = self.stack.used
        self.stack_offsets.used += sizeof(size_t)
        cdef CellHead* h = <CellHead*>(self.stack.data + self.stack.used)
        self.stack.used += size
        h.layer, h.nv, h.m, h.nw, h.n_in, h.plen, h.size = layer, nv, m, nw, n_in, plen, size
        h.premapped, h.nsides = premapped, nsides
        return view(<char*>h, self.dim)

    def push(self, int layer, V, V_error, incidence, rows, row_error, labels, map, map_error,
             pattern, int premapped=0, sides=None, flat=None):
        """Push a cell given as the fields of :class:`regions.engines.base.VertexCell`."""
        cdef int dim = self.dim
        sides = np.ascontiguousarray(np.zeros(0) if sides is None else sides, dtype=np.int8)
        V = np.ascontiguousarray(V, dtype=np.float64).reshape(-1, dim + 1)
        V_error = np.ascontiguousarray(V_error, dtype=np.float64)
        incidence = np.ascontiguousarray(incidence, dtype=np.uint64)
        rows = np.ascontiguousarray(rows, dtype=np.float64).reshape(-1, dim + 1)
        row_error = np.ascontiguousarray(row_error, dtype=np.float64)
        labels = np.ascontiguousarray(labels, dtype=np.int64)
        map = np.ascontiguousarray(map, dtype=np.float64).reshape(-1, dim + 1)
        map_error = np.ascontiguousarray(map_error, dtype=np.float64)
        pattern = np.ascontiguousarray(pattern, dtype=np.int8)
        flat = np.ascontiguousarray(np.zeros(V.shape[0]) if flat is None else flat, dtype=np.int8)
        cdef CellView cv = self.push_cell(layer, V.shape[0], rows.shape[0], incidence.shape[1],
                                          map.shape[0], pattern.shape[0], premapped,
                                          sides.shape[0])
        copy_in(cv.V, V)
        copy_in(cv.V_error, V_error)
        copy_in(cv.inc, incidence)
        copy_in(cv.rows, rows)
        copy_in(cv.row_error, row_error)
        copy_in(cv.labels, labels)
        copy_in(cv.map, map)
        copy_in(cv.map_error, map_error)
        cv.head.map_norm = column_norm(cv.map_error, map.shape[0], np.inf)
        copy_in(cv.pattern, pattern)
        copy_in(cv.sides, sides)
        copy_in(cv.flat, flat)

    def pop(self):
        """Remove the top cell and return it as the fields :meth:`push` takes."""
        cdef size_t n = self.stack_offsets.used // sizeof(size_t)
        if n == 0:
            raise IndexError("pop from an empty vertex stack")
        cdef size_t offset = (<size_t*>self.stack_offsets.data)[n - 1]
        cdef CellView cv = view(self.stack.data + offset, self.dim)
        cdef CellHead h = cv.head[0]
        cdef size_t cols = self.dim + 1
        fields = (h.layer,
                  copy_out(cv.V, h.nv * cols * 8, np.float64).reshape(h.nv, cols),
                  copy_out(cv.V_error, h.nv * 8, np.float64),
                  copy_out(cv.inc, <size_t>h.nv * h.nw * 8, np.uint64).reshape(h.nv, h.nw),
                  copy_out(cv.rows, h.m * cols * 8, np.float64).reshape(h.m, cols),
                  copy_out(cv.row_error, h.m * 8, np.float64),
                  copy_out(cv.labels, h.m * 8, np.int64),
                  copy_out(cv.map, h.n_in * cols * 8, np.float64).reshape(h.n_in, cols),
                  copy_out(cv.map_error, h.n_in * 8, np.float64),
                  copy_out(cv.pattern, h.plen, np.int8),
                  h.premapped,
                  copy_out(cv.sides, h.nsides, np.int8),
                  copy_out(cv.flat, h.nv, np.int8))
        self.stack.used = offset
        self.stack_offsets.used -= sizeof(size_t)
        return fields

    # ---------------------------------------------------------------- results

    def take_results(self):
        """Finished regions so far, as arrays; the buffers are emptied.

        Returns ``(patterns (R, P) int8, witnesses (R, dim), margins (R,),
        facet_offsets (R + 1,) int64, facet_labels (F,) int64, rational_index (k,) int64,
        rational_values (k, dim) str)``.
        """
        cdef int P = self.pattern_length, dim = self.dim
        R = self.out.margins.used // sizeof(double)
        patterns = _array(&self.out.patterns, np.int8, (R, P))
        witnesses = _array(&self.out.witnesses, np.float64, (R, dim))
        margins = _array(&self.out.margins, np.float64, (R,))
        offsets = _array(&self.out.facet_offsets, np.int64, (R + 1,))
        labels = _array(&self.out.facet_labels, np.int64,
                        (self.out.facet_labels.used // sizeof(int64_t),))
        rational_index = np.array([i for i, _ in self.rational], dtype=np.int64)
        rational_values = np.array([v for _, v in self.rational], dtype=str).reshape(-1, dim)
        self.rational = []
        self.out.patterns.used = 0
        self.out.witnesses.used = 0
        self.out.margins.used = 0
        self.out.facet_labels.used = 0
        self.out.facet_offsets.used = sizeof(int64_t)
        return (patterns, witnesses, margins, offsets, labels, rational_index, rational_values)

    # -------------------------------------------------------------------- run

    def run(self, long max_cells, long max_regions):
        """Process up to ``max_cells`` cells, stopping once ``n_regions`` reaches
        ``max_regions`` or the cells' splits took ``run_steps`` piece steps; returns the
        number of cells processed."""
        cdef long processed = 0
        cdef size_t n, offset, size
        cdef CellHead* h
        self.steps = 0
        while (processed < max_cells and self.n_regions < max_regions
               and self.steps < self.run_steps):
            n = self.stack_offsets.used // sizeof(size_t)
            if n == 0:
                break
            offset = (<size_t*>self.stack_offsets.data)[n - 1]
            processed += 1
            if (<CellHead*>(self.stack.data + offset)).layer == self.n_layers:
                # a region's cell pushes nothing: finished where it lies
                self.finish(view(self.stack.data + offset, self.dim))
                self.stack.used = offset
                self.stack_offsets.used -= sizeof(size_t)
                continue
            h = <CellHead*>(self.stack.data + offset)
            size = h.size
            self.stack_offsets.used -= sizeof(size_t)
            if self.layers[h.layer].act == IDENTITY:
                grab(&self.scratch, size)
                memcpy(self.scratch.data, h, size)
                self.stack.used = offset
                self.pass_through(view(self.scratch.data, self.dim))
                continue
            # A cell to split stays where it lies, under its children: push_children makes
            # room for them first (and views the cell again if that moved the stack), so
            # the stack does not move while they are pushed. Its bytes are taken back
            # when a cell below it is popped.
            self.stack.used = offset + size
            if self.layers[h.layer].act == MAX:
                self.split_max(view(self.stack.data + offset, self.dim))
            else:
                self.split(view(self.stack.data + offset, self.dim))
        return processed

    cdef int pass_through(self, CellView cv) except -1:
        """An identity layer: the same cell with the composed input map."""
        cdef int dim = self.dim, cols = dim + 1, l = cv.head.layer, n = self.layers[l].n_out
        cdef CellHead h = cv.head[0]
        cdef CellView out = self.push_cell(l + 1, h.nv, h.m, h.nw, n, h.plen, 0, 0)
        memcpy(out.V, cv.V, <size_t>(out.map - out.V) * sizeof(double))  # V .. labels
        if h.premapped:
            memcpy(out.map, cv.map, <size_t>n * cols * sizeof(double))
            memcpy(out.map_error, cv.map_error, <size_t>n * sizeof(double))
            out.head.map_norm = h.map_norm
        else:
            out.head.map_norm = self.layer_map(l, cv, out.map, out.map_error)
        memcpy(out.pattern, cv.pattern, h.plen)
        memcpy(out.flat, cv.flat, h.nv)
        self.layer_done[l] += 1
        return 0

    cdef double layer_map(self, int l, CellView cv, double* G, double* G_error) except -1:
        """Layer ``l``'s pre-activation map from the cell's input map, and its row error
        bounds; returns the bound on its error columns' 2-norm."""
        cdef LayerData* L = &self.layers[l]
        cdef int cols = self.dim + 1
        affine_map(L.weight, L.bias, L.n_out, L.n_in, cv.map, cols, G)
        return map_error(L.weight, L.bias, L.n_out, L.n_in, cv.map, cv.map_error,
                         cv.head.map_norm, L.row_norm, L.spectral, cols,
                         <double*>grab(&self.ws.work, L.n_in * sizeof(double)), G_error)

    # ------------------------------------------------------------------ finish

    cdef bint least_slack(self, CellView cv, double* w, double* margin):
        """The least slack of the cell's rows at ``w`` (into ``margin``), and whether float64
        certifies every row strictly satisfied there (error bounds of the rows and of the
        evaluation)."""
        cdef int dim = self.dim, cols = dim + 1, i, k
        cdef CellHead* h = cv.head
        cdef double s, bound, size = 0.0
        cdef bint certified = True
        margin[0] = 1e300
        for k in range(dim):
            size += fabs(w[k])
        for i in range(h.m):
            if cv.labels[i] == INFINITY_LABEL:
                continue
            s = cv.rows[i * cols + dim]
            bound = fabs(s)
            for k in range(dim):
                s -= cv.rows[i * cols + k] * w[k]
                bound += fabs(cv.rows[i * cols + k] * w[k])
            if s < margin[0]:
                margin[0] = s
            bound = (cv.row_error[i] * (size + 1.0) + self.gamma_value * bound
                     + self.underflow) * BOUND_SAFETY
            if not s > bound:
                certified = False
        return certified

    cdef int finish(self, CellView cv) except -1:
        """Record a final region: a witness strictly inside (certified, or computed exactly
        when float64 cannot certify one), its margin (the least slack there: the radius of a
        ball inside, up to rounding; for a thin region the largest ball, whose center is then
        the witness), its facets (the row at infinity is none)."""
        cdef int dim = self.dim, cols = dim + 1, i, k, nray
        cdef CellHead* h = cv.head
        cdef double margin
        cdef double ball_center[MAX_DIM]
        cdef double ball_radius
        cdef bint certified
        reserve(&self.out.witnesses, dim * sizeof(double))
        cdef double* w = <double*>(self.out.witnesses.data + self.out.witnesses.used)
        nray = self.interior_point(cv.V, NULL, h.nv, w)
        certified = self.least_slack(cv, w, &margin)
        if margin < self.thin_check:
            # a thin region: its largest ball (the subsets' balls are the largest only for
            # bounded regions)
            if nray or not ball_by_subsets(cv.rows, h.m, dim, ball_center, &ball_radius):
                rows = np.asarray(<double[:h.m * cols]>cv.rows).reshape(h.m, cols)
                keep = np.asarray(<int64_t[:h.m]>cv.labels) != INFINITY_LABEL
                center, ball_radius = self.exact.chebyshev(rows[keep, :dim], rows[keep, dim])
                self.lps += 1
                for k in range(dim):
                    ball_center[k] = center[k]
            for k in range(dim):
                w[k] = ball_center[k]
            certified = self.least_slack(cv, w, &margin)
            margin = ball_radius
        if self.keep_generators:
            self.exact.keep(self.pattern_bytes(cv), self.generator_labels(cv),
                            np.asarray(<double[:h.nv * cols]>cv.V).reshape(h.nv, cols).copy())
        if not certified and self.exact_mode:
            point, rational = self.exact.witness(
                self.pattern_bytes(cv), self.generator_labels(cv),
                np.asarray(<double[:h.nv * cols]>cv.V).reshape(h.nv, cols).copy())
            self.exact_decisions += 1
            for k in range(dim):
                w[k] = point[k]
            if rational is not None:
                self.rational.append((self.out.margins.used // sizeof(double), rational))
        self.out.witnesses.used += dim * sizeof(double)
        reserve(&self.out.margins, sizeof(double))
        (<double*>(self.out.margins.data + self.out.margins.used))[0] = margin
        self.out.margins.used += sizeof(double)
        reserve(&self.out.patterns, h.plen)
        memcpy(self.out.patterns.data + self.out.patterns.used, cv.pattern, h.plen)
        self.out.patterns.used += h.plen
        reserve(&self.out.facet_labels, h.m * sizeof(int64_t))
        for i in range(h.m):
            if cv.labels[i] != INFINITY_LABEL:
                (<int64_t*>(self.out.facet_labels.data + self.out.facet_labels.used))[0] = (
                    cv.labels[i])
                self.out.facet_labels.used += sizeof(int64_t)
        reserve(&self.out.facet_offsets, sizeof(int64_t))
        (<int64_t*>(self.out.facet_offsets.data + self.out.facet_offsets.used))[0] = (
            self.out.facet_labels.used // sizeof(int64_t))
        self.out.facet_offsets.used += sizeof(int64_t)
        self.n_regions += 1
        return 0

    cdef int interior_point(self, double* V, int32_t* vid, int count, double* p) except -1:
        """A point inside the polyhedron of the generators ``vid[:count]`` of ``V`` (all of
        ``V`` when ``vid`` is NULL): the vertex mean, plus (unbounded) the sum of the rays
        times ``1 +`` the vertices' spread, so it sits as deep in the recession cone as the
        vertices are wide. Returns the number of rays."""
        cdef int dim = self.dim, gd = dim + 1, i, k, nvert = 0, nray = 0
        cdef double spread = 0.0
        cdef double* g
        cdef double ray_sum[MAX_DIM]
        for k in range(dim):
            p[k] = 0.0
            ray_sum[k] = 0.0
        for i in range(count):
            g = V + <size_t>(vid[i] if vid != NULL else i) * gd
            if g[dim] == 0.0:
                nray += 1
                for k in range(dim):
                    ray_sum[k] += g[k]
            else:
                nvert += 1
                for k in range(dim):
                    p[k] += g[k]
        for k in range(dim):
            p[k] /= nvert
        if nray:
            for i in range(count):
                g = V + <size_t>(vid[i] if vid != NULL else i) * gd
                if g[dim] != 0.0:
                    for k in range(dim):
                        spread = dmax(spread, fabs(g[k] - p[k]))
            for k in range(dim):
                p[k] += (1.0 + spread) * ray_sum[k]
        return nray

    # ------------------------------------------------------------ the exact side

    cdef bytes pattern_bytes(self, CellView cv):
        return (<char*>cv.pattern)[:cv.head.plen]

    cdef tuple tight_labels(self, CellView cv, const uint64_t* bits, int words):
        """The constraint labels whose bits are set (the cell's rows, then the current
        layer's hyperplanes), without the row at infinity."""
        cdef int bit, m = cv.head.m, l = cv.head.layer
        found = []
        for bit in range(64 * words):
            if bits[bit >> 6] & ((<uint64_t>1) << (bit & 63)):
                if bit < m:
                    if cv.labels[bit] != INFINITY_LABEL:
                        found.append(int(cv.labels[bit]))
                else:
                    found.append(int(self.label_offset[l] + bit - m))
        return tuple(found)

    cdef list generator_labels(self, CellView cv):
        """The tight labels of every generator of a cell."""
        cdef int i
        return [self.tight_labels(cv, cv.inc + <size_t>i * cv.head.nw, cv.head.nw)
                for i in range(cv.head.nv)]

    cdef int exact_generator(self, CellView cv, size_t v, int words) except -1:
        """Replace pool generator ``v`` by its exact value rounded to float64 (error bound
        about half an ulp), computed from the constraints tight at it."""
        cdef int dim = self.dim, k
        cdef double* z = <double*>self.ws.pool_z.data + v * (dim + 1)
        approx = np.array([z[k] for k in range(dim)])
        point, error = self.exact.generator(self.pattern_bytes(cv), cv.head.layer,
                                            self.tight_labels(cv, <uint64_t*>self.ws.pool_inc.data
                                                              + v * words, words),
                                            bool(z[dim] == 0.0), approx)
        for k in range(dim):
            z[k] = point[k]
        (<double*>self.ws.pool_error.data)[v] = error
        self.set_size(v)
        return 0

    cdef int exact_sign(self, CellView cv, size_t v, int t, int words, double value) except 2:
        """The exact sign of hyperplane ``t`` at pool generator ``v`` (after float64 could not
        certify it); in the float-only mode the sign of ``value``."""
        cdef int dim = self.dim, k
        cdef double* z
        if not self.exact_mode:
            self.uncertain_decisions += 1
            return float_only_sign(value)
        self.exact_decisions += 1
        z = <double*>self.ws.pool_z.data + v * (dim + 1)
        sign = self.exact.sign(self.pattern_bytes(cv), cv.head.layer,
                               self.tight_labels(cv, <uint64_t*>self.ws.pool_inc.data + v * words,
                                                 words),
                               bool(z[dim] == 0.0), np.array([z[k] for k in range(dim)]),
                               int(self.label_offset[cv.head.layer] + t))
        if ((<double*>self.ws.pool_error.data)[v]
                > 8.0 * UNIT_ROUNDOFF * dmax(1.0, largest_entry(z, dim))):
            self.exact_generator(cv, v, words)
        return sign

    # ------------------------------------------------------------------- split

    cdef int split(self, CellView cv) except -1:
        """Split a cell by every breakpoint hyperplane of its layer; push the pieces."""
        cdef CellHead* h = cv.head
        cdef int l = h.layer, n = self.layers[l].n_out
        cdef int k_bp = breakpoints_per_neuron(self.layers[l].act)
        cdef int T = n * k_bp, t, j, i
        cdef int words = (h.m + T + 63) // 64
        self.preactivations(cv, n)
        grab(&self.ws.planes, <size_t>T * (self.dim + 1) * sizeof(double))
        grab(&self.ws.plane_info, <size_t>T * sizeof(Plane))
        self.load_pool(cv, words)
        # the first piece: the whole cell, with the hyperplanes not yet decided as candidates
        grab(&self.ws.pieces, 0)
        self.ws.piece_offsets.used = 0
        self.ws.emitted.used = 0
        self.ws.emitted_offsets.used = 0
        cdef int ncand = 0
        for t in range(T):
            ncand += (h.nsides == 0) or cv.sides[t] == 0
        cdef char* piece = self.new_piece(h.nv, 0, ncand, T)
        cdef int32_t* vid = piece_vertices(piece)
        for i in range(h.nv):
            vid[i] = i
        cdef int32_t* cand = piece_candidates(piece)
        cdef signed char* sides = piece_sides(piece)
        if h.nsides:
            memcpy(sides, cv.sides, T)
        else:
            memset(sides, 0, T)
        j = 0
        for t in range(T):
            if sides[t] == 0:
                cand[j] = t
                j += 1
        self.decide_far(cv, piece, T, k_bp)
        cdef long steps = 0
        while self.ws.piece_offsets.used and steps < self.split_steps:
            steps += 1 + self.step_piece(cv, T, k_bp, words)
        self.steps += steps
        self.push_children(cv, T, k_bp, words)
        return 0

    # ------------------------------------------------------------- max layers

    cdef int split_max(self, CellView cv) except -1:
        """Split a cell by the units of a max layer, unit by unit: each piece into the
        parts where each position of the unit's window is the argmax, every part the piece
        clipped by the pairs of its position (``step_max``), empty parts dropped; push the
        finished pieces. A piece's ``sides`` hold +-1 for a pair clipped (or found on the
        kept side) and +-2 for a pair of its position still to clip, so a split cut short
        (``split_steps``) leaves cells that resume where it stopped."""
        cdef CellHead* h = cv.head
        cdef int l = h.layer, T = self.layers[l].n_pairs, i, t, ncand = 0, unit = -1
        cdef int words = (h.m + T + 63) // 64
        self.preactivations(cv, self.layers[l].n_out)
        self.pair_planes(cv, l)
        self.load_pool(cv, words)
        grab(&self.ws.pieces, 0)
        self.ws.piece_offsets.used = 0
        self.ws.emitted.used = 0
        self.ws.emitted_offsets.used = 0
        for t in range(h.nsides):
            if cv.sides[t] != 0:
                unit = self.layers[l].pair_unit[t]      # units go in order: the last one
            ncand += cv.sides[t] == 2 or cv.sides[t] == -2
        cdef char* piece = self.new_piece(h.nv, 0, ncand, T)
        cdef int32_t* vid = piece_vertices(piece)
        for i in range(h.nv):
            vid[i] = i
        (<PieceHead*>piece).unit = unit
        cdef int32_t* cand = piece_candidates(piece)
        i = 0
        for t in range(h.nsides):
            if cv.sides[t] == 2 or cv.sides[t] == -2:
                cand[i] = t
                i += 1
        if h.nsides:
            memcpy(piece_sides(piece), cv.sides, T)
        else:
            memset(piece_sides(piece), 0, T)
        cdef long steps = 0
        while self.ws.piece_offsets.used and steps < self.split_steps:
            steps += 1 + self.step_max(cv, T, words)
        self.steps += steps
        self.push_children(cv, T, 0, words)
        return 0

    cdef int pair_planes(self, CellView cv, int l) except -1:
        """The max layer's pair hyperplanes ``z_q - z_p`` as unit rows with error bounds (as
        ``unit_plane``; the difference rounds once, like a breakpoint's offset), and in
        ``const_side`` the side of each pair whose difference is exactly constant on the
        cell (the sign of the constant, -1 where it is 0: the earlier position wins a tie),
        0 for the others. As in ``decide_far``, a gradient or constant is
        certified nonzero in float64 when larger than its error bound, else decided
        exactly (:class:`regions.engines.vertex.ExactGenerators`)."""
        cdef LayerData* L = &self.layers[l]
        cdef int dim = self.dim, cols = dim + 1, T = L.n_pairs, t, k, zero
        cdef double* G = self.G
        cdef double* G_error = self.G_error
        cdef double* row = <double*>grab(&self.ws.planes, <size_t>T * cols * sizeof(double))
        cdef Plane* info = <Plane*>grab(&self.ws.plane_info, <size_t>T * sizeof(Plane))
        cdef signed char* const_side = <signed char*>grab(&self.ws.const_side, T)
        cdef double D[MAX_DIM + 1]
        cdef double D_error, size, value
        cdef int64_t earlier, later, label
        for t in range(T):
            earlier = L.windows[L.pair_unit[t] * L.kmax + L.pair_p[t]]
            later = L.windows[L.pair_unit[t] * L.kmax + L.pair_q[t]]
            for k in range(cols):
                D[k] = G[later * cols + k] - G[earlier * cols + k]
            D_error = G_error[later] + G_error[earlier]
            size = largest_entry(D, dim)
            label = self.label_offset[l] + t
            if size > (D_error + UNIT_ROUNDOFF * size) * BOUND_SAFETY:
                zero = 0
            elif size == 0.0 and D_error == 0.0:
                zero = 1
            elif not self.exact_mode:
                self.uncertain_decisions += 1
                zero = size == 0.0
            else:
                self.exact_decisions += 1
                zero = self.exact.row_is_zero(self.pattern_bytes(cv), label)
            const_side[t] = 0
            if zero:
                value = D[dim]
                const_side[t] = certify(value, (D_error + UNIT_ROUNDOFF * fabs(value))
                                        * BOUND_SAFETY)
                if const_side[t] == 0:
                    if not self.exact_mode:
                        self.uncertain_decisions += 1
                        const_side[t] = float_only_sign(value)
                    else:
                        self.exact_decisions += 1
                        const_side[t] = self.exact.row_constant_sign(self.pattern_bytes(cv),
                                                                     label)
                if const_side[t] == 0:
                    const_side[t] = -1
            unit_row(D, D[dim], D_error, zero, dim, self.gamma_value, row + t * cols, &info[t])
        return 0

    cdef char* pop_piece(self) except NULL:
        """Take the top piece of the piece stack to work on (``current``); returns it. It
        stays where it lies, under the parts pushed from it (whatever lay above it is
        done with), and ``current`` finds it again after a push moved the stack."""
        cdef size_t offset = (<size_t*>(self.ws.piece_offsets.data
                                        + self.ws.piece_offsets.used))[-1]
        self.ws.pieces.used = offset + (<PieceHead*>(self.ws.pieces.data + offset)).size
        self.ws.piece_offsets.used -= sizeof(size_t)
        self.current_at = offset
        return self.ws.pieces.data + offset

    cdef inline char* current(self) noexcept nogil:
        """The piece being worked on (``pop_piece``)."""
        return self.ws.pieces.data + self.current_at

    cdef long step_max(self, CellView cv, int T, int words) except -1:
        """Advance the top piece of a max split. Its candidates are the pairs of its unit's
        position still to clip by, each with the side the position's part keeps in
        ``sides``: a pair the piece lies on the kept side of is done, one it lies on the
        other side of leaves the part empty (the piece is dropped), and the first that
        crosses it clips it (only the kept side is pushed). A piece clipped by all its pairs
        goes on to the next unit (``next_unit``). Returns the extra steps its work counts
        for (as ``step_piece``)."""
        cdef char* piece = self.pop_piece()
        cdef PieceHead* ph = <PieceHead*>piece
        cdef int32_t* vid = piece_vertices(piece)
        cdef int32_t* cand = piece_candidates(piece)
        cdef signed char* sides = piece_sides(piece)
        cdef signed char* const_side = <signed char*>self.ws.const_side.data
        cdef long extra = <long>ph.nv * (ph.ncand + 1) // WORK_PER_STEP
        cdef double center[MAX_DIM]
        cdef double center_size = 0.0, radius = -1.0
        cdef int i, t, side, keep
        if ph.ncand:
            radius = self.bounding_ball(vid, ph.nv, center)
            for i in range(self.dim):
                center_size += fabs(center[i])
        for i in range(ph.ncand):
            t = cand[i]
            keep = 1 if sides[t] > 0 else -1
            side = const_side[t]
            if side == 0:
                side = self.side_of(cv, vid, ph.nv, t, center, center_size, radius, words,
                                    NULL)
            if side == keep:
                sides[t] = keep
                continue
            if side != 0:
                return extra
            # the pairs before i hold (+-1); the part inherits the pairs after i
            return extra + self.cut(cv, i, T, words, keep, NULL) // WORK_PER_STEP
        self.next_unit(cv, T)
        return extra

    cdef inline int window_size(self, LayerData* L, int g) noexcept nogil:
        """Inputs of unit ``g`` of max layer ``L``."""
        cdef int k = 0
        while k < L.kmax and L.windows[g * L.kmax + k] >= 0:
            k += 1
        return k

    cdef inline int pair_of(self, LayerData* L, int g, int k, int j, int p) noexcept nogil:
        """The pair hyperplane of positions ``j != p`` of unit ``g`` (window of ``k``)."""
        cdef int lo = p if p < j else j, hi = j if p < j else p
        return L.first_pair[g] + lo * (2 * k - lo - 1) // 2 + hi - lo - 1

    cdef int next_unit(self, CellView cv, int T) except -1:
        """The piece in ``current``, clipped to the argmax part of its unit: emitted when no
        later unit has a window of two or more, else pushed as one piece per position of
        the next such unit's window, whose candidates are the position's pairs and
        ``sides`` the side its part keeps of each, doubled until clipped (+2 for ``(p, j)``:
        the later position ``j`` strictly larger; -2 for ``(j, q)``), the first position on
        top."""
        cdef char* piece = self.current()
        cdef PieceHead* ph = <PieceHead*>piece
        cdef LayerData* L = &self.layers[cv.head.layer]
        cdef int g = ph.unit + 1, k, j, p, n, t
        cdef char* part
        cdef int32_t* cand
        while g < L.width and self.window_size(L, g) < 2:
            g += 1
        if g == L.width:
            return self.emit_current()
        k = self.window_size(L, g)
        for j in range(k - 1, -1, -1):
            part = self.new_piece(ph.nv, ph.ncut, k - 1, T)
            piece = self.current()
            ph = <PieceHead*>piece
            memcpy(piece_vertices(part), piece_vertices(piece),
                   (ph.nv + ph.ncut) * sizeof(int32_t))
            memcpy(piece_sides(part), piece_sides(piece), T)
            (<PieceHead*>part).unit = g
            cand = piece_candidates(part)
            n = 0
            for p in range(k):
                if p == j:
                    continue
                t = self.pair_of(L, g, k, j, p)
                cand[n] = t
                n += 1
                piece_sides(part)[t] = 2 if p < j else -2
        return 0

    cdef int emit_current(self) except -1:
        """The piece in ``current`` is finished: a cell of the next layer."""
        cdef size_t size = (<PieceHead*>self.current()).size
        reserve(&self.ws.emitted, size)
        reserve(&self.ws.emitted_offsets, sizeof(size_t))
        (<size_t*>(self.ws.emitted_offsets.data + self.ws.emitted_offsets.used))[0] = (
            self.ws.emitted.used)
        self.ws.emitted_offsets.used += sizeof(size_t)
        memcpy(self.ws.emitted.data + self.ws.emitted.used, self.current(), size)
        self.ws.emitted.used += size
        return 0

    cdef int winner(self, int l, int g, signed char* sides) except -1:
        """The argmax position of unit ``g`` of max layer ``l`` in a finished piece: the one
        whose pairs all hold the sides its part keeps (the other pairs are 0)."""
        cdef LayerData* L = &self.layers[l]
        cdef int k = self.window_size(L, g), j, p
        for j in range(k):
            for p in range(k):
                if p != j and sides[self.pair_of(L, g, k, j, p)] != (1 if p < j else -1):
                    break
            else:
                return j
        raise AssertionError(f"no argmax position holds all its pairs' sides (unit {g})")

    cdef int max_child(self, CellView cv, signed char* sides, CellView out) except -1:
        """A finished piece of a max layer: its units' states (argmax positions), and (unless
        it is a region's cell) the next layer's input map, each unit's row the pre-activation
        row of its argmax with that row's error bound (selected, not computed: no
        rounding)."""
        cdef int cols = self.dim + 1, l = cv.head.layer, g
        cdef LayerData* L = &self.layers[l]
        cdef double* G = self.G
        cdef double* G_error = self.G_error
        cdef int64_t row
        for g in range(L.width):
            out.pattern[cv.head.plen + g] = self.winner(l, g, sides)
        if out.head.layer == self.n_layers:
            return 0
        for g in range(L.width):
            row = L.windows[g * L.kmax + out.pattern[cv.head.plen + g]]
            memcpy(out.map + g * cols, G + row * cols, cols * sizeof(double))
            out.map_error[g] = G_error[row]
        # overlapping windows may select a row twice: the row bounds alone bound a column
        out.head.map_norm = column_norm(out.map_error, L.width, np.inf)
        return 0

    cdef int preactivations(self, CellView cv, int n) except -1:
        """The layer's pre-activation map ``G (n, dim + 1)``, its row error bounds and the
        bound on its error columns' 2-norm (``G_norm``)."""
        cdef int cols = self.dim + 1
        if cv.head.premapped:           # the cell's own map (it stays put during its split)
            self.G, self.G_error = cv.map, cv.map_error
            self.G_norm = cv.head.map_norm
        else:
            self.G = <double*>grab(&self.ws.G, <size_t>n * cols * sizeof(double))
            self.G_error = <double*>grab(&self.ws.G_error, <size_t>n * sizeof(double))
            self.G_norm = self.layer_map(cv.head.layer, cv, self.G, self.G_error)
        return 0

    cdef int constant_gradient(self, CellView cv, int j, double size) except -1:
        """Whether neuron ``j``'s pre-activation is exactly constant on the cell, when float64
        does not certify its gradient nonzero (its largest entry ``size`` is within the
        error bound): decided exactly, unless the gradient and its bound are 0 or its
        inputs are constant (``inputs_constant``)."""
        if size == 0.0 and (self.G_error[j] == 0.0 or self.inputs_constant(cv, j)):
            return 1
        if not self.exact_mode:
            self.uncertain_decisions += 1
            return size == 0.0
        self.exact_decisions += 1
        return self.exact.gradient_is_zero(self.pattern_bytes(cv), cv.head.layer, j)

    cdef int constant_side(self, CellView cv, int j, int q) except -2:
        """The side of breakpoint ``q`` of neuron ``j``, whose pre-activation is exactly
        constant on the cell (the tie rule where the constant is the breakpoint): certified
        in float64, else decided exactly."""
        cdef int l = cv.head.layer, act = self.layers[l].act, side
        cdef double bp = breakpoint(act, q)
        cdef double value = self.G[j * (self.dim + 1) + self.dim] - bp
        side = certify(value, (self.G_error[j] + UNIT_ROUNDOFF * fabs(value)) * BOUND_SAFETY)
        if side == 0:
            if not self.exact_mode:
                self.uncertain_decisions += 1
                side = float_only_sign(value)
            else:
                self.exact_decisions += 1
                side = self.exact.constant_sign(self.pattern_bytes(cv), l, j, bp)
        return side if side != 0 else tie_side(act, q)

    cdef bint inputs_constant(self, CellView cv, int j) noexcept:
        """Whether every input of neuron ``j`` of the cell's layer that it weighs is a neuron
        of the previous layer in a constant state (ReLU off, hard-tanh saturated): then its
        pre-activation is exactly constant, whatever rounding its map carries."""
        cdef int l = cv.head.layer, i, n_prev
        cdef LayerData* L
        cdef signed char state
        cdef double slope, offset
        if l == 0 or self.layers[l - 1].act == IDENTITY or self.layers[l - 1].act == MAX:
            return False
        L = &self.layers[l - 1]
        n_prev = L.n_out
        for i in range(n_prev):
            if self.layers[l].weight[j * n_prev + i] == 0.0:
                continue
            state = cv.pattern[cv.head.plen - n_prev + i]
            slope_offset(L.act, L.slope, state, &slope, &offset)
            if slope != 0.0:
                return False
        return True

    cdef int decide_far(self, CellView cv, char* piece, int T, int k_bp) except -1:
        """Decide on the first piece (the whole cell) its constant candidates and those that
        certainly miss a ball around it; the candidates left, which the pieces test, get
        their unit rows (``unit_plane``), the only rows the pieces read. Sizing a unit row
        costs a square root and divisions, and in low dimension most of a layer's
        hyperplanes miss a cell. The ball is kept for the piece's first ``step_piece``.

        A neuron's gradient ``g`` (its pre-activation row as it is) is certified nonzero
        when its largest entry exceeds its error bound ``G_error``, else decided by
        ``constant_gradient``; a constant one's sides are ``constant_side``'s. A
        breakpoint hyperplane ``g . z + c`` misses the ball (center ``x``, l1 size
        ``size``) when ``|g . x + c|`` exceeds: the entry errors ``G_error (size + 1)``,
        the evaluation's ``gamma(dim + 1)`` times its terms, the breakpoint's subtraction
        (one rounding) ``2 u |c|``, and over the ball ``(|g|_1 + sqrt(dim) G_error)
        radius`` (``|g|_1`` bounds the exact gradient's 2-norm with ``G_error``)."""
        cdef PieceHead* ph = <PieceHead*>piece
        cdef int32_t* cand = piece_candidates(piece)
        cdef signed char* sides = piece_sides(piece)
        cdef double* center = &self.first_center[0]
        cdef double radius = self.bounding_ball(piece_vertices(piece), ph.nv, center)
        cdef double size = 0.0
        self.first_radius, self.first_ball = radius, True
        cdef int dim = self.dim, i, k, t, j, q, side, kept = 0, l = cv.head.layer
        cdef int act = self.layers[l].act, last = -1
        cdef bint constant = False
        cdef double largest
        for k in range(dim):
            size += fabs(center[k])
        # what a unit of a neuron's error bound adds to its bound at the ball
        cdef double per_error = size + 1.0 + self.root_dim * radius
        # First, without branches, each candidate's side of the ball (2: its gradient is
        # not certified nonzero, or there is no ball); then what that leaves.
        cdef signed char* decided = <signed char*>grab(&self.ws.decided, ph.ncand)
        for i in range(ph.ncand):
            t = cand[i]
            # k_bp is 1 or 2: a shift, not an integer division
            decided[i] = self.far_side(t if k_bp == 1 else t >> 1, 0 if k_bp == 1 else t & 1,
                                       act, center, per_error, radius)
        for i in range(ph.ncand):
            t = cand[i]
            j = t if k_bp == 1 else t >> 1
            q = 0 if k_bp == 1 else t & 1
            side = decided[i]
            if side == 2:
                if j != last:       # a neuron's breakpoints are consecutive candidates
                    last = j
                    largest = largest_entry(self.G + <size_t>j * (dim + 1), dim)
                    constant = (not largest > self.G_error[j]
                                and self.constant_gradient(cv, j, largest))
                if constant:
                    side = self.constant_side(cv, j, q)
                elif radius >= 0.0:
                    side = self.ball_test(j, q, act, center, per_error, radius)
                else:
                    side = 0
            if side != 0:
                sides[t] = side
            else:
                self.unit_plane(l, t, j, q)
                cand[kept] = t
                kept += 1
        if kept < ph.ncand:
            ph.ncand = kept                  # the sides follow the candidates in the record
            memmove(piece_sides(piece), sides, T)
        return 0

    cdef inline int ball_test(self, int j, int q, int act, double* center, double per_error,
                              double radius) noexcept nogil:
        """The side (+1 / -1) of the ball (``center``, ``radius``) that breakpoint ``q`` of
        neuron ``j`` certainly passes on, else 0, by ``decide_far``'s bound."""
        cdef int dim = self.dim, k
        cdef double* g = self.G + <size_t>j * (dim + 1)
        cdef double c = g[dim] - breakpoint(act, q)
        cdef double dot = 0.0, terms = 0.0, length = 0.0
        for k in range(dim):
            dot += g[k] * center[k]
            terms += fabs(g[k] * center[k])
            length += fabs(g[k])
        return certify(c + dot, (self.G_error[j] * per_error
                                 + self.gamma_value * (fabs(c) + terms)
                                 + 2.0 * UNIT_ROUNDOFF * fabs(c) + self.underflow
                                 + length * radius) * BOUND_SAFETY)

    cdef inline signed char far_side(self, int j, int q, int act, double* center,
                                     double per_error, double radius) noexcept nogil:
        """``ball_test`` where neuron ``j``'s gradient is certified nonzero (its largest
        entry beyond its error bound) and the cell has a ball, else 2."""
        cdef double largest = largest_entry(self.G + <size_t>j * (self.dim + 1), self.dim)
        if not (largest > self.G_error[j] and radius >= 0.0):
            return 2
        return self.ball_test(j, q, act, center, per_error, radius)

    cdef void unit_plane(self, int l, int t, int j, int q) noexcept nogil:
        """Hyperplane ``t`` (breakpoint ``q`` of neuron ``j``) as the unit row
        ``[a | c]`` with value ``a . z + c``, with its error bound and sizes
        (:func:`unit_row`)."""
        cdef int cols = self.dim + 1
        cdef double* G = self.G + <size_t>j * cols
        unit_row(G, G[self.dim] - breakpoint(self.layers[l].act, q), self.G_error[j], False,
                 self.dim, self.gamma_value, <double*>self.ws.planes.data + <size_t>t * cols,
                 <Plane*>self.ws.plane_info.data + t)

    cdef int load_pool(self, CellView cv, int words) except -1:
        """The cell's generators as the first entries of the pool (incidence widened to
        the cell's rows and this layer's hyperplanes)."""
        cdef int dim = self.dim, cols = dim + 1, i, nv = cv.head.nv
        self.ws.pool_z.used = 0
        self.ws.pool_error.used = 0
        self.ws.pool_size.used = 0
        self.ws.pool_inc.used = 0
        self.ensure_pool(nv, words)
        memcpy(self.ws.pool_z.data, cv.V, <size_t>nv * cols * sizeof(double))
        memcpy(self.ws.pool_error.data, cv.V_error, <size_t>nv * sizeof(double))
        memcpy(self.ws.pool_flat.data, cv.flat, nv)
        cdef uint64_t* inc = <uint64_t*>self.ws.pool_inc.data
        for i in range(nv):
            copy_words(inc + <size_t>i * words, cv.inc + <size_t>i * cv.head.nw, cv.head.nw,
                       words - cv.head.nw)
            self.set_size(i)
        self.set_pool_count(nv, words)
        return 0

    cdef int ensure_pool(self, size_t count, int words) except -1:
        """Room for ``count`` more generators in the pool (a new one is not flat)."""
        cdef size_t have = self.ws.pool_error.used // sizeof(double)
        reserve(&self.ws.pool_flat, count)
        memset(self.ws.pool_flat.data + self.ws.pool_flat.used, 0, count)
        reserve(&self.ws.pool_z, count * (self.dim + 1) * sizeof(double))
        reserve(&self.ws.pool_error, count * sizeof(double))
        reserve(&self.ws.pool_size, count * sizeof(double))
        reserve(&self.ws.pool_inc, count * words * sizeof(uint64_t))
        return 0

    cdef void set_pool_count(self, size_t count, int words) noexcept:
        self.ws.pool_flat.used = count
        self.ws.pool_z.used = count * (self.dim + 1) * sizeof(double)
        self.ws.pool_error.used = count * sizeof(double)
        self.ws.pool_size.used = count * sizeof(double)
        self.ws.pool_inc.used = count * words * sizeof(uint64_t)

    cdef inline size_t pool_count(self) noexcept:
        return self.ws.pool_error.used // sizeof(double)

    cdef inline void set_size(self, size_t v) noexcept:
        """``pool_size[v]``: the l1 size of generator ``v``'s coordinates."""
        cdef int k, dim = self.dim
        cdef double* z = <double*>self.ws.pool_z.data + v * (dim + 1)
        cdef double s = 0.0
        for k in range(dim):
            s += fabs(z[k])
        (<double*>self.ws.pool_size.data)[v] = s

    cdef inline bint is_ray(self, size_t v) noexcept nogil:
        return (<double*>self.ws.pool_z.data)[v * (self.dim + 1) + self.dim] == 0.0

    cdef inline double value(self, size_t v, int t, double* bound) noexcept nogil:
        """Hyperplane ``t`` at pool generator ``v`` (the signed distance of a vertex, the
        slope along a ray), and in ``bound`` the bound on its error against the exact
        hyperplane at the exact generator."""
        cdef int dim = self.dim, k
        cdef double* row = <double*>self.ws.planes.data + <size_t>t * (dim + 1)
        cdef double* z = <double*>self.ws.pool_z.data + v * (dim + 1)
        cdef Plane* info = <Plane*>self.ws.plane_info.data + t
        cdef double s = row[dim] * z[dim], size = (<double*>self.ws.pool_size.data)[v]
        for k in range(dim):
            s += row[k] * z[k]
        # error (size + z_d) + gamma (largest size + offset z_d) + (size + dim error) e
        bound[0] = ((info.per_size * size + info.per_one * z[dim])
                    + (info.per_error * (<double*>self.ws.pool_error.data)[v] + self.underflow)
                    ) * BOUND_SAFETY
        return s

    cdef int sign(self, CellView cv, size_t v, int t, int words) except 2:
        """The exact sign of hyperplane ``t`` at pool generator ``v``."""
        cdef double bound
        cdef double s = self.value(v, t, &bound)
        cdef int certain = certify(s, bound)
        if certain:
            return certain
        if self.ws.pool_flat.data[v]:
            return 0
        if self.solve_loose(cv, v, words):
            s = self.value(v, t, &bound)
            certain = certify(s, bound)
            if certain:
                return certain
        if self.is_ray(v) and self.flat_along(cv, v, t, words):
            return 0
        if self.is_ray(v) and self.exact_mode and self.flat_ray(cv, v, words):
            return 0
        return self.exact_sign(cv, v, t, words, s)

    cdef bint flat_ray(self, CellView cv, size_t v, int words) except -1:
        """Whether ray ``v`` is exactly orthogonal to every gradient of the cell's layer, and
        so to every gradient of the layers after it (they combine these): then it is marked
        flat, and every later sign along it is 0 without another exact computation."""
        cdef int dim = self.dim, k
        cdef double* z = <double*>self.ws.pool_z.data + v * (dim + 1)
        self.exact_decisions += 1
        flat = self.exact.flat_ray(self.pattern_bytes(cv), cv.head.layer,
                                   self.tight_labels(cv, <uint64_t*>self.ws.pool_inc.data
                                                     + v * words, words),
                                   np.array([z[k] for k in range(dim)]))
        if flat:
            self.ws.pool_flat.data[v] = 1
        return flat

    cdef bint flat_along(self, CellView cv, size_t v, int t, int words) except -1:
        """Whether hyperplane ``t``'s pre-activation is exactly constant along the ray ``v``,
        by the network's structure: a neuron is flat along the ray when a hyperplane of its
        own is tight there (hard-tanh's two are parallel), or when every input it weighs is
        flat or in a constant state (ReLU off, hard-tanh saturated). Sound, not complete
        (``False`` decides nothing). Rays of the cones of an unbounded domain lie in many
        breakpoint hyperplanes, and later layers inherit that: this settles those exact
        zeros without rationals."""
        cdef int L = cv.head.layer, l, j, i, bit, position = 0, start, n_prev, k_bp
        cdef int total = 0
        for l in range(L + 1):
            if self.layers[l].act == MAX:
                return False              # (the rule is for elementwise layers)
            total += self.layers[l].n_out
        cdef char* flat = <char*>grab(&self.ws.flat, total)
        memset(flat, 0, total)
        cdef int* starts = <int*>grab(&self.ws.solve_index, (L + 1) * sizeof(int))
        for l in range(L + 1):
            starts[l] = position
            position += self.layers[l].n_out
        cdef uint64_t* bits = <uint64_t*>self.ws.pool_inc.data + v * words
        cdef int64_t label
        for bit in range(64 * words):
            if not (bits[bit >> 6] & ((<uint64_t>1) << (bit & 63))):
                continue
            if bit >= cv.head.m:           # a hyperplane of this layer cut in this split
                k_bp = breakpoints_per_neuron(self.layers[L].act)
                flat[starts[L] + (bit - cv.head.m) // k_bp] = 1
                continue
            label = cv.labels[bit]
            if label < 0:
                continue
            for l in range(L + 1):
                if self.label_offset[l] <= label < self.label_offset[l + 1]:
                    k_bp = breakpoints_per_neuron(self.layers[l].act)
                    flat[starts[l] + (label - self.label_offset[l]) // k_bp] = 1
        cdef signed char state
        cdef double slope, offset
        cdef const double* W
        cdef bint all_flat
        position = 0                  # pattern position of layer l - 1's states
        for l in range(1, L + 1):
            W = self.layers[l].weight
            n_prev = self.layers[l].n_in
            for j in range(self.layers[l].n_out):
                if flat[starts[l] + j] or (l == L and j != t // breakpoints_per_neuron(
                        self.layers[L].act)):
                    continue
                all_flat = True
                for i in range(n_prev):
                    if W[j * n_prev + i] == 0.0 or flat[starts[l - 1] + i]:
                        continue
                    if self.layers[l - 1].act != IDENTITY:
                        state = cv.pattern[position + i]
                        slope_offset(self.layers[l - 1].act, self.layers[l - 1].slope, state,
                                     &slope, &offset)
                        if slope == 0.0:
                            continue
                    all_flat = False
                    break
                flat[starts[l] + j] = all_flat
            if self.layers[l - 1].act != IDENTITY:
                position += self.layers[l - 1].n_out
        return flat[starts[L] + t // breakpoints_per_neuron(self.layers[L].act)]

    # ------------------------------------------------------------------ pieces

    cdef char* new_piece(self, int nv, int ncut, int ncand, int T) except NULL:
        cdef size_t size = piece_bytes(nv, ncut, ncand, T)
        reserve(&self.ws.pieces, size)
        reserve(&self.ws.piece_offsets, sizeof(size_t))
        cdef size_t* offset = <size_t*>(self.ws.piece_offsets.data + self.ws.piece_offsets.used)
        offset[0] = self.ws.pieces.used
        self.ws.piece_offsets.used += sizeof(size_t)
        cdef char* record = self.ws.pieces.data + self.ws.pieces.used
        self.ws.pieces.used += size
        cdef PieceHead* ph = <PieceHead*>record
        ph.nv, ph.ncut, ph.ncand, ph.size = nv, ncut, ncand, size
        ph.unit = -1
        return record

    cdef double bounding_ball(self, int32_t* vid, int nvp, double* center) noexcept nogil:
        """Center (float vertex mean) and radius of a ball holding the exact generators
        ``vid[:nvp]`` (their float distances, padded for rounding, plus their error
        bounds); -1 when one is a ray, or when a coordinate, a distance or an error bound is
        not finite (a generator beyond float64: no ball then, every side is decided at the
        generators). A distance whose squares may underflow or overflow is taken again of
        the difference scaled by its largest entry."""
        cdef int dim = self.dim, i, k
        cdef double* z = <double*>self.ws.pool_z.data
        cdef double* g
        cdef double d, far = 0.0, error = 0.0
        cdef double difference[MAX_DIM]
        for k in range(dim):
            center[k] = 0.0
        for i in range(nvp):
            g = z + <size_t>vid[i] * (dim + 1)
            if g[dim] == 0.0:
                return -1.0
            for k in range(dim):
                center[k] += g[k]
            d = (<double*>self.ws.pool_error.data)[vid[i]]
            if not d < INFINITY:         # (NaN too, which dmax would drop)
                return -1.0
            error = dmax(error, d)
        for k in range(dim):
            center[k] /= nvp
        cdef bint scaled = False
        for i in range(nvp):        # the largest square, whose root is the largest distance
            g = z + <size_t>vid[i] * (dim + 1)
            d = 0.0
            for k in range(dim):
                d += (g[k] - center[k]) * (g[k] - center[k])
            scaled = scaled or not 1e-290 < d < 1e290
            far = dmax(far, d)
        if not scaled:
            far = sqrt(far)
        else:                       # (rare) every distance of its difference scaled
            far = 0.0
            for i in range(nvp):
                g = z + <size_t>vid[i] * (dim + 1)
                for k in range(dim):
                    difference[k] = g[k] - center[k]
                d = scaled_norm(difference, dim)
                if not d < INFINITY:
                    return -1.0
                far = dmax(far, d)
        return far * (1.0 + 1e-12) + self.root_dim * error + 1e-300

    cdef inline int ball_side(self, int t, double* center, double size,
                              double radius) noexcept nogil:
        """+1 / -1 when hyperplane ``t`` certainly misses the ball (``size``: the l1 size of
        its center), else 0."""
        cdef int dim = self.dim, k
        cdef double* row = <double*>self.ws.planes.data + <size_t>t * (dim + 1)
        cdef Plane* info = <Plane*>self.ws.plane_info.data + t
        cdef double s = row[dim], bound
        for k in range(dim):
            s += row[k] * center[k]
        # the value's bound at the center (as ``value``), and over the ball the row's
        # gradient, of 2-norm at most 1 + dim u + sqrt(dim) error, times the radius
        bound = ((info.per_size * size + info.per_one)
                 + ((1.0 + dim * UNIT_ROUNDOFF + self.root_dim * info.error) * radius
                    + self.underflow)) * BOUND_SAFETY
        return certify(s, bound)

    cdef int side_of(self, CellView cv, int32_t* vid, int nvp, int t, double* center,
                     double size, double radius, int words, signed char* signs) except 2:
        """The side (+1 / -1) of hyperplane ``t`` the whole piece lies on, or 0 when it has
        generators strictly on both sides (``center``, ``size``, ``radius``: a ball around
        the piece, ``radius`` -1 when it is unbounded). When the ball does not decide and
        ``signs`` is given, the sign at every generator goes there (for ``cut``), else the
        signs stop at the first two opposite ones."""
        cdef int i, s, positive = 0, negative = 0
        if radius >= 0.0:
            s = self.ball_side(t, center, size, radius)
            if s:
                return s
        for i in range(nvp):
            s = self.sign(cv, vid[i], t, words)
            positive = positive or s > 0
            negative = negative or s < 0
            if signs != NULL:
                signs[i] = s
            elif positive and negative:
                return 0
        if positive and negative:
            return 0
        if positive:
            return 1
        if negative:
            return -1
        if not self.exact_mode:     # every value rounded to zero: the piece's side is a guess
            self.uncertain_decisions += 1
            return 1
        raise AssertionError("a piece with interior lies in a hyperplane")

    cdef long step_piece(self, CellView cv, int T, int k_bp, int words) except -1:
        """Advance the top piece: decide the candidate hyperplanes that miss it, then cut it
        by the first that crosses it (pushing both parts, which inherit the remaining
        candidates), or emit it when none does. Returns the extra steps its work counts
        for: one per ``WORK_PER_STEP`` vertex-hyperplane pairs.

        A hyperplane that misses a piece misses its parts too, so the parts test only the
        hyperplanes that cross their parent: the work of a layer grows with the pieces it
        creates, not with their number times the layer's width."""
        cdef char* piece = self.pop_piece()
        cdef PieceHead* ph = <PieceHead*>piece
        cdef int32_t* vid = piece_vertices(piece)
        cdef int32_t* cand = piece_candidates(piece)
        cdef signed char* sides = piece_sides(piece)
        cdef long extra = <long>ph.nv * (ph.ncand + 1) // WORK_PER_STEP
        cdef double own_center[MAX_DIM]
        cdef double* center = own_center
        cdef double radius
        cdef double center_size = 0.0
        cdef int i, t, side, kept = 0
        if not ph.ncand:        # a finished piece: nothing to decide, no ball
            self.first_ball = False
            self.emit_current()
            return extra
        # the first crossing candidate's signs, for its cut
        cdef signed char* signs = <signed char*>grab(&self.ws.signs, ph.nv)
        if self.first_ball:
            center, radius = &self.first_center[0], self.first_radius
        elif ph.ncand == 1:
            # one candidate, which crossed the parent: most likely it crosses this piece too,
            # and then its signs at the generators, which its cut needs, decide it anyway
            radius = -1.0
        else:
            radius = self.bounding_ball(vid, ph.nv, center)
        self.first_ball = False
        if radius >= 0.0:
            for i in range(self.dim):
                center_size += fabs(center[i])
        for i in range(ph.ncand):
            t = cand[i]         # not constant: decide_far decided those
            side = self.side_of(cv, vid, ph.nv, t, center, center_size, radius, words,
                                signs if kept == 0 else NULL)
            if side != 0:
                sides[t] = side
            else:
                cand[kept] = t
                kept += 1
        if kept < ph.ncand:
            ph.ncand = kept                  # the sides follow the candidates in the record
            memmove(piece_sides(piece), sides, T)
        if kept:
            return extra + self.cut(cv, 0, T, words, 0, signs) // WORK_PER_STEP
        self.emit_current()
        return extra

    cdef long cut(self, CellView cv, int ci, int T, int words, int keep,
                  const signed char* signs) except -1:
        """Cut the piece in ``current`` by its candidate ``ci``, which crosses it: the new
        generators on the crossing edges, then both parts (negative side first, so the
        positive side is split first), or only side ``keep`` when it is +1 or -1. ``signs``:
        the hyperplane's signs at the piece's generators when known (``side_of``), else
        NULL. Returns a bound on the edge test's work in vertex-hyperplane pairs' units:
        (positive, negative) pairs times the piece's generators, over the 64 bits of an
        incidence word."""
        cdef char* piece = self.current()
        cdef PieceHead* ph = <PieceHead*>piece
        cdef int nvp = ph.nv, m = cv.head.m, t = piece_candidates(piece)[ci], i, s
        cdef int npos = 0, nneg = 0, nzero = 0
        cdef int32_t* vid = piece_vertices(piece)
        cdef int32_t* pos = <int32_t*>grab(&self.ws.members, 5 * nvp * sizeof(int32_t))
        cdef int32_t* neg = pos + nvp
        cdef int32_t* zer = neg + nvp
        cdef int32_t* pos_at = zer + nvp          # their places in the piece
        cdef int32_t* neg_at = pos_at + nvp
        for i in range(nvp):
            s = signs[i] if signs != NULL else self.sign(cv, vid[i], t, words)
            if s > 0:
                pos[npos] = vid[i]
                pos_at[npos] = i
                npos += 1
            elif s < 0:
                neg[nneg] = vid[i]
                neg_at[nneg] = i
                nneg += 1
            else:
                zer[nzero] = vid[i]
                nzero += 1
        cdef size_t first_new = self.pool_count()
        self.crossings(cv, piece, t, pos, pos_at, npos, neg, neg_at, nneg, words)
        cdef size_t nnew = self.pool_count() - first_new
        cdef uint64_t* inc = <uint64_t*>self.ws.pool_inc.data
        cdef int tbit = m + t
        for i in range(nzero):
            inc[<size_t>zer[i] * words + (tbit >> 6)] |= (<uint64_t>1) << (tbit & 63)
        if keep != 1:
            self.push_part(neg, nneg, zer, nzero, first_new, nnew, t, -1, T, ci)
        if keep != -1:
            self.push_part(pos, npos, zer, nzero, first_new, nnew, t, 1, T, ci)
        return <long>npos * nneg * nvp // 64

    cdef int crossings(self, CellView cv, char* piece, int t, int32_t* pos, int32_t* pos_at,
                       int npos, int32_t* neg, int32_t* neg_at, int nneg, int words) except -1:
        """New pool generators where the piece's edges cross hyperplane ``t``: one for each
        pair (positive, negative) of generators joined by an edge (``pos``, ``neg``: pool
        indices; ``pos_at``, ``neg_at``: their places in the piece)."""
        cdef int dim = self.dim, gd = dim + 1, m = cv.head.m, a, b, i, w, x, tbit = m + t
        cdef PieceHead* ph = <PieceHead*>piece
        cdef int32_t* vid = piece_vertices(piece)
        cdef int32_t* cuts = piece_cuts(piece)
        cdef size_t flags_at = 66 * words * sizeof(uint64_t)
        cdef char* block = <char*>grab(&self.ws.work, flags_at + npos + nneg)
        cdef uint64_t* mask = <uint64_t*>block
        cdef uint64_t* common = mask + words
        cdef uint64_t* tight_on = common + words  # (64 * words,) see on_constraints
        cdef char* simple_pos = block + flags_at  # (npos,) and (nneg,): see below
        cdef char* simple_neg = simple_pos + npos
        memset(mask, 0, words * sizeof(uint64_t))
        for i in range(m >> 6):         # the cell's rows: bits 0 .. m - 1, a word at a time
            mask[i] = ~(<uint64_t>0)
        if m & 63:
            mask[m >> 6] = ((<uint64_t>1) << (m & 63)) - 1
        for i in range(ph.ncut):
            x = m + (cuts[i] >> 1)
            mask[x >> 6] |= (<uint64_t>1) << (x & 63)
        cdef uint64_t* inc = <uint64_t*>self.ws.pool_inc.data
        # A simple generator (tight on exactly dim of the piece's rows, which then have rank
        # dim) is joined by an edge to every generator with which it shares dim - 1 rows:
        # those fix a line, whose part in the piece is an edge with two extreme generators.
        # Only in the exact mode: rounded signs can leave incidences that contradict each
        # other, and then only the test keeps the pieces' generators few.
        cdef bint by_simple = self.exact_mode
        for a in range(npos):
            simple_pos[a] = by_simple and masked_bits(inc + <size_t>pos[a] * words, mask,
                                                      words) == dim
        for b in range(nneg):
            simple_neg[b] = by_simple and masked_bits(inc + <size_t>neg[b] * words, mask,
                                                      words) == dim
        cdef bint by_columns = ph.nv <= 64 and dim > 2   # in 2-D few pairs reach is_edge
        cdef bint columns_made = False
        cdef bint edge
        cdef int bits
        cdef size_t vnew
        cdef double sa, sb, ba, bb, error
        cdef double* z
        for a in range(npos):
            for b in range(nneg):
                inc = <uint64_t*>self.ws.pool_inc.data
                bits = common_bits(inc + <size_t>pos[a] * words, inc + <size_t>neg[b] * words,
                                   mask, common, words)
                if bits < dim - 1:
                    continue
                # (in the plane and on the line no test is needed: a convex polygon has at
                # most two extreme points on a line, and a row tight at two generators is
                # the line of the edge they end)
                if dim > 2 and not (bits == dim - 1 and (simple_pos[a] or simple_neg[b])):
                    if by_columns:
                        if not columns_made:
                            on_constraints(inc, vid, ph.nv, mask, words, tight_on)
                            columns_made = True
                        edge = only_pair(tight_on, common, words, pos_at[a], neg_at[b])
                    else:
                        edge = self.is_edge(vid, ph.nv, pos[a], neg[b], common, words)
                    if not edge:
                        continue
                vnew = self.pool_count()
                self.ensure_pool(1, words)
                self.set_pool_count(vnew + 1, words)
                inc = <uint64_t*>self.ws.pool_inc.data
                z = <double*>self.ws.pool_z.data
                for w in range(words):
                    inc[vnew * words + w] = common[w]
                inc[vnew * words + (tbit >> 6)] |= (<uint64_t>1) << (tbit & 63)
                sa = self.value(pos[a], t, &ba)
                sb = self.value(neg[b], t, &bb)
                rays = self.is_ray(pos[a]) and self.is_ray(neg[b])
                if self.exact_mode and not (sa > ba and -sb > bb):
                    # an end's value is not certified: the crossing is computed exactly
                    self.exact_crossing(cv, vnew, pos[a], neg[b], t, rays, words)
                    continue
                error = self.cross(pos[a], sa, ba, neg[b], sb, bb, z + vnew * gd)
                (<double*>self.ws.pool_error.data)[vnew] = error
                self.set_size(vnew)
                if (rays and not error * self.root_dim < 0.25
                        and self.solve_ends_again(cv, pos[a], neg[b], words)):
                    # a ray crossed from crossed rays compounds their errors (past a
                    # quarter on about one crossing in ten of a deep net on R^4): the ends
                    # solved anew, the crossing is taken again from them
                    sa = self.value(pos[a], t, &ba)
                    sb = self.value(neg[b], t, &bb)
                    if sa > ba and -sb > bb:
                        error = self.cross(pos[a], sa, ba, neg[b], sb, bb, z + vnew * gd)
                        (<double*>self.ws.pool_error.data)[vnew] = error
                        self.set_size(vnew)
                if self.exact_mode and rays and not error * self.root_dim < 0.25:
                    # too uncertain to be oriented (the ends nearly opposite): every ray
                    # in the pool is oriented by its float, so it is computed exactly
                    self.exact_crossing(cv, vnew, pos[a], neg[b], t, rays, words)
        return 0

    cdef int exact_crossing(self, CellView cv, size_t v, int32_t p, int32_t q, int t,
                            bint rays, int words) except -1:
        """Pool generator ``v``, where hyperplane ``t`` crosses the edge from ``p``
        (positive side) to ``q`` (negative), exactly and rounded. A vertex is the one point
        tight on its labels; a ray is combined from the exact ends, since its labels fix it
        only up to sign."""
        cdef int dim = self.dim, gd = dim + 1, i
        cdef double* z = <double*>self.ws.pool_z.data
        cdef uint64_t* inc = <uint64_t*>self.ws.pool_inc.data
        if not rays:
            z[v * gd + dim] = 1.0
            self.exact_generator(cv, v, words)
            return 0
        ray, error = self.exact.crossing_ray(
            self.pattern_bytes(cv), cv.head.layer, int(self.label_offset[cv.head.layer] + t),
            self.tight_labels(cv, inc + v * words, words),
            (self.tight_labels(cv, inc + <size_t>p * words, words),
             np.array([z[<size_t>p * gd + i] for i in range(dim)])),
            (self.tight_labels(cv, inc + <size_t>q * words, words),
             np.array([z[<size_t>q * gd + i] for i in range(dim)])))
        self.exact_decisions += 1
        for i in range(dim):
            z[v * gd + i] = ray[i]
        z[v * gd + dim] = 0.0
        (<double*>self.ws.pool_error.data)[v] = error
        self.set_size(v)
        return 0

    cdef bint solve_ends_again(self, CellView cv, int32_t p, int32_t q, int words) except -1:
        """Pool rays ``p`` and ``q`` solved anew where their error bounds are loose
        (:meth:`solve_loose`; each oriented by its float, within a quarter of its length of
        the exact ray); returns whether either bound tightened."""
        cdef bint p_again = self.solve_loose(cv, p, words)
        cdef bint q_again = self.solve_loose(cv, q, words)
        return p_again or q_again

    cdef bint solve_loose(self, CellView cv, size_t v, int words) except -1:
        """:meth:`solve_again` for pool generator ``v`` when its error bound is above
        ``TIGHT_ERROR`` ulps of ``1 + its largest entry``; returns whether it tightened."""
        cdef double* z = <double*>self.ws.pool_z.data + v * (self.dim + 1)
        return ((<double*>self.ws.pool_error.data)[v] > TIGHT_ERROR * UNIT_ROUNDOFF
                * (1.0 + largest_entry(z, self.dim)) and self.solve_again(cv, v, words))

    cdef bint solve_again(self, CellView cv, size_t v, int words) except -1:
        """Pool generator ``v`` solved anew from its tight rows (``refine.pxd``) when that
        tightens its error bound; returns whether it did."""
        cdef int dim = self.dim, cols = dim + 1, m = cv.head.m, bit, k = 0, j, w
        cdef uint64_t* bits = <uint64_t*>self.ws.pool_inc.data + v * words
        cdef uint64_t x
        cdef double* rows = <double*>grab(&self.ws.tight_rows,
                                          <size_t>64 * words * cols * sizeof(double))
        cdef double* errors = <double*>grab(&self.ws.tight_error,
                                            <size_t>64 * words * sizeof(double))
        cdef double* plane
        cdef Plane* info = <Plane*>self.ws.plane_info.data
        for w in range(words):
            x = bits[w]
            while x:
                bit = w * 64 + lowest_bit(x)
                x &= x - 1
                if bit < m:
                    if cv.labels[bit] == INFINITY_LABEL:
                        continue
                    for j in range(dim):          # a . z <= b as the value a . z - b
                        rows[k * cols + j] = cv.rows[bit * cols + j]
                    rows[k * cols + dim] = -cv.rows[bit * cols + dim]
                    errors[k] = cv.row_error[bit]
                else:
                    plane = <double*>self.ws.planes.data + <size_t>(bit - m) * cols
                    memcpy(rows + k * cols, plane, cols * sizeof(double))
                    errors[k] = info[bit - m].error
                k += 1
        cdef double* work = <double*>grab(
            &self.ws.solve_work, <size_t>(5 * dim * dim + 4 * dim + k * dim) * sizeof(double))
        cdef int* index = <int*>grab(&self.ws.solve_index, <size_t>2 * dim * sizeof(int))
        cdef double* z = <double*>self.ws.pool_z.data + v * cols
        cdef double solved[MAX_DIM + 1]
        memcpy(solved, z, cols * sizeof(double))
        cdef double error = refine(rows, errors, k, dim, z[dim] == 0.0, solved, work, index)
        cdef double* current = <double*>self.ws.pool_error.data + v
        if not error < current[0]:
            return False
        memcpy(z, solved, cols * sizeof(double))
        current[0] = error
        self.set_size(v)
        return True

    cdef bint is_edge(self, int32_t* vid, int nvp, int32_t p, int32_t q, uint64_t* common,
                      int words) noexcept:
        """Whether generators ``p`` and ``q`` of the piece form an edge: no other generator
        is tight on every constraint tight at both (``common``)."""
        cdef int i
        cdef uint64_t* inc = <uint64_t*>self.ws.pool_inc.data
        for i in range(nvp):
            if vid[i] == p or vid[i] == q:
                continue
            if contains_bits(inc + <size_t>vid[i] * words, common, words):
                return False
        return True

    cdef double cross(self, int32_t p, double sp, double bp, int32_t q, double sq, double bq,
                      double* out) noexcept:
        """The crossing of the edge ``(p, q)`` (``sp > 0 > sq``, certified) into ``out``;
        returns its error bound."""
        cdef int dim = self.dim, gd = dim + 1
        cdef double* z = <double*>self.ws.pool_z.data
        cdef double* error = <double*>self.ws.pool_error.data
        cdef double* zp = z + <size_t>p * gd
        cdef double* zq = z + <size_t>q * gd
        if zp[dim] != 0.0 and zq[dim] != 0.0:
            return cross_vertices(zp, sp, bp, error[p], zq, sq, bq, error[q], out, dim)
        if zp[dim] != 0.0:
            return cross_vertex_ray(zp, sp, bp, error[p], zq, sq, bq, error[q], out, dim)
        if zq[dim] != 0.0:
            return cross_vertex_ray(zq, sq, bq, error[q], zp, sp, bp, error[p], out, dim)
        return cross_rays(zp, sp, bp, error[p], zq, sq, bq, error[q], out, dim)

    cdef int push_part(self, int32_t* side_v, int nside, int32_t* zer, int nzero,
                       size_t first_new, size_t nnew, int t, int sign, int T,
                       int ci) except -1:
        """Push the ``sign`` side of the piece in ``current`` cut by hyperplane ``t`` (its
        candidate ``ci``): the part inherits the candidates after it."""
        cdef PieceHead* ph = <PieceHead*>self.current()
        cdef int nv = nside + nzero + <int>nnew, ncand = ph.ncand - ci - 1, i
        cdef char* part = self.new_piece(nv, ph.ncut + 1, ncand, T)
        cdef char* piece = self.current()
        ph = <PieceHead*>piece
        cdef int32_t* vid = piece_vertices(part)
        for i in range(nside):
            vid[i] = side_v[i]
        for i in range(nzero):
            vid[nside + i] = zer[i]
        for i in range(<int>nnew):
            vid[nside + nzero + i] = <int32_t>(first_new + i)
        cdef int32_t* cuts = piece_cuts(part)
        memcpy(cuts, piece_cuts(piece), ph.ncut * sizeof(int32_t))
        cuts[ph.ncut] = 2 * t + (1 if sign > 0 else 0)
        memcpy(piece_candidates(part), piece_candidates(piece) + ci + 1, ncand * sizeof(int32_t))
        memcpy(piece_sides(part), piece_sides(piece), T)
        piece_sides(part)[t] = sign
        (<PieceHead*>part).unit = ph.unit
        return 0

    # ---------------------------------------------------------------- children

    cdef int push_children(self, CellView cv, int T, int k_bp, int words) except -1:
        """In depth-first order: the emitted pieces (cells of the next layer), then the
        unfinished ones (cells of this layer), pushed so that the first comes out first."""
        cdef size_t pending = self.ws.piece_offsets.used // sizeof(size_t), e
        cdef size_t count = self.ws.emitted_offsets.used // sizeof(size_t)
        cdef char* before = self.stack.data
        cdef bint on_stack = before <= <char*>cv.head < before + self.stack.cap
        self.reserve_children(cv, T, pending, count)
        if on_stack and self.stack.data != before:     # the cell moved with the stack
            cv = view(self.stack.data + (<char*>cv.head - before), self.dim)
            if cv.head.premapped:
                self.G, self.G_error = cv.map, cv.map_error
        for e in range(pending):
            self.push_piece_cell(cv, self.ws.pieces.data
                                 + (<size_t*>self.ws.piece_offsets.data)[e], T, k_bp, words, 0)
        cdef int l
        # a region's cell skips the identity tail: it is counted there at once
        for l in range(cv.head.layer, self.n_layers if cv.head.layer + 1 >= self.tail
                       else cv.head.layer + 1):
            self.layer_done[l] += count
        self.ref_ready = 0
        if count and cv.head.layer + 1 < self.tail and self.layers[cv.head.layer].act != MAX:
            self.child_map_error(cv.head.layer)
        for e in range(count):
            self.push_piece_cell(
                cv, self.ws.emitted.data
                + (<size_t*>self.ws.emitted_offsets.data)[count - 1 - e], T, k_bp, words, 1)
        return 0

    cdef int reserve_children(self, CellView cv, int T, size_t pending,
                              size_t count) except -1:
        """Room on the stack for the cells of the ``pending`` unfinished and ``count``
        emitted pieces (``push_piece_cell``), at most the bytes of a cell that keeps all
        the piece's rows and the widest map and pattern, so that ``cv``, which may lie on
        the stack, stays put while they are pushed (this may move it once)."""
        cdef int l = cv.head.layer, width = self.layers[l].width, m, e
        cdef int n_in = max(cv.head.n_in, width)
        cdef size_t room = 0
        cdef PieceHead* ph
        if l + 1 < self.n_layers:
            n_in = max(n_in, self.layers[l + 1].n_out)
        for e in range(pending + count):
            ph = <PieceHead*>(
                self.ws.pieces.data + (<size_t*>self.ws.piece_offsets.data)[e] if e < pending
                else self.ws.emitted.data + (<size_t*>self.ws.emitted_offsets.data)[e - pending])
            m = cv.head.m + ph.ncut
            room += cell_bytes(self.dim, ph.nv, m, max(1, (m + 63) // 64), n_in,
                               cv.head.plen + width, T)
        reserve(&self.stack, room)
        return 0

    cdef int push_piece_cell(self, CellView cv, char* piece, int T, int k_bp, int words,
                             int done) except -1:
        """Turn a piece into a cell on the main stack: of the next layer when it is ``done``
        (emitted), else of this layer, to be split further from its next hyperplane. Kept
        rows: the cell's, and the cuts, with at least ``dim`` incident generators."""
        cdef int dim = self.dim, cols = dim + 1, l = cv.head.layer, n = self.layers[l].width
        cdef int m = cv.head.m, i, j, w, b, q, premapped = 0
        cdef PieceHead* ph = <PieceHead*>piece
        cdef int nvp = ph.nv, ncut = ph.ncut
        cdef int32_t* vid = piece_vertices(piece)
        cdef int32_t* cuts = piece_cuts(piece)
        cdef signed char* sides = piece_sides(piece)
        cdef uint64_t* inc = <uint64_t*>self.ws.pool_inc.data
        cdef int total = m + ncut, kept = 0, bit
        cdef size_t nbytes = <size_t>words * ((dim + 1) * sizeof(uint64_t) + 64 * sizeof(int32_t))
        cdef char* block = <char*>grab(&self.ws.work, nbytes + total * sizeof(int32_t))
        cdef uint64_t* mask = <uint64_t*>block          # the kept rows' bits
        cdef uint64_t* shared = mask + words            # bits of at least dim vertices
        cdef int32_t* position = <int32_t*>(shared + <size_t>dim * words)
        cdef int32_t* keep_bits = position + <size_t>words * 64
        shared = on_vertices(inc, vid, nvp, words, dim, shared)
        kept = keep_rows(shared, m, words, mask, position, keep_bits)
        for i in range(ncut):
            bit = m + (cuts[i] >> 1)
            if shared[bit >> 6] & ((<uint64_t>1) << (bit & 63)):
                mask[bit >> 6] |= (<uint64_t>1) << (bit & 63)
                position[bit] = kept
                keep_bits[kept] = m + i
                kept += 1
        cdef int nw = max(1, (kept + 63) // 64)
        cdef CellView out
        if done and l + 1 >= self.tail:
            out = self.push_cell(self.n_layers, nvp, kept, nw, 0, cv.head.plen + n, 0, 0)
        elif done:
            premapped = self.layers[l].act != MAX
            out = self.push_cell(l + 1, nvp, kept, nw,
                                 self.layers[l + 1].n_out if premapped else n,
                                 cv.head.plen + n, premapped, 0)
        else:
            out = self.push_cell(l, nvp, kept, nw, cv.head.n_in, cv.head.plen,
                                 cv.head.premapped, T)
        cdef double* z = <double*>self.ws.pool_z.data
        cdef double* z_error = <double*>self.ws.pool_error.data
        for j in range(nvp):
            copy_doubles(out.V + j * cols, z + <size_t>vid[j] * cols, cols)
            out.V_error[j] = z_error[vid[j]]
            out.flat[j] = self.ws.pool_flat.data[vid[j]]
            renumber_bits(inc + <size_t>vid[j] * words, mask, position, words,
                          out.inc + j * nw, nw)
        cdef Plane* info = <Plane*>self.ws.plane_info.data
        for i in range(kept):
            b = keep_bits[i]
            if b < m:
                copy_doubles(out.rows + i * cols, cv.rows + b * cols, cols)
                out.row_error[i] = cv.row_error[b]
                out.labels[i] = cv.labels[b]
            else:
                q = cuts[b - m]
                self.cut_row(q >> 1, 1 if (q & 1) else -1, out.rows + i * cols)
                out.row_error[i] = info[q >> 1].error
                out.labels[i] = self.label_offset[l] + (q >> 1)
        memcpy(out.pattern, cv.pattern, cv.head.plen)
        if not done:
            memcpy(out.map, cv.map, <size_t>cv.head.n_in * cols * sizeof(double))
            memcpy(out.map_error, cv.map_error, <size_t>cv.head.n_in * sizeof(double))
            out.head.map_norm = cv.head.map_norm
            memcpy(out.sides, sides, T)
            return 0
        if self.layers[l].act == MAX:
            self.max_child(cv, sides, out)
        else:
            self.child_states(cv, sides, k_bp, out)
        return 0

    cdef void cut_row(self, int t, int sign, double* out) noexcept nogil:
        """Row ``a . z <= b`` (unit ``a``) of the ``sign`` side of hyperplane ``t``."""
        cdef int dim = self.dim, k
        cdef double* row = <double*>self.ws.planes.data + <size_t>t * (dim + 1)
        for k in range(dim):
            out[k] = -sign * row[k]
        out[dim] = sign * row[dim]

    cdef int child_states(self, CellView cv, signed char* sides, int k_bp, CellView out) except -1:
        """A finished piece's states, and (unless it is a region's cell) the next layer's
        pre-activation map with error bounds."""
        cdef int l = cv.head.layer, n = self.layers[l].n_out, act = self.layers[l].act, j
        cdef signed char* states = out.pattern + cv.head.plen
        if act == RELU:
            for j in range(n):
                states[j] = sides[j] > 0
        else:
            for j in range(n):
                states[j] = state_from_sides(act, sides + j * k_bp)
        if out.head.layer == self.n_layers:
            return 0
        self.premap(l + 1, n, self.G, states, out.map)
        memcpy(out.map_error, self.ws.child_error.data,
               <size_t>self.layers[l + 1].n_out * sizeof(double))
        out.head.map_norm = self.child_error_norm
        return 0

    cdef void apply_states(self, int n, double* G, double* coef, double* out) noexcept nogil:
        """``out (n, dim + 1)``: the layer output map, ``slope * G + [0 | offset]`` per neuron."""
        cdef int cols = self.dim + 1, j, k
        for j in range(n):
            for k in range(cols):
                out[j * cols + k] = coef[2 * j] * G[j * cols + k]
            if coef[2 * j + 1] != 0.0:
                out[j * cols + cols - 1] += coef[2 * j + 1]

    cdef int child_map_error(self, int l) except -1:
        """The error bounds of this cell's children's pre-activation maps of layer ``l + 1``
        (``premap``), whatever their states, into ``ws.child_error`` (a bound per row), and
        the bound on their error columns' 2-norm into ``child_error_norm``.

        Row ``j`` of a child's output map of layer ``l`` has entries at most
        ``entry_j = largest_slope * |G_j|max + largest |offset|`` and errs by at most
        ``largest_slope * G_error[j]`` (its own rounding is counted with the next map's),
        each error column by at most ``largest_slope * G_norm`` in 2-norm. A child's map is
        a full product followed by at most ``r = max_terms(n)``
        rank-one terms (``premap`` recomputes it before more), so an entry of row ``i``
        sums at most ``n_in + 2 r + 1`` terms (an update adds a product and, in the offset
        column, an offset term), each rounded at most three times before, of absolute
        values at most ``|W_i| . entry + |b_i| + 2 r max_j |W_ij| entry_j``; it also
        inherits ``||W_i|| * largest_slope * G_norm``, and a product not exactly zero (a
        weight not zero times a source that is not exactly zero, its float entries or
        their error bounds) may lose half a subnormal spacing to underflow. The bounds for
        ``r`` terms hold for every child, and are computed once per cell."""
        cdef int cols = self.dim + 1, n = self.layers[l].n_out, j, i
        cdef LayerData* L = &self.layers[l]
        cdef LayerData* N = &self.layers[l + 1]
        cdef double* G = self.G
        cdef double* G_error = self.G_error
        cdef double offset = 1.0 if L.act == HARDTANH else 0.0
        cdef double entry = 0.0, rounding, squares = 0.0
        cdef bint source = self.G_norm > 0.0
        cdef int terms = max_terms(n)
        cdef double g = gamma(N.n_in + 2 * terms + 4)
        cdef double lost = (2 * (N.n_in + 2 * terms) + 4) * SMALLEST_SUBNORMAL
        for j in range(n):
            entry = bound_max(entry, L.largest_slope * largest_entry(G + j * cols, cols) + offset)
            source = source or G_error[j] > 0.0
        source = source or entry > 0.0
        self.child_norm = L.largest_slope * self.G_norm
        cdef double* error = <double*>grab(&self.ws.child_error, <size_t>N.n_out * sizeof(double))
        for i in range(N.n_out):
            rounding = g * (N.weight_sum[i] * entry + fabs(N.bias[i])
                            + 2.0 * terms * N.row_max[i] * entry)
            if N.weight_sum[i] > 0.0 and source or N.bias[i] != 0.0:
                rounding += lost
            squares += rounding * rounding
            error[i] = (rounding + N.row_norm[i] * self.child_norm) * BOUND_SAFETY
        self.child_error_norm = column_norm(
            error, N.n_out, N.spectral * self.child_norm + root_of_squares(squares, N.n_out))
        return 0

    cdef int premap(self, int l, int n, double* G, signed char* states,
                    double* out) except -1:
        """``out (n_out[l], dim + 1)``: layer ``l``'s pre-activation map for a child whose
        previous layer (``n`` neurons, pre-activation map ``G``) has ``states``.

        Children of one cell come out of its piece tree in order, and consecutive
        ones differ in the states of a few neurons, so a child's map is the previous
        child's plus one rank-one update per neuron whose slope or offset differs. A full
        ``dgemm`` starts each cell, replaces updates when more than 1/8 of the
        neurons differ, and after ``MAX_TERMS_PER_NEURON * n`` rank-one terms, which
        widen the rounding bound (``child_map_error``).
        """
        cdef int cols = self.dim + 1, n_next = self.layers[l].n_out, differ = 0
        cdef LayerData* P = &self.layers[l - 1]
        cdef signed char* ref_states = <signed char*>self.ws.ref_states.data
        cdef int* changed = <int*>grab(&self.ws.changed, <size_t>n * sizeof(int))
        cdef double* change = <double*>grab(&self.ws.child_coef, <size_t>n * 2 * sizeof(double))
        cdef double slope, offset, ref_slope, ref_offset
        cdef int j
        if self.ref_ready:
            for j in range(n):
                if states[j] == ref_states[j]:
                    continue
                slope_offset(P.act, P.slope, states[j], &slope, &offset)
                slope_offset(P.act, P.slope, ref_states[j], &ref_slope, &ref_offset)
                if slope != ref_slope or offset != ref_offset:
                    changed[differ] = j
                    change[2 * differ] = slope - ref_slope
                    change[2 * differ + 1] = offset - ref_offset
                    differ += 1
        if (not self.ref_ready or differ * 8 > n
                or self.ref_terms + differ > max_terms(n)):
            self.full_premap(l, n, G, states)
        else:
            self.update_premap(l, n, G, changed, change, differ)
            memcpy(ref_states, states, n)
        memcpy(out, self.ws.ref_map.data, <size_t>n_next * cols * sizeof(double))
        return 0

    cdef int full_premap(self, int l, int n, double* G, signed char* states) except -1:
        """The reference map of ``premap`` computed anew for ``states``: the previous layer's
        output map (``apply_states``) times layer ``l``'s weights, plus its bias."""
        cdef int cols = self.dim + 1, n_next = self.layers[l].n_out, j
        cdef LayerData* P = &self.layers[l - 1]
        cdef double* coef = <double*>grab(&self.ws.child_coef, <size_t>n * 2 * sizeof(double))
        for j in range(n):
            slope_offset(P.act, P.slope, states[j], &coef[2 * j], &coef[2 * j + 1])
        grab(&self.ws.work, <size_t>n * cols * sizeof(double))
        self.apply_states(n, G, coef, <double*>self.ws.work.data)
        affine_map(self.layers[l].weight, self.layers[l].bias, n_next, n,
                   <double*>self.ws.work.data, cols,
                   <double*>grab(&self.ws.ref_map, <size_t>n_next * cols * sizeof(double)))
        memcpy(grab(&self.ws.ref_states, n), states, n)
        self.ref_ready = 1
        self.ref_terms = 0
        return 0

    cdef void update_premap(self, int l, int n, double* G, int* changed, double* change,
                            int differ) noexcept nogil:
        """Add to the reference map of ``premap`` one rank-one term per changed neuron
        ``changed[:differ]``: its column of layer ``l``'s weights times its change of slope
        (``change[2 k]``) times its pre-activation row, plus its change of offset
        (``change[2 k + 1]``) in the constant column."""
        cdef int cols = self.dim + 1, n_next = self.layers[l].n_out, i, j, k, d
        cdef const double* W = self.layers[l].weight
        cdef double* ref = <double*>self.ws.ref_map.data
        cdef double w, dslope, doffset
        for d in range(differ):
            j, dslope, doffset = changed[d], change[2 * d], change[2 * d + 1]
            for i in range(n_next):
                w = W[i * n + j]
                if w == 0.0:
                    continue
                for k in range(cols):
                    ref[i * cols + k] += w * dslope * G[j * cols + k]
                if doffset != 0.0:       # (never for relu: storing 0 again costs a stall)
                    ref[i * cols + cols - 1] += w * doffset
        self.ref_terms += differ


cdef object _array(Buffer* buf, dtype, tuple shape):
    """A new array of ``shape`` holding ``buf``'s bytes (one copy)."""
    array = np.empty(shape, dtype)
    cdef char[::1] target = array.reshape(-1).view(np.int8)
    if buf.used:
        memcpy(&target[0], buf.data, buf.used)
    return array


def activation_rule(int act, sides, double leak=0.01):
    """``(state, slope, offset)`` of a neuron with activation code ``act`` whose breakpoint
    hyperplanes have ``sides`` (+1 / -1 each), by the C rules of ``activations.pxd``
    (for the test that holds them equal to ``regions.network``'s)."""
    cdef signed char[2] s_
    cdef double slope, offset
    s_[0] = sides[0]
    s_[1] = sides[1] if len(sides) > 1 else 0
    cdef signed char state = state_from_sides(act, s_)
    slope_offset(act, leak, state, &slope, &offset)
    return state, slope, offset


def activation_breakpoint(int act, int q):
    """``(offset, tie side)`` of breakpoint ``q`` by the C rules (for the same test)."""
    return breakpoint(act, q), tie_side(act, q)
