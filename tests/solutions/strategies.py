"""Shared hypothesis strategies and oracle assertions for the conformance tests."""

from __future__ import annotations

import numpy as np
import torch
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

# float64 agreement to 1e-10 and float32 to 1e-5 wherever the math allows (issue 3).
RTOL = {np.float64: 1e-10, np.float32: 1e-5}
ATOL = {np.float64: 1e-12, np.float32: 1e-6}

dtypes = st.sampled_from([np.float32, np.float64])


def shapes(min_dims: int = 1, max_dims: int = 4, min_side: int = 1, max_side: int = 6):
    return hnp.array_shapes(
        min_dims=min_dims, max_dims=max_dims, min_side=min_side, max_side=max_side
    )


def finite_floats(bound: float = 1e4, width: int = 64):
    return st.floats(-bound, bound, allow_nan=False, allow_infinity=False, width=width)


def arrays(dtype, shape, bound: float = 1e4, elements=None):
    """Arrays of finite values in [-bound, bound]; mixes tiny, moderate and extreme values."""
    width = 32 if np.dtype(dtype) == np.float32 else 64
    elements = elements or finite_floats(bound, width)
    return hnp.arrays(dtype, shape, elements=elements)


def moderate_arrays(dtype, shape, bound: float = 10.0):
    return arrays(dtype, shape, bound)


def to_torch(x, requires_grad: bool = False) -> torch.Tensor:
    t = torch.from_numpy(np.array(x, copy=True))
    return t.requires_grad_(requires_grad) if requires_grad else t


def assert_close(ours, theirs, *, dtype=np.float64, rtol=None, atol=None, what="value"):
    """Compare ours with the oracle; on failure show both and the worst index."""
    dt = np.dtype(dtype).type
    rtol = RTOL.get(dt, 1e-10) if rtol is None else rtol
    atol = ATOL.get(dt, 1e-12) if atol is None else atol
    if isinstance(theirs, torch.Tensor):
        theirs = theirs.detach().numpy()
    ours = np.asarray(ours)
    theirs = np.asarray(theirs)
    assert ours.shape == theirs.shape, f"{what}: shape {ours.shape} != oracle {theirs.shape}"
    ok = np.isclose(ours, theirs, rtol=rtol, atol=atol, equal_nan=True)
    if not ok.all():
        idx = np.unravel_index(np.argmax(~ok), ok.shape) if ok.ndim else ()
        diff = np.abs(ours.astype(np.float64) - theirs.astype(np.float64))
        raise AssertionError(
            f"{what}: {int((~ok).sum())}/{ok.size} elements differ (rtol={rtol}, atol={atol}); "
            f"first at {idx}: ours={ours[idx]!r} oracle={theirs[idx]!r}; "
            f"max abs diff={np.nanmax(diff) if diff.size else 0:.3e}"
        )
