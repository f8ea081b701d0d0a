"""Korea GPU rollout simulator."""

import os

__version__ = "0.1.0"

# The grid's matrices are ~200 x 200: one BLAS thread is as fast, and several threads per
# process fight over the cores of a small machine (and over loky workers). Set before numpy
# loads; a value already in the environment wins.
for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")
