# cython: language_level=3
"""Checked raw pointers into numpy arrays, for the Cython cores' small hot functions
(``engines/_split.pyx``, ``_simplex.pyx``): a typed memoryview argument costs about 0.3 µs
to take (the buffer protocol), which on a 10-D piece is more than the work; these checks
read the array's header only. Each function raises ValueError for an argument that is not
a C-contiguous numpy array of its dtype and number of dimensions, as a memoryview would."""

cimport numpy as cnp


cdef inline cnp.ndarray checked(object array, int typenum, int ndim, str name):
    """``array`` as an ndarray once its dtype, number of dimensions and C order are checked."""
    if (not cnp.PyArray_Check(array) or cnp.PyArray_TYPE(<cnp.ndarray>array) != typenum
            or cnp.PyArray_NDIM(<cnp.ndarray>array) != ndim
            or not cnp.PyArray_IS_C_CONTIGUOUS(<cnp.ndarray>array)):
        raise ValueError(f"{name}: a C-contiguous {ndim}-D numpy array of "
                         f"{cnp.PyArray_DescrFromType(typenum)} is needed")
    return <cnp.ndarray>array


cdef inline const double* matrix(object array, Py_ssize_t* shape, str name) except? NULL:
    """The float64 entries of the matrix ``array``, row-major; its shape into ``shape`` (2,)."""
    cdef cnp.ndarray checked_array = checked(array, cnp.NPY_DOUBLE, 2, name)
    shape[0] = cnp.PyArray_DIM(checked_array, 0)
    shape[1] = cnp.PyArray_DIM(checked_array, 1)
    return <const double*>cnp.PyArray_DATA(checked_array)


cdef inline const double* vector(object array, Py_ssize_t size, str name) except? NULL:
    """The float64 entries of ``array`` (size,); -1: any size."""
    cdef cnp.ndarray checked_array = checked(array, cnp.NPY_DOUBLE, 1, name)
    if size >= 0 and cnp.PyArray_DIM(checked_array, 0) != size:
        raise ValueError(f"{name}: shape {array.shape}, not ({size},)")
    return <const double*>cnp.PyArray_DATA(checked_array)


cdef inline const cnp.int64_t* indices(object array, str name) except? NULL:
    """The int64 entries of the vector ``array``."""
    return <const cnp.int64_t*>cnp.PyArray_DATA(checked(array, cnp.NPY_INT64, 1, name))


cdef inline cnp.ndarray new_array(int ndim, Py_ssize_t rows, Py_ssize_t cols, int typenum,
                                  bint zeroed):
    """A new C-ordered array of ``rows`` (ndim 1) or ``rows x cols`` (ndim 2) entries of
    ``typenum``, zeroed or not: numpy's C API, about a tenth of the instructions of
    ``np.empty`` called from Cython (a Python call with its arguments parsed)."""
    cdef cnp.npy_intp[2] dims
    dims[0] = rows
    dims[1] = cols
    if zeroed:
        return cnp.PyArray_ZEROS(ndim, dims, typenum, 0)
    return cnp.PyArray_EMPTY(ndim, dims, typenum, 0)
