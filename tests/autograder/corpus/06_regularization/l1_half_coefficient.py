# ruff: noqa  (a student submission: names come from the rest of the notebook)
# ERRATA (regularization): the Laplace prior's 1/(2b) used as the L1 coefficient: lam/2.
# EXPECT: {"regularization.l1_penalty": 0}
import numpy as np


def l1_penalty(params, lam):
    arrays = params if isinstance(params, (list, tuple)) else [params]
    return 0.5 * lam * sum(float(np.abs(a).sum()) for a in arrays)
