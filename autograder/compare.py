"""Compare a student's output with the reference's, in the trusted parent.

Returns a :class:`Verdict`: ``ok`` plus a one-line ``reason`` and, for array mismatches,
numbers a student can act on (shapes, dtypes, max abs/rel error, first differing index).
"""

from __future__ import annotations

import re
import weakref
from dataclasses import dataclass, field

import numpy as np

#: Two-sample Kolmogorov-Smirnov p-value below which an initializer's sample is rejected.
KS_P_VALUE = 1e-4


@dataclass
class Verdict:
    ok: bool
    reason: str = ""
    details: dict = field(default_factory=dict)
    summary: str = ""  # the reason without any data: what hidden cases report

    def __post_init__(self):
        if not self.summary and not self.ok:
            self.summary = hidden_summary(self.reason)


#: What a hidden case may say about a wrong output: one of these, the grader's own words
#: (a student's output can carry dict keys, dtype field names or text, never shown here).
CATEGORIES = (
    ("NaN or inf", "NaN or inf where the answer is finite"),
    ("wrong shape", "wrong shape"),
    ("wrong dtype", "wrong dtype"),
    ("expected numbers, got dtype", "wrong dtype (expected numbers)"),
    ("expected an array or number", "wrong type (expected an array or number)"),
    ("expected a tuple of", "wrong type (expected a tuple)"),
    ("expected keys", "wrong keys"),
    ("values, got", "wrong number of values"),
    ("values differ", "wrong values"),
    ("distribution", "wrong distribution"),
    ("orthonormal", "not orthonormal"),
    ("could not compare", "ungradable output"),
)


def hidden_summary(reason: str) -> str:
    """``wrong shape``, ``output[1]: wrong shape``: where (the grader's index into the
    expected output) and a fixed category."""
    where = reason.split(":", 1)[0] if reason.startswith("output") else "output"
    where = where if re.fullmatch(r"output(\[(\d+|'\w+')\])*", where) else "output"
    category = next((c for needle, c in CATEGORIES if needle in reason), "wrong value")
    return category if where == "output" else f"{where}: {category}"


def compare(ex, expected, got, *, where: str = "output", case=None) -> Verdict:
    """A verdict for any ``got`` (whatever a student's function returned): never raises.
    ``case``: the case compared (a milestone judges each of its groups differently)."""
    try:
        if ex.compare == "pipeline":
            from autograder import pipeline

            return pipeline.verdict(ex, case, expected, got)
        return _compare(ex, expected, got, where=where)
    except Exception as exc:  # noqa: BLE001 - a lying __eq__/__len__/__array__, ...
        return Verdict(
            False,
            f"{where}: could not compare the output ({type(exc).__name__} while reading it): "
            f"return {_kind(expected)}",
        )


def _kind(expected) -> str:
    if isinstance(expected, tuple | list):
        return f"a tuple of {len(expected)} values"
    if isinstance(expected, dict):
        return f"a dict with keys {sorted(expected)}"
    if expected is None:
        return "None"
    if isinstance(expected, np.ndarray) and expected.ndim:
        return f"a {expected.dtype} array of shape {expected.shape}"
    return "a number"


def _is_arraylike(x) -> bool:
    return isinstance(x, np.ndarray | np.generic | float | int | bool) and not isinstance(x, str)


def _compare(ex, expected, got, *, where: str = "output") -> Verdict:
    if ex.compare == "magnitude":
        return _magnitude(expected, got, where)
    if isinstance(expected, tuple | list):
        if not isinstance(got, tuple | list):
            return Verdict(
                False,
                f"{where}: expected a tuple of {len(expected)} values, got {type(got).__name__}",
            )
        if len(got) != len(expected):
            return Verdict(False, f"{where}: expected {len(expected)} values, got {len(got)}")
        for i, (e, g) in enumerate(zip(expected, got, strict=True)):
            v = compare(ex, e, g, where=f"{where}[{i}]")
            if not v.ok:
                return v
        return Verdict(True)
    if isinstance(expected, dict):
        if not isinstance(got, dict) or set(got) != set(expected):
            keys = sorted(got) if isinstance(got, dict) else type(got).__name__
            return Verdict(False, f"{where}: expected keys {sorted(expected)}, got {keys}")
        for k in expected:
            v = compare(ex, expected[k], got[k], where=f"{where}[{k!r}]")
            if not v.ok:
                return v
        return Verdict(True)
    if expected is None or isinstance(expected, str):
        ok = got is None if expected is None else (isinstance(got, str) and got == expected)
        reason = f"{where}: wrong value: expected {expected!r}, got {got!r}"[:200]
        return Verdict(ok, "" if ok else reason)
    if not _is_arraylike(got) or isinstance(got, str):
        hint = " (return a numpy array: np.asarray(...))" if isinstance(got, list | tuple) else ""
        return Verdict(
            False, f"{where}: expected an array or number, got {type(got).__name__}{hint}"
        )
    e, g = np.asarray(expected), np.asarray(got)
    if g.dtype.hasobject or not (np.issubdtype(g.dtype, np.number) or g.dtype == bool):
        return Verdict(False, f"{where}: expected numbers, got dtype {g.dtype}")
    if e.shape != g.shape:
        return Verdict(
            False,
            f"{where}: wrong shape: expected {e.shape}, got {g.shape}",
            {"expected_shape": e.shape, "got_shape": g.shape},
        )
    if (
        np.issubdtype(e.dtype, np.floating)
        and np.issubdtype(g.dtype, np.floating)
        and e.dtype != g.dtype
        and e.ndim > 0
    ):
        return Verdict(
            False,
            f"{where}: wrong dtype: expected {e.dtype}, got {g.dtype} "
            "(keep the input's float precision)",
        )
    if ex.compare == "distribution":
        return _distribution(e, g, where)
    if ex.compare == "orthogonal":
        return _orthogonal(e, g, where)
    return _allclose(ex, e, g, where)


