# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True, initializedcheck=False
"""Vertex-based splitting: the LP-free core.

A cell is a pointed convex polyhedron known by its generators *and* its
constraints: ``V (nv, dim + 1)`` in homogeneous coordinates (a vertex ``x``
is ``(x, 1)``, an extreme ray ``d`` is ``(d, 0)`` with ``|d| = 1``), rows
``a . z <= c`` (unit ``a``) with labels, and for each generator the bitset of
the constraints tight there. An unbounded cell also carries the row ``0 . z
<= 1`` labelled ``AT_INFINITY``, tight at its rays: the face at infinity of
the homogenised cone, so rays take part in the adjacency test like vertices,
and the row is never reported as a facet. The value of a hyperplane ``a . z +
c`` at a generator is ``a . x + c t``: its distance for a vertex, its slope
along a ray. Cutting a cell by a hyperplane needs no LP: the hyperplane
misses the cell when every generator lies on one side (up to ``on_plane``);
otherwise the new generators are the crossings of the edges joining a
generator on one side to one on the other (a vertex, or a ray when both ends
are rays), where two generators form an edge when no third one is tight on
every constraint tight at both (the combinatorial adjacency test of the
double description method). Whether a piece is full-dimensional is decided as on
the LP path, with the inscribed radius against ``min_radius``, from exact
bounds: the piece lies in a slab of width ``max distance`` (so its radius is
at most half that), and every constraint's slack at the vertex mean is a
ball inside it. Only when the two bounds straddle ``min_radius`` (near
degenerate pieces) does the engine call back to a Chebyshev LP.

The depth-first stack of cells is a byte arena (``arena.pxd``) of
variable-size records (``vertex_records.pxd``), so millions of regions cost no
Python object each; finished regions go to struct-of-arrays buffers
(patterns, witnesses, margins, facet labels). Near-degenerate balls come from
``small_lp.pxd``, the activation rules from ``activations.pxd``.
"""

import numpy as np
from libc.math cimport sqrt, fabs, fmax, fmin
from libc.stdint cimport uint64_t, int64_t, int32_t
from libc.stdlib cimport free, malloc
from libc.string cimport memcpy, memmove, memset
from scipy.linalg.cython_blas cimport dgemm

from .activations cimport (HARDTANH, IDENTITY, LEAKY_RELU, RELU, breakpoint,
                          breakpoints_per_neuron, slope_offset, state_from_sides, tie_side)
from .arena cimport Buffer, pad8, release, reserve
from .small_lp cimport ball_by_subsets
from .vertex_records cimport (CellHead, CellView, PieceHead, cell_bytes, piece_bytes,
                             piece_candidates, piece_cuts, piece_sides, piece_vertices, view)


cdef extern from *:
    int popcount "__builtin_popcountll"(unsigned long long) nogil


ACTIVATION_CODES = {"relu": RELU, "leaky_relu": LEAKY_RELU, "hardtanh": HARDTANH,
                    "identity": IDENTITY}


cdef int copy_in(void* target, array) except -1:
    data = array.tobytes()
    memcpy(target, <const char*>data, len(data))
    return 0


cdef object copy_out(void* source, size_t nbytes, dtype):
    if nbytes == 0:
        return np.zeros(0, dtype)
    return np.frombuffer((<char*>source)[:nbytes], dtype).copy()


#: Label of the row ``0 . z <= 1`` that closes an unbounded cell at infinity.
AT_INFINITY = -(1 << 62)
cdef int64_t INFINITY_LABEL = AT_INFINITY
# A side with a ray that leaves the hyperplane is unbounded: its extent is this.
cdef double UNBOUNDED = 1e300

# Rank-one updates of a pre-activation map in a row before it is recomputed in full.
cdef int MAX_UPDATES = 32
# A row whose part orthogonal to the earlier rows of a vertex is shorter than this is
# dependent on them (several hyperplanes through one vertex) and skipped by ``refine``.
cdef double REFINE_INDEPENDENT = 1e-9
# Edges whose end points reach beyond this (working units) round their crossing by more
# than eps * REFINE_ABOVE ~ 2e-12: only then is the new vertex projected (``refine``).
cdef double REFINE_ABOVE = 1e4


