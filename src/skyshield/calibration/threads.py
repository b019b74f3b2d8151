"""One BLAS thread for the calibration's commands (#23's performance line).

The calibration's matrices are small (the emulator's 1,536 × 305 design at most; the MCMC's
per-walker products are tens of rows) and its optimisations tiny (L-BFGS-B over two
overdispersion terms per class). OpenBLAS, which numpy and scipy ship, starts a thread per
core for any product above its threshold and keeps it spinning between calls: on this
project's 2-core runner :func:`~.dispersion.ml_dispersion` took 0.49 s of CPU with the
default threads and 0.024 s with one (the same numbers), the rest was the second thread
spinning. :func:`one_blas_thread` limits the BLAS libraries loaded (numpy's and scipy's) to one
thread for the duration of a call (threadpoolctl); other code keeps its threads.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import ParamSpec, TypeVar

__all__ = ["one_blas_thread"]

_P = ParamSpec("_P")
_R = TypeVar("_R")


def one_blas_thread(function: Callable[_P, _R]) -> Callable[_P, _R]:
    """Run ``function`` with every loaded BLAS library (numpy's, scipy's) on one thread."""

    @functools.wraps(function)
    def limited(*args: _P.args, **kwargs: _P.kwargs) -> _R:
        import scipy.linalg  # noqa: F401 - loads scipy's BLAS, so the limit reaches it too
        from threadpoolctl import threadpool_limits

        with threadpool_limits(limits=1, user_api="blas"):
            return function(*args, **kwargs)

    return limited