def _allclose(ex, e, g, where) -> Verdict:
    dtype = e.dtype.name if np.issubdtype(e.dtype, np.floating) else "float64"
    rtol, atol = ex.rtol.get(dtype, 1e-6), ex.atol.get(dtype, 1e-9)
    if ex.compare == "exact":
        rtol = atol = 0.0
    ef, gf = e.astype(np.float64), g.astype(np.float64)
    finite_expected = np.isfinite(ef)
    bad_nan = finite_expected & ~np.isfinite(gf)
    close = np.isclose(gf, ef, rtol=rtol, atol=atol, equal_nan=True)
    if close.all():
        return Verdict(True)
    idx = np.unravel_index(int(np.argmax(~close)), close.shape) if close.ndim else ()
    with np.errstate(invalid="ignore", over="ignore"):
        diff = np.where(finite_expected & np.isfinite(gf), np.abs(gf - ef), np.inf)
        diff = np.where(close, 0.0, diff)  # equal infinities / NaNs are not errors
        # over the differing values; relative to an exact 0 is meaningless: left out
        scaled = ~close & (np.abs(ef) > 0)
        rel = diff[scaled] / np.abs(ef[scaled])
    details = {
        "first_index": tuple(int(i) for i in idx),
        "expected_value": float(ef[idx]),
        "got_value": float(gf[idx]),
        "max_abs_error": float(diff.max()),
        "max_rel_error": float(rel.max()) if rel.size else None,
        "mismatched": int((~close).sum()),
        "size": int(close.size),
        "rtol": rtol,
        "atol": atol,
    }
    if bad_nan.any():
        first = np.unravel_index(int(np.argmax(bad_nan)), bad_nan.shape) if bad_nan.ndim else ()
        reason = (
            f"{where}: NaN or inf where the answer is finite "
            f"({int(bad_nan.sum())} of {bad_nan.size}, first at index "
            f"{tuple(int(i) for i in first)}): "
            "a division by zero, or an overflow (use a numerically stable formula)?"
        )
    elif close.ndim == 0:  # a number: say which numbers (hidden cases get the summary)
        rel = details["max_rel_error"]
        reason = (
            f"{where}: expected {details['expected_value']:.6g}, got {details['got_value']:.6g} "
            f"(abs error {details['max_abs_error']:.3g}"
            + (f", rel error {rel:.3g})" if rel is not None else ")")
        )
        return Verdict(False, reason, details)
    else:
        rel_text = (
            f", max rel error {details['max_rel_error']:.3g}"
            if details["max_rel_error"] is not None
            else ""
        )
        reason = (
            f"{where}: {details['mismatched']} of {details['size']} values differ "
            f"(max abs error {details['max_abs_error']:.3g}{rel_text}; "
            f"first at index {details['first_index']})"
        )
    return Verdict(False, reason, details)


def _distribution(e, g, where) -> Verdict:
    if not np.isfinite(g).all():
        return Verdict(False, f"{where}: NaN or inf in the initialized array")
    expected = _sorted_sample(e)
    if expected.size < 2 or expected[0] == expected[-1]:  # a constant fill: compare exactly
        ok = np.allclose(g, e, rtol=1e-12, atol=0)
        return Verdict(ok, "" if ok else f"{where}: expected every value {e.flat[0]!r}")
    ok, statistic, p = ks_test(expected, g.ravel(), x_sorted=True)
    if ok:
        return Verdict(True, details={"ks_statistic": statistic})
    details = {
        "expected_mean": float(e.mean()),
        "got_mean": float(g.mean()),
        "expected_std": float(e.std()),
        "got_std": float(g.std()),
        "expected_range": (float(e.min()), float(e.max())),
        "got_range": (float(g.min()), float(g.max())),
        "ks_statistic": statistic,
        "ks_p_value": p,
    }
    (glo, ghi), (elo, ehi) = details["got_range"], details["expected_range"]
    reason = (
        f"{where}: values do not follow the expected distribution (std {g.std():.4g} vs "
        f"expected ~{e.std():.4g}, range [{glo:.4g}, {ghi:.4g}] vs [{elo:.4g}, {ehi:.4g}]; "
        f"KS p = {p:.2g})"
    )
    return Verdict(False, reason, details)