cdef class VertexEngine:
    """Depth-first splitting of bounded cells by vertices (see the module docstring).

    Parameters
    ----------
    layers : list of (weight (out, in), bias (out,), activation code, leaky slope)
    dim : int
        Working dimension.
    label_offsets : (L + 1,) int64
        First constraint label of each layer's breakpoint hyperplanes.
    min_radius, sliver_radius, near_degenerate : float
        As on the LP path, in working coordinates.
    on_plane : float
        A vertex within this distance of a hyperplane lies on it.
    zero_norm : float
        Relative threshold below which a pre-activation gradient is zero.
    chebyshev : callable ``(A, c) -> (center, radius)``
        The LP for near-degenerate pieces.
    """

    cdef int dim, n_layers, pattern_length
    cdef list _arrays
    cdef double** weight
    cdef double** bias
    cdef double** row_l1           # per layer: the l1 norm of each row of the weight
    cdef int* n_out
    cdef int* n_in
    cdef int* act
    cdef double* slope
    cdef int64_t* label_offset
    cdef double min_radius, sliver_radius, near_degenerate, on_plane, zero_norm
    cdef object chebyshev
    # depth-first stack of cells
    cdef Buffer stack
    cdef Buffer stack_offsets      # size_t per record
    cdef Buffer scratch            # the cell being split
    # per-split workspace
    cdef Buffer G, gnorm, planes, const_side, pool_z, pool_inc, pieces, piece_offsets
    cdef Buffer emitted, emitted_offsets, work_int, new_cell, members
    # children of one cell share the next layer's pre-activation map up to a few neurons
    cdef Buffer ref_map, ref_coef, child_map, child_coef
    cdef int ref_ready, ref_updates
    # results (struct of arrays)
    cdef Buffer out_patterns, out_witness, out_margin, out_facet_offsets, out_facet_labels
    cdef public long n_regions, lps, slivers
    # A split stops after ``split_steps`` piece steps (a piece filtered and cut, or
    # emitted): its unfinished pieces go back on the stack as cells of the same layer, so
    # one huge cell (a wide layer on all of R^n) returns to the driver (budgets, Ctrl-C,
    # progress, checkpoints) like small ones; ``run`` returns after ``run_steps``. Counts,
    # not a clock, so runs are reproducible.
    cdef public long split_steps, run_steps
    cdef long steps
    cdef public object per_layer

    def __cinit__(self):
        self.weight = NULL
        self.bias = NULL
        self.row_l1 = NULL
        self.n_out = NULL
        self.n_in = NULL
        self.act = NULL
        self.slope = NULL
        self.label_offset = NULL

    def __init__(self, layers, int dim, label_offsets, double min_radius, double sliver_radius,
                 double near_degenerate, double on_plane, double zero_norm, chebyshev):
        cdef int l, L = len(layers)
        cdef const double[:, ::1] w
        cdef const double[::1] b
        self.dim = dim
        self.n_layers = L
        self._arrays = []
        self.weight = <double**>malloc(L * sizeof(double*) + 1)
        self.bias = <double**>malloc(L * sizeof(double*) + 1)
        self.row_l1 = <double**>malloc(L * sizeof(double*) + 1)
        self.n_out = <int*>malloc(L * sizeof(int) + 1)
        self.n_in = <int*>malloc(L * sizeof(int) + 1)
        self.act = <int*>malloc(L * sizeof(int) + 1)
        self.slope = <double*>malloc(L * sizeof(double) + 1)
        self.label_offset = <int64_t*>malloc((L + 1) * sizeof(int64_t))
        self.pattern_length = 0
        for l in range(L):
            weight, bias_, code, leak = layers[l]
            weight = np.ascontiguousarray(weight, dtype=np.float64)
            bias_ = np.ascontiguousarray(bias_, dtype=np.float64)
            l1 = np.ascontiguousarray(np.abs(weight).sum(axis=1), dtype=np.float64)
            self._arrays.extend([weight, bias_, l1])
            w = weight
            b = bias_
            self.weight[l] = <double*>&w[0, 0]
            self.bias[l] = <double*>&b[0]
            b = l1
            self.row_l1[l] = <double*>&b[0]
            self.n_out[l] = weight.shape[0]
            self.n_in[l] = weight.shape[1]
            self.act[l] = code
            self.slope[l] = leak
            if code != IDENTITY:
                self.pattern_length += weight.shape[0]
        for l in range(L + 1):
            self.label_offset[l] = label_offsets[l]
        self.min_radius = min_radius
        self.sliver_radius = sliver_radius
        self.near_degenerate = near_degenerate
        self.on_plane = on_plane
        self.zero_norm = zero_norm
        self.chebyshev = chebyshev
        self.split_steps = 4096
        self.run_steps = 65536
        self.n_regions = 0
        self.lps = 0
        self.slivers = 0
        self.per_layer = np.zeros(L, dtype=np.int64)
        reserve(&self.out_facet_offsets, sizeof(int64_t))
        (<int64_t*>self.out_facet_offsets.data)[0] = 0
        self.out_facet_offsets.used = sizeof(int64_t)

    def __dealloc__(self):
        release(&self.stack)
        release(&self.stack_offsets)
        release(&self.scratch)
        release(&self.G)
        release(&self.gnorm)
        release(&self.const_side)
        release(&self.pool_z)
        release(&self.pool_inc)
        release(&self.planes)
        release(&self.pieces)
        release(&self.piece_offsets)
        release(&self.emitted)
        release(&self.emitted_offsets)
        release(&self.work_int)
        release(&self.members)
        release(&self.new_cell)
        release(&self.ref_map)
        release(&self.ref_coef)
        release(&self.child_map)
        release(&self.child_coef)
        release(&self.out_patterns)
        release(&self.out_witness)
        release(&self.out_margin)
        release(&self.out_facet_offsets)
        release(&self.out_facet_labels)
        free(self.weight)
        free(self.bias)
        free(self.row_l1)
        free(self.n_out)
        free(self.n_in)
        free(self.act)
        free(self.slope)
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

    cdef char* push_record(self, size_t size) except NULL:
        reserve(&self.stack, size)
        reserve(&self.stack_offsets, sizeof(size_t))
        (<size_t*>(self.stack_offsets.data + self.stack_offsets.used))[0] = self.stack.used
        self.stack_offsets.used += sizeof(size_t)
        cdef char* record = self.stack.data + self.stack.used
        self.stack.used += size
        return record

    cdef CellView push_cell(self, int layer, int nv, int m, int nw, int n_in, int plen,
                            int premapped, double map_norm_max, int nsides=0) except *:
        """Room for a cell on the stack, its head filled in; returns the view to fill."""
        cdef size_t size = cell_bytes(self.dim, nv, m, nw, n_in, plen, nsides)
        cdef CellHead* h = <CellHead*>self.push_record(size)
        h.layer, h.nv, h.m, h.nw, h.n_in, h.plen, h.size = layer, nv, m, nw, n_in, plen, size
        h.premapped, h.map_norm_max = premapped, map_norm_max
        h.nsides = nsides
        return view(<char*>h, self.dim)

    def push(self, int layer, V, inc, rows, labels, input_map, pattern, int premapped=0,
             double map_norm_max=0.0, sides=None):
        """Push a cell: generators ``V (nv, dim + 1)``, ``inc (nv, nw)`` uint64, ``rows (m, dim + 1)``,
        ``labels (m,)`` int64, ``input_map (n_in, dim + 1)``, ``pattern (plen,)`` int8;
        with ``premapped``, ``input_map`` is already the layer's pre-activation map and
        ``map_norm_max`` the largest row norm of its input map; a cell whose split was cut
        short has the ``sides`` (int8, 0 for those still to test) of its layer's
        hyperplanes."""
        sides = np.ascontiguousarray(np.zeros(0) if sides is None else sides, dtype=np.int8)
        V = np.ascontiguousarray(V, dtype=np.float64)
        inc = np.ascontiguousarray(inc, dtype=np.uint64)
        rows = np.ascontiguousarray(rows, dtype=np.float64).reshape(-1, self.dim + 1)
        labels = np.ascontiguousarray(labels, dtype=np.int64)
        input_map = np.ascontiguousarray(input_map, dtype=np.float64)
        pattern = np.ascontiguousarray(pattern, dtype=np.int8)
        cdef int nv = V.shape[0], nw = inc.shape[1], m = rows.shape[0]
        cdef int n_in = input_map.shape[0], plen = pattern.shape[0], nsides = sides.shape[0]
        cdef CellView cv = self.push_cell(layer, nv, m, nw, n_in, plen, premapped, map_norm_max,
                                          nsides)
        copy_in(cv.V, V)
        copy_in(cv.inc, inc)
        copy_in(cv.rows, rows)
        copy_in(cv.labels, labels)
        copy_in(cv.map, input_map)
        copy_in(cv.pattern, pattern)
        copy_in(cv.sides, sides)

    def pop(self):
        """Remove the top cell and return it as the arrays :meth:`push` takes."""
        cdef size_t n = self.stack_offsets.used // sizeof(size_t)
        if n == 0:
            raise IndexError("pop from an empty vertex stack")
        cdef size_t offset = (<size_t*>self.stack_offsets.data)[n - 1]
        cdef CellView cv = view(self.stack.data + offset, self.dim)
        cdef CellHead h = cv.head[0]
        cdef int dim = self.dim
        V = copy_out(cv.V, <size_t>h.nv * (dim + 1) * 8, np.float64)
        inc = copy_out(cv.inc, <size_t>h.nv * h.nw * 8, np.uint64)
        rows = copy_out(cv.rows, <size_t>h.m * (dim + 1) * 8, np.float64)
        labels = copy_out(cv.labels, <size_t>h.m * 8, np.int64)
        input_map = copy_out(cv.map, <size_t>h.n_in * (dim + 1) * 8, np.float64)
        pattern = copy_out(cv.pattern, h.plen, np.int8)
        sides = copy_out(cv.sides, h.nsides, np.int8)
        self.stack.used = offset
        self.stack_offsets.used -= sizeof(size_t)
        return (h.layer, V.reshape(h.nv, dim + 1), inc.reshape(h.nv, h.nw),
                rows.reshape(h.m, dim + 1), labels, input_map.reshape(h.n_in, dim + 1), pattern,
                h.premapped, h.map_norm_max, sides)

    # ---------------------------------------------------------------- results
    def take_results(self):
        """Finished regions so far, as arrays; the buffers are emptied.

        Returns ``(patterns (R, P) int8, witnesses (R, dim), margins (R,),
        facet_offsets (R + 1,) int64, facet_labels (F,) int64)``.
        """
        cdef int P = self.pattern_length, dim = self.dim
        R = self.n_regions_buffered()
        patterns = np.frombuffer(self._bytes(&self.out_patterns), np.int8).reshape(R, P)
        witnesses = np.frombuffer(self._bytes(&self.out_witness), np.float64).reshape(R, dim)
        margins = np.frombuffer(self._bytes(&self.out_margin), np.float64)
        offsets = np.frombuffer(self._bytes(&self.out_facet_offsets), np.int64)
        labels = np.frombuffer(self._bytes(&self.out_facet_labels), np.int64)
        self.out_patterns.used = 0
        self.out_witness.used = 0
        self.out_margin.used = 0
        self.out_facet_labels.used = 0
        (<int64_t*>self.out_facet_offsets.data)[0] = 0
        self.out_facet_offsets.used = sizeof(int64_t)
        return patterns, witnesses, margins, offsets, labels

    cdef long n_regions_buffered(self):
        return self.out_margin.used // sizeof(double)

    cdef bytes _bytes(self, Buffer* buf):
        if buf.used == 0:
            return b""
        return buf.data[:buf.used]

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
            h = <CellHead*>(self.stack.data + offset)
            size = h.size
            self.scratch.used = 0
            reserve(&self.scratch, size)
            memcpy(self.scratch.data, self.stack.data + offset, size)
            self.stack.used = offset
            self.stack_offsets.used -= sizeof(size_t)
            h = <CellHead*>self.scratch.data
            processed += 1
            if h.layer == self.n_layers:
                self.finish(self.scratch.data)
            elif self.act[h.layer] == IDENTITY:
                self.pass_through(self.scratch.data)
            else:
                self.split(self.scratch.data)
        return processed

    cdef int interior_point(self, double* V, int32_t* vid, int count, double* p) except -1:
        """A point inside the polyhedron of the generators ``vid[:count]`` of ``V``: the
        vertex mean, plus (unbounded) the sum of the rays times ``1 +`` the vertices'
        spread, so it sits as deep in the recession cone as the vertices are wide.
        Returns the number of rays."""
        cdef int dim = self.dim, gd = dim + 1, i, k, nvert = 0, nray = 0
        cdef double spread = 0.0
        cdef double* g
        cdef double ray_sum[64]
        if dim > 64:
            raise ValueError("the vertex engine supports at most 64 dimensions")
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
                        spread = fmax(spread, fabs(g[k] - p[k]))
            for k in range(dim):
                p[k] += (1.0 + spread) * ray_sum[k]
        return nray

    cdef int finish(self, char* record) except -1:
        """Record a final region: witness inside (``interior_point``), margin its least
        slack; the row at infinity is not a facet."""
        cdef int dim = self.dim, i, k, nray
        cdef CellView cv = view(record, dim)
        cdef CellHead* h = cv.head
        cdef double margin = 1e300, s
        reserve(&self.out_witness, dim * sizeof(double))
        cdef double* w = <double*>(self.out_witness.data + self.out_witness.used)
        nray = self.interior_point(cv.V, NULL, h.nv, w)
        for i in range(h.m):
            if cv.labels[i] == INFINITY_LABEL:
                continue
            s = cv.rows[i * (dim + 1) + dim]
            for k in range(dim):
                s -= cv.rows[i * (dim + 1) + k] * w[k]
            if s < margin:
                margin = s
        if margin < self.near_degenerate:
            # (the subsets' balls are the largest only for bounded regions)
            if nray or not ball_by_subsets(cv.rows, h.m, dim, w, &margin):
                rows = np.asarray(<double[:h.m * (dim + 1)]>cv.rows).reshape(h.m, dim + 1)
                center, radius = self.chebyshev(np.ascontiguousarray(rows[:, :dim]),
                                                np.ascontiguousarray(rows[:, dim]))
                self.lps += 1
                for k in range(dim):
                    w[k] = center[k]
                margin = radius
        self.out_witness.used += dim * sizeof(double)
        reserve(&self.out_margin, sizeof(double))
        (<double*>(self.out_margin.data + self.out_margin.used))[0] = margin
        self.out_margin.used += sizeof(double)
        reserve(&self.out_patterns, h.plen)
        memcpy(self.out_patterns.data + self.out_patterns.used, cv.pattern, h.plen)
        self.out_patterns.used += h.plen
        reserve(&self.out_facet_labels, h.m * sizeof(int64_t))
        for i in range(h.m):
            if cv.labels[i] != INFINITY_LABEL:
                (<int64_t*>(self.out_facet_labels.data + self.out_facet_labels.used))[0] = (
                    cv.labels[i])
                self.out_facet_labels.used += sizeof(int64_t)
        reserve(&self.out_facet_offsets, sizeof(int64_t))
        (<int64_t*>(self.out_facet_offsets.data + self.out_facet_offsets.used))[0] = (
            self.out_facet_labels.used // sizeof(int64_t))
        self.out_facet_offsets.used += sizeof(int64_t)
        self.n_regions += 1
        return 0

    cdef int input_times_map(self, int l, double* input_map, double* out) except -1:
        """``out (n_out, dim + 1) = W_l @ map + [0 | b_l]``: layer ``l``'s pre-activation map.

        One BLAS ``dgemm``; in column-major terms ``out^T = map^T @ W_l^T``.
        """
        cdef int n = self.n_out[l], n_in = self.n_in[l], cols = self.dim + 1, j
        cdef double one = 1.0, zero = 0.0
        cdef char no = b'N'
        dgemm(&no, &no, &cols, &n, &n_in, &one, input_map, &cols, self.weight[l], &n_in, &zero,
              out, &cols)
        for j in range(n):
            out[j * cols + cols - 1] += self.bias[l][j]
        return 0

    cdef int pass_through(self, char* record) except -1:
        """An identity layer: the same cell with the composed input map."""
        cdef int dim = self.dim, l
        cdef CellView cv = view(record, dim)
        cdef CellHead h = cv.head[0]
        l = h.layer
        cdef CellView out = self.push_cell(l + 1, h.nv, h.m, h.nw, self.n_out[l], h.plen, 0, 0.0)
        memcpy(out.V, cv.V, 8 * (<size_t>h.nv * (dim + 1) + <size_t>h.nv * h.nw
                                 + <size_t>h.m * (dim + 1) + h.m))
        if h.premapped:
            memcpy(out.map, cv.map, <size_t>self.n_out[l] * (dim + 1) * sizeof(double))
        else:
            self.input_times_map(l, cv.map, out.map)
        memcpy(out.pattern, cv.pattern, h.plen)
        self.per_layer[l] += 1
        return 0

    cdef int split(self, char* record) except -1:
        """Split a cell by every breakpoint hyperplane of its layer; push the pieces."""
        cdef int dim = self.dim, cols = dim + 1
        cdef CellView cv = view(record, dim)
        cdef CellHead* h = cv.head
        cdef int l = h.layer, n = self.n_out[l], m = h.m, nv = h.nv
        cdef int k_bp = breakpoints_per_neuron(self.act[l])
        cdef int T = n * k_bp, t, j, i, k, q
        cdef int NW = (m + T + 63) // 64
        cdef double s, norm, rounding, bp
        cdef double* G
        cdef double* gnorm
        cdef signed char* const_side

        # the pre-activation map, gradient norms, and hyperplanes constant on the cell
        self.G.used = 0
        reserve(&self.G, <size_t>n * cols * sizeof(double))
        G = <double*>self.G.data
        if h.premapped:
            memcpy(G, cv.map, <size_t>n * cols * sizeof(double))
        else:
            self.input_times_map(l, cv.map, G)
        self.gnorm.used = 0
        reserve(&self.gnorm, <size_t>n * sizeof(double))
        gnorm = <double*>self.gnorm.data
        self.const_side.used = 0
        reserve(&self.const_side, T)
        const_side = <signed char*>self.const_side.data
        cdef int n_in = self.n_in[l]
        cdef double* W = self.weight[l]
        # rounding bound of G = W @ map (as in network.breakpoint_hyperplanes)
        self.work_int.used = 0
        reserve(&self.work_int, n_in * sizeof(double))
        cdef double* map_norm = <double*>self.work_int.data
        cdef double largest_map_norm = h.map_norm_max
        if not h.premapped:
            largest_map_norm = 0.0
            for i in range(n_in):
                s = 0.0
                for k in range(dim):
                    s += cv.map[i * cols + k] * cv.map[i * cols + k]
                map_norm[i] = sqrt(s)
                if map_norm[i] > largest_map_norm:
                    largest_map_norm = map_norm[i]
        for j in range(n):
            s = 0.0
            for k in range(dim):
                s += G[j * cols + k] * G[j * cols + k]
            gnorm[j] = sqrt(s)
            # the exact bound (n_in terms) only when its cheap upper bound does not settle it
            # (a premapped cell keeps no input map: the upper bound decides)
            rounding = self.row_l1[l][j] * largest_map_norm
            if gnorm[j] <= self.zero_norm * rounding and not h.premapped:
                rounding = 0.0
                for i in range(n_in):
                    rounding += fabs(W[j * n_in + i]) * map_norm[i]
            for q in range(k_bp):
                t = j * k_bp + q
                const_side[t] = 0
                if gnorm[j] <= self.zero_norm * rounding:
                    bp = breakpoint(self.act[l], q)
                    s = G[j * cols + dim] - bp
                    if s > 0.0:
                        const_side[t] = 1
                    elif s < 0.0:
                        const_side[t] = -1
                    else:
                        const_side[t] = tie_side(self.act[l], q)
        self.unit_planes(l, n, k_bp)

        # the vertex pool: coordinates and incidence (m parent bits + T cut bits)
        self.pool_z.used = 0
        self.pool_inc.used = 0
        self.ensure_pool(nv, NW)
        cdef double* z = <double*>self.pool_z.data
        cdef uint64_t* inc = <uint64_t*>self.pool_inc.data
        memcpy(z, cv.V, <size_t>nv * cols * sizeof(double))
        for i in range(nv):
            memset(inc + i * NW, 0, NW * sizeof(uint64_t))
            memcpy(inc + i * NW, cv.inc + i * h.nw, h.nw * sizeof(uint64_t))
        self.pool_z.used = nv * cols * sizeof(double)

        # pieces: a depth-first stack inside the cell
        self.pieces.used = 0
        self.piece_offsets.used = 0
        self.emitted.used = 0
        self.emitted_offsets.used = 0
        cdef int ncand = T
        if h.nsides:
            ncand = 0
            for t in range(T):
                ncand += cv.sides[t] == 0
        cdef char* piece = self.new_piece(nv, 0, ncand, T)
        cdef int32_t* vid = piece_vertices(piece)
        for i in range(nv):
            vid[i] = i
        cdef int32_t* cand = piece_candidates(piece)
        cdef signed char* sides = piece_sides(piece)
        memset(sides, 0, T)
        if h.nsides:
            memcpy(sides, cv.sides, T)
        j = 0
        for t in range(T):
            if sides[t] == 0:
                cand[j] = t
                j += 1
        cdef long steps = 0
        while self.piece_offsets.used and steps < self.split_steps:
            self.step_piece(cv, T, k_bp, NW)
            steps += 1
        self.steps += steps

        # In depth-first order: the emitted pieces, then the unfinished ones from the top of
        # the piece stack down. Unfinished pieces stay cells of this layer; emitted ones
        # become cells of the next. Pushed so that the first comes out first.
        cdef size_t pending = self.piece_offsets.used // sizeof(size_t), e
        for e in range(pending):
            self.push_piece_cell(cv, self.pieces.data + (<size_t*>self.piece_offsets.data)[e],
                                 T, k_bp, NW, 0)
        cdef size_t count = self.emitted_offsets.used // sizeof(size_t)
        self.per_layer[l] += count
        self.ref_ready = 0
        for e in range(count):
            self.push_piece_cell(
                cv, self.emitted.data + (<size_t*>self.emitted_offsets.data)[count - 1 - e],
                T, k_bp, NW, 1)
        return 0

    cdef int ensure_pool(self, int count, int NW) except -1:
        """Room for ``count`` more generators in the pool."""
        cdef size_t have = self.pool_z.used // ((self.dim + 1) * sizeof(double))
        self.pool_z.used = have * (self.dim + 1) * sizeof(double)
        self.pool_inc.used = have * NW * sizeof(uint64_t)
        reserve(&self.pool_z, count * (self.dim + 1) * sizeof(double))
        reserve(&self.pool_inc, count * NW * sizeof(uint64_t))
        return 0

    cdef int unit_planes(self, int l, int n, int k_bp) except -1:
        """The layer's hyperplanes as unit-normal rows ``[a | c]`` with value ``a . z + c``
        (zero rows where the gradient is zero; those hyperplanes are constant on the cell)."""
        cdef int dim = self.dim, cols = dim + 1, j, q, k
        cdef double* G = <double*>self.G.data
        cdef double* gnorm = <double*>self.gnorm.data
        self.planes.used = 0
        reserve(&self.planes, <size_t>n * k_bp * cols * sizeof(double))
        cdef double* row = <double*>self.planes.data
        for j in range(n):
            for q in range(k_bp):
                for k in range(cols):
                    row[k] = 0.0
                if gnorm[j] > 0.0:
                    for k in range(dim):
                        row[k] = G[j * cols + k] / gnorm[j]
                    row[dim] = (G[j * cols + dim] - breakpoint(self.act[l], q)) / gnorm[j]
                row += cols
        return 0

    cdef inline bint is_ray(self, size_t v) noexcept nogil:
        return (<double*>self.pool_z.data)[v * (self.dim + 1) + self.dim] == 0.0

    cdef inline double value(self, size_t v, int t) noexcept nogil:
        """Hyperplane ``t`` of the current layer at pool generator ``v``: the signed
        distance of a vertex, the slope along a ray."""
        cdef int dim = self.dim, k
        cdef double* row = <double*>self.planes.data + <size_t>t * (dim + 1)
        cdef double* z = <double*>self.pool_z.data + v * (dim + 1)
        cdef double s = row[dim] * z[dim]
        for k in range(dim):
            s += row[k] * z[k]
        return s

    cdef char* new_piece(self, int nv, int ncut, int ncand, int T) except NULL:
        cdef size_t size = piece_bytes(nv, ncut, ncand, T)
        reserve(&self.pieces, size)
        reserve(&self.piece_offsets, sizeof(size_t))
        (<size_t*>(self.piece_offsets.data + self.piece_offsets.used))[0] = self.pieces.used
        self.piece_offsets.used += sizeof(size_t)
        cdef char* record = self.pieces.data + self.pieces.used
        self.pieces.used += size
        cdef PieceHead* ph = <PieceHead*>record
        ph.nv = nv
        ph.ncut = ncut
        ph.ncand = ncand
        ph.size = size
        return record

    cdef double bounding_ball(self, int32_t* vid, int nvp, double* center) noexcept nogil:
        """Center (vertex mean) and radius of a ball holding the pool generators
        ``vid[:nvp]`` (the radius padded for rounding); -1 when one is a ray."""
        cdef int dim = self.dim, i, k
        cdef double* z = <double*>self.pool_z.data
        cdef double* g
        cdef double d, far = 0.0
        for k in range(dim):
            center[k] = 0.0
        for i in range(nvp):
            g = z + <size_t>vid[i] * (dim + 1)
            if g[dim] == 0.0:
                return -1.0
            for k in range(dim):
                center[k] += g[k]
        for k in range(dim):
            center[k] /= nvp
        for i in range(nvp):
            g = z + <size_t>vid[i] * (dim + 1)
            d = 0.0
            for k in range(dim):
                d += (g[k] - center[k]) * (g[k] - center[k])
            far = fmax(far, d)
        return sqrt(far) * (1.0 + 1e-12) + 1e-300

    cdef int side_of(self, int32_t* vid, int nvp, int t, int act, int q, double* center,
                     double radius, double* vmax, double* vmin) noexcept nogil:
        """The side (+1 / -1) of hyperplane ``t`` the generators ``vid[:nvp]`` lie on, or 0
        when they straddle it (then ``vmax``, ``vmin`` are its extreme values, infinite
        along a ray that leaves it). A ball around a bounded piece (``radius >= 0``)
        decides most hyperplanes with one dot product (rows are unit vectors)."""
        cdef int dim = self.dim, i, k
        cdef double s, hi = -1e300, lo = 1e300
        cdef double* plane
        if radius >= 0.0:
            plane = <double*>self.planes.data + <size_t>t * (dim + 1)
            s = plane[dim]
            for k in range(dim):
                s += plane[k] * center[k]
            if s - radius > self.on_plane:
                return 1
            if s + radius < -self.on_plane:
                return -1
        for i in range(nvp):
            s = self.value(vid[i], t)
            if self.is_ray(vid[i]):
                if s > self.on_plane:
                    s = UNBOUNDED
                elif s < -self.on_plane:
                    s = -UNBOUNDED
            hi = fmax(hi, s)
            lo = fmin(lo, s)
        vmax[0] = hi
        vmin[0] = lo
        if lo >= -self.on_plane and hi <= self.on_plane:
            return tie_side(act, q)
        if lo >= -self.on_plane:
            return 1
        if hi <= self.on_plane:
            return -1
        return 0

    cdef int step_piece(self, CellView cv, int T, int k_bp, int NW) except -1:
        """Advance the top piece: decide the candidate hyperplanes that miss it, then cut
        it by the first that splits it in two (pushing both children, which inherit the
        remaining candidates), or emit it when none does.

        A hyperplane that misses a piece misses its children too, so the children test
        only the hyperplanes that cross their parent: the work of a layer grows with the
        pieces it creates, not with their number times the layer's width."""
        cdef int dim = self.dim, i, t, nvp, side, kept, act = self.act[cv.head.layer]
        cdef size_t offset = (<size_t*>(self.piece_offsets.data + self.piece_offsets.used))[-1]
        # take the piece off the stack into the work buffer (children may overwrite it)
        cdef PieceHead* ph = <PieceHead*>(self.pieces.data + offset)
        cdef size_t size = ph.size
        self.new_cell.used = 0
        reserve(&self.new_cell, size)
        memcpy(self.new_cell.data, self.pieces.data + offset, size)
        self.pieces.used = offset
        self.piece_offsets.used -= sizeof(size_t)
        cdef char* piece = self.new_cell.data
        ph = <PieceHead*>piece
        nvp = ph.nv
        cdef int32_t* vid = piece_vertices(piece)
        cdef int32_t* cand = piece_candidates(piece)
        cdef signed char* sides = piece_sides(piece)
        cdef signed char* const_side = <signed char*>self.const_side.data
        cdef double vmax, vmin
        cdef double center[64]
        cdef double radius = self.bounding_ball(vid, nvp, center)
        # decide the candidates that miss the piece; keep those that cross it, in order
        kept = 0
        for i in range(ph.ncand):
            t = cand[i]
            side = const_side[t]
            if side == 0:
                side = self.side_of(vid, nvp, t, act, t % k_bp, center, radius, &vmax, &vmin)
            if side != 0:
                sides[t] = side
            else:
                cand[kept] = t
                kept += 1
        if kept < ph.ncand:
            # (sides follow the candidates in the record)
            ph.ncand = kept
            memmove(piece_sides(piece), sides, T)
            sides = piece_sides(piece)
        # cut by the crossing hyperplanes in order until one splits the piece
        i = 0
        while i < ph.ncand:
            t = cand[i]
            self.side_of(vid, nvp, t, act, t % k_bp, center, -1.0, &vmax, &vmin)
            side = self.try_cut(cv, piece, t, T, k_bp, NW, vmax, vmin, i)
            if side == 0:
                return 0          # split: both children are on the piece stack
            # re-read: try_cut may have grown the buffers
            piece = self.new_cell.data
            ph = <PieceHead*>piece
            vid = piece_vertices(piece)
            cand = piece_candidates(piece)
            sides = piece_sides(piece)
            sides[t] = side
            i += 1
        # every hyperplane decided: emit
        reserve(&self.emitted, size)
        reserve(&self.emitted_offsets, sizeof(size_t))
        (<size_t*>(self.emitted_offsets.data + self.emitted_offsets.used))[0] = self.emitted.used
        self.emitted_offsets.used += sizeof(size_t)
        memcpy(self.emitted.data + self.emitted.used, self.new_cell.data, size)
        self.emitted.used += size
        return 0

    cdef int try_cut(self, CellView cv, char* piece, int t, int T, int k_bp, int NW,
                     double vmax, double vmin, int ci) except 2:
        """Cut the piece in ``new_cell`` by hyperplane ``t`` (its candidate ``ci``); 0 when
        both sides are kept (pushed as two pieces), else the side the whole piece lies on."""
        cdef int dim = self.dim, m = cv.head.m, i, a, b, x, w, k, npos = 0, nneg = 0, nzero = 0
        cdef PieceHead* ph = <PieceHead*>piece
        cdef int nvp = ph.nv, ncut = ph.ncut
        cdef int thin_pos = vmax / 2.0 <= self.min_radius
        cdef int thin_neg = -vmin / 2.0 <= self.min_radius
        cdef double r_pos, r_neg
        if thin_pos or thin_neg:
            # a side thinner than the tolerance: no split; near-tolerance slivers are counted
            if thin_pos and not thin_neg:
                self.count_sliver(cv, piece, t, k_bp, 1, vmax, T)
                return -1
            if thin_neg and not thin_pos:
                self.count_sliver(cv, piece, t, k_bp, -1, -vmin, T)
                return 1
            return 1 if vmax >= -vmin else -1

        # the piece's constraint mask: the cell's rows and the piece's cuts
        self.work_int.used = 0
        reserve(&self.work_int, NW * sizeof(uint64_t) + 3 * nvp * sizeof(int32_t)
                + 2 * NW * sizeof(uint64_t))
        cdef uint64_t* mask = <uint64_t*>self.work_int.data
        cdef uint64_t* common = mask + NW
        cdef int32_t* pos = <int32_t*>(common + NW)
        cdef int32_t* neg = pos + nvp
        cdef int32_t* zer = neg + nvp
        memset(mask, 0, NW * sizeof(uint64_t))
        for i in range(m):
            mask[i >> 6] |= (<uint64_t>1) << (i & 63)
        cdef int32_t* cuts = piece_cuts(piece)
        cdef int ct
        for i in range(ncut):
            ct = m + (cuts[i] >> 1)
            mask[ct >> 6] |= (<uint64_t>1) << (ct & 63)
        cdef int32_t* vid = piece_vertices(piece)
        cdef double s
        for i in range(nvp):
            s = self.value(vid[i], t)
            if s > self.on_plane:
                pos[npos] = vid[i]
                npos += 1
            elif s < -self.on_plane:
                neg[nneg] = vid[i]
                nneg += 1
            else:
                zer[nzero] = vid[i]
                nzero += 1

        # crossings of the edges between the two sides
        cdef size_t first_new = self.pool_z.used // ((dim + 1) * sizeof(double))
        # room for the new generators, grown as edges are found (npos * nneg pairs are
        # tried, but few are edges); pointers into work_int are stable
        cdef size_t room = min(<size_t>npos * nneg, 64)
        self.ensure_pool(room, NW)
        cdef uint64_t* inc = <uint64_t*>self.pool_inc.data
        cdef double* z = <double*>self.pool_z.data
        cdef size_t nnew = 0, vnew
        cdef int bits, adjacent, contains, gd = dim + 1
        cdef double sa, sb, wa, wb, reach, norm
        cdef double* za
        cdef double* zb
        cdef double* zn
        cdef int tbit = m + t
        for a in range(npos):
            for b in range(nneg):
                bits = 0
                for w in range(NW):
                    common[w] = inc[<size_t>pos[a] * NW + w] & inc[<size_t>neg[b] * NW + w] & mask[w]
                    bits += popcount(common[w])
                if bits < dim - 1:
                    continue
                adjacent = 1
                for i in range(nvp):
                    x = vid[i]
                    if x == pos[a] or x == neg[b]:
                        continue
                    contains = 1
                    for w in range(NW):
                        if (inc[<size_t>x * NW + w] & common[w]) != common[w]:
                            contains = 0
                            break
                    if contains:
                        adjacent = 0
                        break
                if not adjacent:
                    continue
                if nnew == room:
                    self.pool_z.used = (first_new + nnew) * (dim + 1) * sizeof(double)
                    self.ensure_pool(room, NW)
                    room *= 2
                    inc = <uint64_t*>self.pool_inc.data
                    z = <double*>self.pool_z.data
                vnew = first_new + nnew
                nnew += 1
                sa = self.value(pos[a], t)
                sb = self.value(neg[b], t)
                za = z + <size_t>pos[a] * gd
                zb = z + <size_t>neg[b] * gd
                zn = z + vnew * gd
                reach = 0.0
                if za[dim] != 0.0 and zb[dim] != 0.0:
                    wa = -sb / (sa - sb)     # weight of the positive end
                    wb = sa / (sa - sb)
                    for k in range(dim):
                        zn[k] = wa * za[k] + wb * zb[k]
                        reach = fmax(reach, fmax(fabs(za[k]), fabs(zb[k])))
                    zn[dim] = 1.0
                elif za[dim] != 0.0 or zb[dim] != 0.0:
                    # a vertex and a ray: walk from the vertex along the ray to the hyperplane
                    if za[dim] != 0.0:
                        wb = sa / -sb
                        for k in range(dim):
                            zn[k] = za[k] + wb * zb[k]
                            reach = fmax(reach, fmax(fabs(za[k]), fabs(zn[k])))
                    else:
                        wa = -sb / sa
                        for k in range(dim):
                            zn[k] = zb[k] + wa * za[k]
                            reach = fmax(reach, fmax(fabs(zb[k]), fabs(zn[k])))
                    zn[dim] = 1.0
                else:
                    # two rays: the ray between them parallel to the hyperplane
                    norm = 0.0
                    for k in range(dim):
                        zn[k] = -sb * za[k] + sa * zb[k]
                        norm += zn[k] * zn[k]
                    norm = sqrt(norm)
                    for k in range(dim):
                        zn[k] /= norm
                    zn[dim] = 0.0
                if reach > REFINE_ABOVE:
                    self.refine(cv, zn, common, NW, t)
                for w in range(NW):
                    inc[vnew * NW + w] = common[w]
                inc[vnew * NW + (tbit >> 6)] |= (<uint64_t>1) << (tbit & 63)
        self.pool_z.used = (first_new + nnew) * gd * sizeof(double)
        for i in range(nzero):
            inc[<size_t>zer[i] * NW + (tbit >> 6)] |= (<uint64_t>1) << (tbit & 63)

        # are both sides full-dimensional? (inscribed radius above min_radius)
        r_pos = self.inner_radius(cv, piece, pos, npos, zer, nzero, first_new, nnew, t, 1, T, k_bp)
        r_neg = self.inner_radius(cv, piece, neg, nneg, zer, nzero, first_new, nnew, t, -1, T, k_bp)
        if r_pos <= self.min_radius or r_neg <= self.min_radius:
            if r_pos <= self.min_radius and r_pos > self.sliver_radius:
                self.slivers += 1
            if r_neg <= self.min_radius and r_neg > self.sliver_radius:
                self.slivers += 1
            if r_pos <= self.min_radius and r_neg <= self.min_radius:
                return 1 if r_pos >= r_neg else -1
            return -1 if r_pos <= self.min_radius else 1

        # push the negative side first so the positive side is split first
        self.push_child(neg, nneg, zer, nzero, first_new, nnew, t, -1, T, ci)
        self.push_child(pos, npos, zer, nzero, first_new, nnew, t, 1, T, ci)
        return 0

    cdef void refine(self, CellView cv, double* p, uint64_t* common, int NW,
                     int t) noexcept nogil:
        """Project the new vertex ``p`` onto the flat it lies on: hyperplane ``t`` and the
        constraints in ``common`` (tight at both ends of its edge).

        Interpolating along an edge rounds by ``eps`` times the edge's end points, which
        in a large box are far from a vertex near the origin; the projection computes the
        vertex from the hyperplanes themselves, so its rounding is ``eps`` times its own
        size. Rows are orthonormalised (modified Gram-Schmidt) and rows dependent on the
        earlier ones (degenerate vertices) are skipped.
        """
        cdef int dim = self.dim, cols = dim + 1, m = cv.head.m, nq = 0, k, j, w, bit
        cdef double Q[64 * 65]           # orthonormal rows, each followed by its target
        cdef double* q
        cdef double* row
        cdef double target, dot, norm
        cdef uint64_t word
        bit = m + t
        while nq < dim:
            if bit < m:
                row = cv.rows + <size_t>bit * cols
                target = row[dim]
            else:
                row = <double*>self.planes.data + <size_t>(bit - m) * cols
                target = -row[dim]
            q = Q + nq * cols
            for k in range(dim):
                q[k] = row[k]
            q[dim] = target
            for j in range(nq):
                dot = 0.0
                for k in range(dim):
                    dot += q[k] * Q[j * cols + k]
                for k in range(cols):
                    q[k] -= dot * Q[j * cols + k]
            norm = 0.0
            for k in range(dim):
                norm += q[k] * q[k]
            norm = sqrt(norm)
            if norm > REFINE_INDEPENDENT:
                for k in range(cols):
                    q[k] /= norm
                nq += 1
            # next set bit of ``common`` after ``bit`` (the cut ``t`` itself came first)
            bit = -1 if bit == m + t else bit
            bit += 1
            while bit < 64 * NW:
                word = common[bit >> 6] >> (bit & 63)
                if word == 0:
                    bit = ((bit >> 6) + 1) << 6
                    continue
                while not (word & 1):
                    word >>= 1
                    bit += 1
                break
            if bit >= 64 * NW:
                break
        for j in range(nq):
            dot = -Q[j * cols + dim]
            for k in range(dim):
                dot += Q[j * cols + k] * p[k]
            for k in range(dim):
                p[k] -= dot * Q[j * cols + k]

    cdef int push_child(self, int32_t* side_v, int nside, int32_t* zer, int nzero,
                        size_t first_new, size_t nnew, int t, int sign, int T,
                        int ci) except -1:
        """Push the ``sign`` side of the piece in ``new_cell`` cut by hyperplane ``t``, its
        candidate ``ci``: the child inherits the candidates after it."""
        cdef PieceHead* ph = <PieceHead*>self.new_cell.data
        cdef int nv = nside + nzero + <int>nnew, ncut = ph.ncut + 1, i
        cdef int ncand = ph.ncand - ci - 1
        cdef char* child = self.new_piece(nv, ncut, ncand, T)
        ph = <PieceHead*>self.new_cell.data
        cdef int32_t* vid = piece_vertices(child)
        for i in range(nside):
            vid[i] = side_v[i]
        for i in range(nzero):
            vid[nside + i] = zer[i]
        for i in range(<int>nnew):
            vid[nside + nzero + i] = <int32_t>(first_new + i)
        cdef int32_t* cuts = piece_cuts(child)
        memcpy(cuts, piece_cuts(self.new_cell.data), ph.ncut * sizeof(int32_t))
        cuts[ph.ncut] = 2 * t + (1 if sign > 0 else 0)
        memcpy(piece_candidates(child), piece_candidates(self.new_cell.data) + ci + 1,
               ncand * sizeof(int32_t))
        memcpy(piece_sides(child), piece_sides(self.new_cell.data), T)
        piece_sides(child)[t] = sign
        return 0

    cdef double inner_radius(self, CellView cv, char* piece, int32_t* side_v, int nside,
                             int32_t* zer, int nzero, size_t first_new, size_t nnew, int t,
                             int sign, int T, int k_bp) except -1:
        """Is the piece's ``sign`` side of hyperplane ``t`` full-dimensional? Returns a radius:
        the least slack at the vertex mean when that exceeds ``min_radius`` (a ball of that
        radius fits), else the Chebyshev radius from an LP."""
        cdef int dim = self.dim, cols = dim + 1, i, k, count = nside + nzero + <int>nnew, nray
        cdef double p[64]
        cdef double s, least = 1e300
        self.members.used = 0
        reserve(&self.members, count * sizeof(int32_t))
        cdef int32_t* members = <int32_t*>self.members.data
        for i in range(count):
            members[i] = side_v[i] if i < nside else (
                zer[i - nside] if i < nside + nzero else <int>(first_new + i - nside - nzero))
        nray = self.interior_point(<double*>self.pool_z.data, members, count, p)
        for i in range(cv.head.m):
            s = cv.rows[i * cols + dim]
            for k in range(dim):
                s -= cv.rows[i * cols + k] * p[k]
            if s < least:
                least = s
        cdef int32_t* cuts = piece_cuts(piece)
        cdef int ncut = (<PieceHead*>piece).ncut
        for i in range(ncut + 1):
            if i < ncut:
                s = self.plane_value(cuts[i] >> 1, p, T, k_bp, cv.head.layer)
                if not (cuts[i] & 1):
                    s = -s
            else:
                s = sign * self.plane_value(t, p, T, k_bp, cv.head.layer)
            if s < least:
                least = s
        if least > self.min_radius:
            return least
        return self.lp_radius(cv, piece, t, sign, T, k_bp, nray)

    cdef double plane_value(self, int t, double* p, int T, int k_bp, int l) noexcept nogil:
        cdef int dim = self.dim, cols = dim + 1, j = t // k_bp, k
        cdef double* G = <double*>self.G.data
        cdef double gn = (<double*>self.gnorm.data)[j]
        cdef double s = G[j * cols + dim] - breakpoint(self.act[l], t % k_bp)
        for k in range(dim):
            s += G[j * cols + k] * p[k]
        return s / gn

    cdef double lp_radius(self, CellView cv, char* piece, int t, int sign, int T,
                          int k_bp, int unbounded) except -1:
        """Chebyshev radius of the piece's ``sign`` side of ``t``: from the subsets of rows
        when it is bounded, else (or when those fail) one LP."""
        cdef int dim = self.dim, cols = dim + 1, i, k, m = cv.head.m
        cdef int32_t* cuts = piece_cuts(piece)
        cdef int ncut = (<PieceHead*>piece).ncut
        rows = np.empty((m + ncut + 1, cols))
        cdef double[:, ::1] r = rows
        for i in range(m):
            for k in range(cols):
                r[i, k] = cv.rows[i * cols + k]
        for i in range(ncut + 1):
            if i < ncut:
                self.cut_row(cuts[i] >> 1, 1 if (cuts[i] & 1) else -1, &r[m + i, 0], k_bp,
                             cv.head.layer)
            else:
                self.cut_row(t, sign, &r[m + i, 0], k_bp, cv.head.layer)
        cdef double center[64]
        cdef double radius
        if not unbounded and ball_by_subsets(&r[0, 0], m + ncut + 1, dim, center, &radius):
            return radius
        _, radius = self.chebyshev(np.ascontiguousarray(rows[:, :dim]),
                                   np.ascontiguousarray(rows[:, dim]))
        self.lps += 1
        return radius

    cdef void cut_row(self, int t, int sign, double* out, int k_bp, int l) noexcept nogil:
        """Row ``a . z <= c`` (unit ``a``) of the ``sign`` side of hyperplane ``t``."""
        cdef int dim = self.dim, cols = dim + 1, j = t // k_bp, k
        cdef double* G = <double*>self.G.data
        cdef double gn = (<double*>self.gnorm.data)[j]
        for k in range(dim):
            out[k] = -sign * G[j * cols + k] / gn
        out[dim] = sign * (G[j * cols + dim] - breakpoint(self.act[l], t % k_bp)) / gn

    cdef int count_sliver(self, CellView cv, char* piece, int t, int k_bp, int sign,
                          double extent, int T) except -1:
        """Count a dropped side as a sliver when its radius is near the tolerance."""
        cdef int i, unbounded = 0
        cdef int32_t* vid = piece_vertices(piece)
        for i in range((<PieceHead*>piece).nv):
            unbounded = unbounded or self.is_ray(vid[i])
        if extent / 2.0 > self.sliver_radius:
            if self.lp_radius(cv, piece, t, sign, T, k_bp, unbounded) > self.sliver_radius:
                self.slivers += 1
        return 0

    cdef int push_piece_cell(self, CellView cv, char* piece, int T, int k_bp, int NW,
                             int done) except -1:
        """Turn a piece into a cell on the main stack: of the next layer when it is ``done``
        (emitted), else of this layer, to be split further from its next hyperplane."""
        cdef int dim = self.dim, cols = dim + 1, l = cv.head.layer, n = self.n_out[l]
        cdef int m = cv.head.m, i, j, k, w, b, q, premapped = 0
        cdef PieceHead* ph = <PieceHead*>piece
        cdef int nvp = ph.nv, ncut = ph.ncut
        cdef int32_t* vid = piece_vertices(piece)
        cdef int32_t* cuts = piece_cuts(piece)
        cdef signed char* sides = piece_sides(piece)
        cdef uint64_t* inc = <uint64_t*>self.pool_inc.data
        # constraints kept: the cell's rows and the cuts with at least dim incident vertices
        cdef int total = m + ncut, kept = 0, count, bit
        self.work_int.used = 0
        reserve(&self.work_int, total * sizeof(int32_t))
        cdef int32_t* keep_bits = <int32_t*>self.work_int.data
        for i in range(total):
            bit = i if i < m else m + (cuts[i - m] >> 1)
            count = 0
            for j in range(nvp):
                if inc[<size_t>vid[j] * NW + (bit >> 6)] & ((<uint64_t>1) << (bit & 63)):
                    count += 1
            if count >= dim:
                keep_bits[kept] = i
                kept += 1
        cdef int nw = (kept + 63) // 64
        if nw == 0:
            nw = 1
        cdef CellView out
        if done:
            premapped = l + 1 < self.n_layers
            out = self.push_cell(l + 1, nvp, kept, nw, self.n_out[l + 1] if premapped else n,
                                 cv.head.plen + n, premapped, 0.0)
        else:
            out = self.push_cell(l, nvp, kept, nw, cv.head.n_in, cv.head.plen, cv.head.premapped,
                                 cv.head.map_norm_max, T)
        cdef CellHead* h = out.head
        cdef double* z = <double*>self.pool_z.data
        for j in range(nvp):
            memcpy(out.V + j * cols, z + <size_t>vid[j] * cols, cols * sizeof(double))
            for w in range(nw):
                out.inc[j * nw + w] = 0
            for i in range(kept):
                bit = keep_bits[i] if keep_bits[i] < m else m + (cuts[keep_bits[i] - m] >> 1)
                if inc[<size_t>vid[j] * NW + (bit >> 6)] & ((<uint64_t>1) << (bit & 63)):
                    out.inc[j * nw + (i >> 6)] |= (<uint64_t>1) << (i & 63)
        for i in range(kept):
            b = keep_bits[i]
            if b < m:
                memcpy(out.rows + i * cols, cv.rows + b * cols, cols * sizeof(double))
                out.labels[i] = cv.labels[b]
            else:
                q = cuts[b - m]
                self.cut_row(q >> 1, 1 if (q & 1) else -1, out.rows + i * cols, k_bp, l)
                out.labels[i] = self.label_offset[l] + (q >> 1)
        memcpy(out.pattern, cv.pattern, cv.head.plen)
        if not done:
            memcpy(out.map, cv.map, <size_t>cv.head.n_in * cols * sizeof(double))
            memcpy(out.sides, sides, T)
            return 0
        # states, and the next layer's input map (or, premapped, its pre-activation map)
        cdef double* G = <double*>self.G.data
        cdef double* gnorm = <double*>self.gnorm.data
        self.child_coef.used = 0
        reserve(&self.child_coef, <size_t>n * 2 * sizeof(double))
        cdef double* coef = <double*>self.child_coef.data
        cdef signed char state
        cdef double slope_j, offset_j, norm
        for j in range(n):
            state = state_from_sides(self.act[l], sides + j * k_bp)
            slope_offset(self.act[l], self.slope[l], state, &slope_j, &offset_j)
            out.pattern[cv.head.plen + j] = state
            coef[2 * j] = slope_j
            coef[2 * j + 1] = offset_j
            norm = fabs(slope_j) * gnorm[j]
            if norm > h.map_norm_max:
                h.map_norm_max = norm
        if not premapped:
            self.apply_states(n, G, coef, out.map)
            return 0
        self.premap(l + 1, n, G, coef, out.map)
        return 0

    cdef void apply_states(self, int n, double* G, double* coef, double* out) noexcept nogil:
        """``out (n, dim + 1)``: the layer output map, ``slope * G + [0 | offset]`` per neuron."""
        cdef int cols = self.dim + 1, j, k
        for j in range(n):
            for k in range(cols):
                out[j * cols + k] = coef[2 * j] * G[j * cols + k]
            out[j * cols + cols - 1] += coef[2 * j + 1]

    cdef int premap(self, int l, int n, double* G, double* coef, double* out) except -1:
        """``out (n_out[l], dim + 1)``: layer ``l``'s pre-activation map for a child whose
        previous layer (``n`` neurons, pre-activation map ``G``) has states ``coef``.

        Children of one cell come out of its piece tree in order, and consecutive
        ones differ in the states of a few neurons, so a child's map is the previous
        child's plus one rank-one update per neuron whose state differs. A full
        ``dgemm`` starts each cell, replaces updates when more than 1/8 of the
        neurons differ, and bounds the rounding by recomputing after
        ``MAX_UPDATES`` updates in a row.
        """
        cdef int cols = self.dim + 1, n_next = self.n_out[l], j, i, k, differ = 0
        cdef double* ref_coef = <double*>self.ref_coef.data
        cdef double* W = self.weight[l]
        cdef double dslope, doffset, w
        cdef double* ref
        if self.ref_ready:
            for j in range(n):
                if coef[2 * j] != ref_coef[2 * j] or coef[2 * j + 1] != ref_coef[2 * j + 1]:
                    differ += 1
        if not self.ref_ready or differ * 8 > n or self.ref_updates >= MAX_UPDATES:
            self.child_map.used = 0
            reserve(&self.child_map, <size_t>n * cols * sizeof(double))
            self.apply_states(n, G, coef, <double*>self.child_map.data)
            self.input_times_map(l, <double*>self.child_map.data, out)
            self.ref_map.used = 0
            reserve(&self.ref_map, <size_t>n_next * cols * sizeof(double))
            memcpy(self.ref_map.data, out, <size_t>n_next * cols * sizeof(double))
            self.ref_coef.used = 0
            reserve(&self.ref_coef, <size_t>n * 2 * sizeof(double))
            memcpy(self.ref_coef.data, coef, <size_t>n * 2 * sizeof(double))
            self.ref_ready = 1
            self.ref_updates = 0
            return 0
        ref = <double*>self.ref_map.data
        memcpy(out, ref, <size_t>n_next * cols * sizeof(double))
        for j in range(n):
            dslope = coef[2 * j] - ref_coef[2 * j]
            doffset = coef[2 * j + 1] - ref_coef[2 * j + 1]
            if dslope == 0.0 and doffset == 0.0:
                continue
            for i in range(n_next):
                w = W[i * n + j]
                if w == 0.0:
                    continue
                for k in range(cols):
                    out[i * cols + k] += w * dslope * G[j * cols + k]
                out[i * cols + cols - 1] += w * doffset
        memcpy(ref, out, <size_t>n_next * cols * sizeof(double))
        memcpy(ref_coef, coef, <size_t>n * 2 * sizeof(double))
        self.ref_updates += 1
        return 0


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
