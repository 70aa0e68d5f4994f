"""Input validation shared by the reference modules.

Messages name the argument, what was given and what is allowed (as torch and scikit-learn do).
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

FLOAT_DTYPES = (np.float16, np.float32, np.float64)


def as_float_array(x, name: str) -> np.ndarray:
    """Return ``x`` as a floating numpy array (ints are promoted to float64)."""
    arr = np.asarray(x)
    if arr.dtype == object:
        raise TypeError(f"{name} must be a numeric array, got dtype object")
    if not np.issubdtype(arr.dtype, np.floating):
        if np.issubdtype(arr.dtype, np.complexfloating):
            raise TypeError(f"{name} must be a real array, got dtype {arr.dtype}")
        arr = arr.astype(np.float64)
    return arr


def check_dim(dim: int, ndim: int, name: str = "dim") -> int:
    """Normalise a possibly negative axis like torch; raise IndexError when out of range."""
    if not isinstance(dim, (int, np.integer)) or isinstance(dim, bool):
        raise TypeError(f"{name} must be an int, got {type(dim).__name__}")
    lo, hi = (-1, 0) if ndim == 0 else (-ndim, ndim - 1)
    if not lo <= dim <= hi:
        raise IndexError(
            f"Dimension out of range (expected to be in range of [{lo}, {hi}], but got {dim})"
        )
    return int(dim) % max(ndim, 1)


def check_reduction(reduction: str) -> str:
    if reduction not in ("none", "mean", "sum"):
        raise ValueError(f"reduction must be one of 'none', 'mean', 'sum'; got {reduction!r}")
    return reduction


def check_choice(value, name: str, allowed: Iterable) -> None:
    allowed = tuple(allowed)
    if value not in allowed:
        raise ValueError(f"{name} must be one of {allowed}; got {value!r}")


def check_nonnegative(value: float, name: str) -> None:
    if not np.isfinite(value) or value < 0:
        raise ValueError(f"{name} must be a finite number >= 0; got {value!r}")


def check_positive(value: float, name: str) -> None:
    if not np.isfinite(value) or value <= 0:
        raise ValueError(f"{name} must be a finite number > 0; got {value!r}")


def check_probability(value: float, name: str, *, closed_right: bool = True) -> None:
    ok = 0 <= value <= 1 if closed_right else 0 <= value < 1
    if not ok:
        right = "1]" if closed_right else "1)"
        raise ValueError(f"{name} must be in [0, {right}; got {value!r}")


def check_same_shape(a: np.ndarray, b: np.ndarray, name_a: str, name_b: str) -> None:
    if a.shape != b.shape:
        raise ValueError(
            f"{name_b} must have the same shape as {name_a}: "
            f"got {name_a}.shape={a.shape}, {name_b}.shape={b.shape}"
        )


def reduce(loss: np.ndarray, reduction: str) -> np.ndarray:
    """Apply a torch-style reduction to an element-wise loss."""
    check_reduction(reduction)
    if reduction == "none":
        return loss
    if reduction == "sum":
        return np.asarray(loss.sum())
    return np.asarray(loss.mean())


def reduce_backward(grad_output, shape: tuple, reduction: str, dtype) -> np.ndarray:
    """Gradient of :func:`reduce` w.r.t. the element-wise loss of ``shape``."""
    check_reduction(reduction)
    g = np.asarray(grad_output, dtype=dtype)
    if reduction == "none":
        return np.broadcast_to(g, shape).astype(dtype, copy=True)
    size = int(np.prod(shape))
    scale = 1.0 if reduction == "sum" else 1.0 / max(size, 1)
    return np.full(shape, g * scale, dtype=dtype)
