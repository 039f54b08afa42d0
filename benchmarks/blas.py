"""BLAS threads for a benchmark: the `--blas-threads` argument, and the environment
set from it. BLAS reads its thread count once, when NumPy is first imported, so a
benchmark calls `pin_blas_threads` before it imports NumPy (this module does not)."""

import os


def add_blas_threads_argument(parser):
    parser.add_argument(
        "--blas-threads",
        type=int,
        default=1,
        help="BLAS threads (default 1; 0 keeps the library default)",
    )


def pin_blas_threads(threads, variables=("OPENBLAS_NUM_THREADS",)):
    """Set `variables` to `threads`, unless it is 0 (keep the library's default).

    NumPy's OpenBLAS reads OPENBLAS_NUM_THREADS; OMP_NUM_THREADS would also pin
    PyTorch, so it is set only where asked."""
    if threads > 0:
        for variable in variables:
            os.environ[variable] = str(threads)
