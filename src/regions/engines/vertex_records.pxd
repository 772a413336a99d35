# cython: language_level=3
"""Record layouts of the vertex engine: a cell (on the depth-first stack) and a piece (a
part of a cell being cut by one layer), each one contiguous block of bytes in an arena."""

from libc.stdint cimport int32_t, int64_t, uint64_t

from .arena cimport pad8


cdef struct CellHead:
    int layer       # next layer to apply
    int nv          # generators
    int m           # constraints
    int nw          # 64-bit words per generator bitset
    int n_in        # rows of ``map``
    int plen        # pattern entries so far
    int premapped   # 0: ``map`` is the input map of ``layer``; 1: its pre-activation map
    int nsides      # entries of ``sides``: 0 for a cell entering its layer, else (a cell whose
                    # split was cut short, see ``split_steps``) the layer's hyperplanes
    double map_norm  # bound on the 2-norm of each column of ``map``'s error
    size_t size     # bytes of the whole record


cdef inline size_t cell_bytes(int dim, int nv, int m, int nw, int n_in, int plen,
                              int nsides) noexcept nogil:
    return (pad8(sizeof(CellHead)) + 8 * (<size_t>nv * (dim + 2) + <size_t>nv * nw
            + <size_t>m * (dim + 3) + <size_t>n_in * (dim + 2)) + pad8(plen) + pad8(nsides)
            + pad8(nv))


cdef struct CellView:
    CellHead* head
    double* V        # (nv, dim + 1): generators (x, 1) for vertices, (d, 0) for unit rays
    double* V_error  # (nv,): |V - exact generator| (largest entry) is at most this
    uint64_t* inc    # (nv, nw)
    double* rows     # (m, dim + 1): a then b of ``a . z <= b`` (``a`` a unit row)
    double* row_error  # (m,): error bound of each row (regions.predicates)
    int64_t* labels  # (m,)
    double* map      # (n_in, dim + 1): the layer input (or pre-activation when premapped)
                     # is map[:, :dim] z + map[:, dim]
    double* map_error  # (n_in,): largest entry error of each row of ``map``
    signed char* pattern
    signed char* sides   # (nsides,): side (+1 / -1) of each hyperplane of ``layer`` decided
                         # so far, 0 for those still to test
    signed char* flat    # (nv,): 1 for a ray along which every pre-activation of ``layer``
                         # and of the layers after it is exactly constant


cdef inline CellView view(char* record, int dim) noexcept nogil:
    cdef CellView cv
    cv.head = <CellHead*>record
    cdef CellHead* h = cv.head
    cv.V = <double*>(record + pad8(sizeof(CellHead)))
    cv.V_error = cv.V + <size_t>h.nv * (dim + 1)
    cv.inc = <uint64_t*>(cv.V_error + h.nv)
    cv.rows = <double*>(cv.inc + <size_t>h.nv * h.nw)
    cv.row_error = cv.rows + <size_t>h.m * (dim + 1)
    cv.labels = <int64_t*>(cv.row_error + h.m)
    cv.map = <double*>(cv.labels + h.m)
    cv.map_error = cv.map + <size_t>h.n_in * (dim + 1)
    cv.pattern = <signed char*>(cv.map_error + h.n_in)
    cv.sides = cv.pattern + pad8(h.plen)
    cv.flat = cv.sides + pad8(h.nsides)
    return cv


cdef struct PieceHead:
    int nv          # generators (pool indices)
    int ncut        # cuts made in this cell: 2 * t + (1 for the positive side)
    int ncand       # hyperplanes still to test, in increasing order
    int unit        # a max layer: the unit whose argmax part this piece is (-1: none yet)
    size_t size


cdef inline size_t piece_bytes(int nv, int ncut, int ncand, int T) noexcept nogil:
    return pad8(sizeof(PieceHead)) + pad8(4 * <size_t>(nv + ncut + ncand)) + pad8(T)


cdef inline int32_t* piece_vertices(char* record) noexcept nogil:
    return <int32_t*>(record + pad8(sizeof(PieceHead)))


cdef inline int32_t* piece_cuts(char* record) noexcept nogil:
    return piece_vertices(record) + (<PieceHead*>record).nv


cdef inline int32_t* piece_candidates(char* record) noexcept nogil:
    return piece_cuts(record) + (<PieceHead*>record).ncut


cdef inline signed char* piece_sides(char* record) noexcept nogil:
    cdef PieceHead* h = <PieceHead*>record
    return <signed char*>(record + pad8(sizeof(PieceHead))
                          + pad8(4 * <size_t>(h.nv + h.ncut + h.ncand)))