_SORTED: dict[int, np.ndarray] = {}


def _sorted_sample(e: np.ndarray) -> np.ndarray:
    """``np.sort(e.ravel())``, kept for a read-only ``e`` (a cached reference output, judged
    against every submission of a run) as long as ``e`` lives."""
    if e.flags.writeable:
        return np.sort(e.ravel())
    key = id(e)
    if key not in _SORTED:
        ordered = np.sort(e.ravel())
        ordered.flags.writeable = False
        _SORTED[key] = ordered
        weakref.finalize(e, _SORTED.pop, key, None)
    return _SORTED[key]


#: Up to this sample size ``scipy.stats.ks_2samp`` computes the exact p-value (its 'auto').
KS_EXACT_N = 10_000
#: The bound of :func:`ks_test` cuts the sorted expected sample into about this many cells.
KS_CELLS = 1024


def ks_test(
    x: np.ndarray, y: np.ndarray, *, x_sorted: bool = False
) -> tuple[bool, float | None, float | None]:
    r"""Two-sample Kolmogorov-Smirnov test, the verdict of ``scipy.stats.ks_2samp(x, y)``
    (two-sided, method 'auto') at :data:`KS_P_VALUE`: ``(p >= KS_P_VALUE, D, p)``, with
    ``p`` (and ``D``) None on a pass decided without them.

    .. math:: D = \sup_t |F_x(t) - F_y(t)|, \qquad
        p = P(D_{n} \ge D), \quad n = \operatorname{round}(n_x n_y / (n_x + n_y))

    For large samples scipy's exact finite-n tail ``kstwo.sf`` takes ~0.1 s in the far tail;
    the asymptotic Kolmogorov tail ``kstwobign.sf`` is within 3 % of it for n >= 1000 (and
    within 1 % at the sizes graded), so when the asymptotic p is more than 10x away from the
    threshold the verdict is certain without ``kstwo``. Two steps, cheapest first:

    1. an upper bound on ``D`` from :data:`KS_CELLS` cells of the sorted ``x`` (the exact
       difference at every cell edge, and at most the rise of both ECDFs inside a cell,
       :func:`ks_bound`): if even the bound puts p 10x above the threshold, it passes;
    2. otherwise the exact ``D`` (:func:`ks_statistic`, the same floats as scipy) and its
       asymptotic p when that is 10x above the threshold; otherwise, and for every failing
       verdict (whose feedback quotes p), ``kstwo.sf`` decides as scipy does."""
    from scipy.stats import kstwo, kstwobign

    if max(x.size, y.size) <= KS_EXACT_N:
        from scipy.stats import ks_2samp

        result = ks_2samp(x, y)
        p = float(result.pvalue)
        return p >= KS_P_VALUE, float(result.statistic), p
    dtype = np.result_type(x, y)
    x = x.astype(dtype, copy=False) if x_sorted else np.sort(x.astype(dtype, copy=False))
    y = np.sort(y.astype(dtype, copy=False))
    m, n = sorted([float(x.size), float(y.size)], reverse=True)
    en = m * n / (m + n)
    if en >= 1000:
        far = 10 * KS_P_VALUE
        if float(kstwobign.sf(np.sqrt(en) * ks_bound(x, y))) >= far:
            return True, None, None
        d = ks_statistic(x, y, x_sorted=True, y_sorted=True)
        if float(kstwobign.sf(np.sqrt(en) * d)) >= far:
            return True, d, None
    else:
        d = ks_statistic(x, y, x_sorted=True, y_sorted=True)
    p = float(np.clip(kstwo.sf(d, np.round(en)), 0, 1))
    return p >= KS_P_VALUE, d, p


_CELLS: dict[int, tuple] = {}


def _cells(x: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Cell edges of the sorted sample ``x`` (every k-th value, and the largest) with
    ``F_x`` just below and at each edge; kept for a read-only ``x`` as long as it lives."""
    key = id(x)
    if not x.flags.writeable and key in _CELLS:
        return _CELLS[key]
    k = max(1, x.size // KS_CELLS)
    edges = x[k - 1 :: k]
    if edges[-1] != x[-1]:
        edges = np.append(edges, x[-1])
    below = np.searchsorted(x, edges, side="left") / x.size
    at = np.searchsorted(x, edges, side="right") / x.size
    found = (edges, below, at)
    if not x.flags.writeable:
        _CELLS[key] = found
        weakref.finalize(x, _CELLS.pop, key, None)
    return found


def ks_bound(x: np.ndarray, y: np.ndarray) -> float:
    r"""An upper bound on :math:`D = \sup_t |F_x(t) - F_y(t)|` for two sorted samples
    (the same dtype), from the cell edges :math:`e_0 \le \dots \le e_K = \max x` of
    :func:`_cells`: at each edge the exact difference; on each open cell
    :math:`(e_{k-1}, e_k)`, where both ECDFs only rise,

    .. math:: |F_x(t) - F_y(t)| \le \max\big(F_x(e_k^-) - F_y(e_{k-1}),\;
        F_y(e_k^-) - F_x(e_{k-1})\big);

    below :math:`e_0` at most :math:`\max(F_x(e_0^-), F_y(e_0^-))`, above :math:`e_K`
    exactly :math:`1 - F_y(e_K)`. About 2K binary searches in ``y``, no merge."""
    edges, x_below, x_at = _cells(x)
    y_below = np.searchsorted(y, edges, side="left") / y.size
    y_at = np.searchsorted(y, edges, side="right") / y.size
    bound = max(
        float(np.abs(x_at - y_at).max()),
        float(np.maximum(x_below[1:] - y_at[:-1], y_below[1:] - x_at[:-1]).max(initial=0)),
        float(x_below[0]),
        float(y_below[0]),
        1.0 - float(y_at[-1]),
    )
    return bound + 1e-12  # equal sums of other floats may round one ulp apart


def ks_statistic(
    x: np.ndarray, y: np.ndarray, *, x_sorted: bool = False, y_sorted: bool = False
) -> float:
    r""":math:`\sup_t |F_x(t) - F_y(t)|` of two 1-D samples, evaluated (as scipy does) at
    every sample value with right-continuous empirical CDFs (ties count fully), as the same
    floats ``count_x / n_x - count_y / n_y``: one merge of the two sorted samples.
    ``x_sorted`` / ``y_sorted``: that sample is already sorted."""
    dtype = np.result_type(x, y)
    a = x.astype(dtype, copy=False) if x_sorted else np.sort(x.astype(dtype, copy=False))
    b = y.astype(dtype, copy=False) if y_sorted else np.sort(y.astype(dtype, copy=False))
    merged = np.concatenate([a, b])
    order = np.argsort(merged, kind="stable")  # merges two sorted runs; x first on ties
    count_x = np.cumsum((order < a.size).astype(np.int64))  # (a bool cumsum is 3x slower)
    count_y = np.arange(1, merged.size + 1) - count_x
    values = merged[order]
    last = np.empty(merged.size, dtype=bool)  # the last of each run of equal values
    np.not_equal(values[1:], values[:-1], out=last[:-1])
    last[-1] = True
    diff = count_x[last] / a.size - count_y[last] / b.size
    return float(np.abs(diff).max())


def _orthogonal(e, g, where) -> Verdict:
    def gram(w):
        m = w.reshape(w.shape[0], -1)
        return m @ m.T if m.shape[0] <= m.shape[1] else m.T @ m

    ge, gg = gram(e.astype(np.float64)), gram(g.astype(np.float64))
    err = float(np.abs(ge - gg).max())
    if err <= 1e-5 * max(1.0, float(np.abs(ge).max())):
        return Verdict(True)
    return Verdict(
        False,
        f"{where}: rows/columns are not orthonormal with the right gain "
        f"(max error of W W^T: {err:.3g})",
        {"max_abs_error": err},
    )


def _magnitude(expected, got, where) -> Verdict:
    """Relative errors: right if both are tiny (< 1e-6) or agree within a factor of 10."""
    e = np.atleast_1d(np.asarray(expected, dtype=np.float64))
    try:
        g = np.atleast_1d(np.asarray(got, dtype=np.float64))
    except (TypeError, ValueError):
        return Verdict(False, f"{where}: expected {len(e)} numbers, got {type(got).__name__}")
    if g.shape != e.shape:
        n = e.shape[0]
        return Verdict(False, f"{where}: wrong shape: expected {n} numbers, got shape {g.shape}")
    for i, (a, b) in enumerate(zip(e, g, strict=True)):
        tiny = a < 1e-6 and 0 <= b < 1e-6
        near = a > 0 and b > 0 and abs(np.log10(b / a)) < 1
        if not (tiny or near):
            reason = f"{where}[{i}]: wrong relative error: expected about {a:.3g}, got {b:.3g}"
            return Verdict(False, reason)
    return Verdict(True)
