r"""Chapter 1: initialization.

In-place initializers that mirror ``torch.nn.init`` on numpy arrays. Each filler takes the
array first, fills it and returns it; random ones take ``generator``, a
``numpy.random.Generator`` (``None`` draws a fresh one from OS entropy, as torch's ``None``
uses its global generator).

Weights follow torch's layout: a linear weight is ``(out_features, in_features)`` and a
convolution weight ``(out_channels, in_channels, *kernel)``, so ``fan_in`` and ``fan_out`` are
read from dimensions 1 and 0 times the receptive field (the product of the kernel sizes).

The variances, for a layer with :math:`n_\text{in}` inputs and :math:`n_\text{out}` outputs:

- LeCun: :math:`\operatorname{Var}(W) = 1/n_\text{in}` (keeps the forward variance of a
  linear layer). This is the :math:`N(0, 1/n)` rule some notes wrongly call "Xavier".
- Xavier/Glorot: :math:`\operatorname{Var}(W) = 2/(n_\text{in} + n_\text{out})`, a compromise
  between the forward (:math:`1/n_\text{in}`) and backward (:math:`1/n_\text{out}`) conditions;
  uniform bound :math:`\text{gain}\sqrt{6/(n_\text{in} + n_\text{out})}`.
- Kaiming/He: :math:`\operatorname{Var}(W) = \text{gain}^2/n_\text{mode}`, with
  :math:`\text{gain}^2 = 2/(1 + a^2)` for a (leaky) ReLU of negative slope :math:`a`.

Deliberate differences from torch: every filler refuses integer and read-only arrays
(torch fills integer tensors, truncating values); ``sparse_`` checks that ``sparsity`` is in
[0, 1] (torch silently zeroes the wrong rows for a negative sparsity); ``trunc_normal_`` samples
by the exact inverse CDF, so it needs no warning when the mean lies far outside ``[a, b]``.
"""

from __future__ import annotations

import math
import warnings

import numpy as np
from scipy.special import log_ndtr, ndtri_exp

__worked_examples__ = ["calculate_fan_in_and_fan_out", "uniform_", "xavier_uniform_"]

#: ``nn.functional`` names whose recommended gain is 1 (no nonlinearity).
LINEAR_FUNCTIONS = (
    "linear",
    "conv1d",
    "conv2d",
    "conv3d",
    "conv_transpose1d",
    "conv_transpose2d",
    "conv_transpose3d",
)
NONLINEARITIES = (*LINEAR_FUNCTIONS, "sigmoid", "tanh", "relu", "leaky_relu", "selu")
#: torch's default negative slope for ``calculate_gain("leaky_relu")`` without ``param``.
DEFAULT_LEAKY_SLOPE = 0.01
FAN_MODES = ("fan_in", "fan_out")


# ----------------------------------------------------------------------------- validation


def _check_fillable(array, name: str = "array") -> np.ndarray:
    """An initializer writes into ``array``: it must be a writeable float numpy array."""
    if not isinstance(array, np.ndarray):
        raise TypeError(f"{name} must be a numpy.ndarray, got {type(array).__name__}")
    if not np.issubdtype(array.dtype, np.floating):
        raise TypeError(
            f"{name} must have a floating dtype (float16/32/64) to hold weights, "
            f"got dtype {array.dtype}"
        )
    if not array.flags.writeable:
        raise ValueError(f"{name} is read-only; initializers fill it in place")
    return array


def _rng(generator) -> np.random.Generator:
    if generator is None:
        return np.random.default_rng()
    if not isinstance(generator, np.random.Generator):
        raise TypeError(
            f"generator must be a numpy.random.Generator or None, got {type(generator).__name__}"
        )
    return generator


# ----------------------------------------------------------------------------- gains and fans


def calculate_gain(nonlinearity: str, param: int | float | None = None) -> float:
    r"""Recommended gain for a nonlinearity (as ``torch.nn.init.calculate_gain``).

    .. math::
        \text{gain} = \begin{cases}
            1 & \text{linear, conv*, conv\_transpose*, sigmoid} \\
            5/3 & \text{tanh} \\
            \sqrt{2} & \text{relu} \\
            \sqrt{2 / (1 + a^2)} & \text{leaky\_relu with negative slope } a \\
            3/4 & \text{selu}
        \end{cases}

    The gain is the factor by which to scale a unit-variance-preserving initialization so
    that the nonlinearity does not shrink the signal: :math:`1/E[f(z)^2]` for ReLU is 2.

    Args:
        nonlinearity: an ``nn.functional`` name from :data:`NONLINEARITIES`.
        param: negative slope for ``"leaky_relu"`` (default 0.01); an int or a float, not a
            bool. Ignored for the other names.

    Example:
        >>> round(calculate_gain("leaky_relu", 0.2), 6)
        1.38675
    """
    if nonlinearity in LINEAR_FUNCTIONS or nonlinearity == "sigmoid":
        return 1.0
    if nonlinearity == "tanh":
        return 5.0 / 3
    if nonlinearity == "relu":
        return math.sqrt(2.0)
    if nonlinearity == "leaky_relu":
        if param is None:
            negative_slope = DEFAULT_LEAKY_SLOPE
        elif (isinstance(param, int) and not isinstance(param, bool)) or isinstance(param, float):
            negative_slope = param
        else:
            raise ValueError(
                f"negative_slope {param!r} not a valid number: param must be an int or a float"
            )
        return math.sqrt(2.0 / (1 + negative_slope**2))
    if nonlinearity == "selu":
        return 3.0 / 4  # found empirically by torch (pytorch/pytorch#50664)
    raise ValueError(f"Unsupported nonlinearity {nonlinearity!r}; allowed: {NONLINEARITIES}")


def _calculate_fan_in_and_fan_out(array) -> tuple[int, int]:
    r"""Fan-in and fan-out of a weight of shape ``(out, in, *kernel)``.

    .. math::
        n_\text{in} = \text{in} \cdot \prod_k \text{kernel}_k, \qquad
        n_\text{out} = \text{out} \cdot \prod_k \text{kernel}_k

    Args:
        array: anything with a shape of at least 2 dimensions (a linear ``(out, in)`` or a
            convolution ``(out, in, k1, ...)`` weight).

    Example:
        >>> _calculate_fan_in_and_fan_out(np.empty((16, 3, 5, 5)))
        (75, 400)
    """
    shape = np.shape(array)
    if len(shape) < 2:
        raise ValueError(
            "Fan in and fan out can not be computed for tensor with fewer than 2 dimensions "
            f"(got array of shape {shape})"
        )
    receptive_field_size = math.prod(shape[2:])
    fan_in = shape[1] * receptive_field_size
    fan_out = shape[0] * receptive_field_size
    return fan_in, fan_out


calculate_fan_in_and_fan_out = _calculate_fan_in_and_fan_out


def _calculate_correct_fan(array, mode: str) -> int:
    if not isinstance(mode, str) or mode.lower() not in FAN_MODES:
        raise ValueError(f"Mode {mode!r} not supported, please use one of {list(FAN_MODES)}")
    fan_in, fan_out = _calculate_fan_in_and_fan_out(array)
    return fan_in if mode.lower() == "fan_in" else fan_out


# ----------------------------------------------------------------------------- plain fillers


def uniform_(
    array: np.ndarray, a: float = 0.0, b: float = 1.0, generator=None
) -> np.ndarray:
    r"""Fill ``array`` with samples of :math:`\mathcal{U}(a, b)`.

    .. math:: w = a + (b - a)\,u, \qquad u \sim \mathcal{U}[0, 1)

    Args:
        array: float array of any shape, filled in place.
        a, b: the bounds (``a <= b``).
        generator: a ``numpy.random.Generator`` or ``None``.

    Example:
        >>> w = uniform_(np.empty((2, 3)), -1.0, 1.0, np.random.default_rng(0))
        >>> bool((np.abs(w) <= 1).all())
        True
    """
    _check_fillable(array)
    if not a <= b:
        raise ValueError(f"uniform_ expects a <= b (a [a, b) range); got a={a}, b={b}")
    array[...] = _rng(generator).uniform(a, b, size=array.shape)
    return array


def normal_(array: np.ndarray, mean: float = 0.0, std: float = 1.0, generator=None) -> np.ndarray:
    r"""Fill ``array`` with samples of :math:`\mathcal{N}(\text{mean}, \text{std}^2)`.

    Args:
        array: float array of any shape, filled in place.
        mean: the mean; std: the standard deviation (``>= 0``).
        generator: a ``numpy.random.Generator`` or ``None``.

    Example:
        >>> normal_(np.empty(3), 0.0, 0.0).tolist()
        [0.0, 0.0, 0.0]
    """
    _check_fillable(array)
    if not std >= 0:
        raise ValueError(f"normal_ expects std >= 0.0, got std={std}")
    array[...] = _rng(generator).normal(mean, std, size=array.shape)
    return array


def trunc_normal_(
    array: np.ndarray,
    mean: float = 0.0,
    std: float = 1.0,
    a: float = -2.0,
    b: float = 2.0,
    generator=None,
) -> np.ndarray:
    r"""Fill ``array`` with samples of :math:`\mathcal{N}(\text{mean}, \text{std}^2)` truncated to
    :math:`[a, b]`.

    Sampled by the inverse CDF: with :math:`\alpha = (a - \mu)/\sigma`,
    :math:`\beta = (b - \mu)/\sigma` and :math:`u \sim \mathcal{U}[0, 1)`,

    .. math:: w = \mu + \sigma\, \Phi^{-1}\big(\Phi(\alpha) + u\,(\Phi(\beta) - \Phi(\alpha))\big)

    evaluated with :math:`\log\Phi` in the lower tail (an interval in the upper tail is
    mirrored), so even :math:`[a, b] = [10\sigma, 11\sigma]` is sampled exactly where
    rejection sampling (redraw until inside) would loop for ages. Note: ``a`` and ``b`` are
    absolute bounds, not multiples of ``std`` (as in torch).

    Args:
        array: float array of any shape, filled in place.
        mean, std: of the untruncated normal (``std > 0``).
        a, b: the cut-offs (``a < b``).
        generator: a ``numpy.random.Generator`` or ``None``.

    Example:
        >>> w = trunc_normal_(np.empty(1000), generator=np.random.default_rng(0))
        >>> bool((w >= -2).all() and (w <= 2).all())
        True
    """
    _check_fillable(array)
    if not std > 0:
        raise ValueError(f"trunc_normal_ expects std > 0, got std={std}")
    if not a < b:
        raise ValueError(f"trunc_normal_ expects a < b, got a={a}, b={b}")
    alpha, beta = (a - mean) / std, (b - mean) / std
    mirrored = alpha + beta > 0  # the interval lies mostly in the upper tail: sample -z
    lo, hi = (-beta, -alpha) if mirrored else (alpha, beta)
    log_cdf_lo, log_cdf_hi = log_ndtr(lo), log_ndtr(hi)
    u = _rng(generator).random(array.shape)
    # log(Φ(lo) + u (Φ(hi) - Φ(lo))), written so that nothing underflows to log(0)
    log_p = log_cdf_hi + np.log(u + (1 - u) * np.exp(log_cdf_lo - log_cdf_hi))
    z = np.clip(ndtri_exp(log_p), lo, hi)
    array[...] = np.clip(mean + std * (-z if mirrored else z), a, b)
    return array


def constant_(array: np.ndarray, val: float) -> np.ndarray:
    r"""Fill ``array`` with the value ``val``: :math:`w = \text{val}`.

    Example:
        >>> constant_(np.empty(2), 0.3).tolist()
        [0.3, 0.3]
    """
    _check_fillable(array)
    array.fill(val)
    return array


def ones_(array: np.ndarray) -> np.ndarray:
    r"""Fill ``array`` with ones: :math:`w = 1`.

    Example:
        >>> ones_(np.empty(2)).tolist()
        [1.0, 1.0]
    """
    return constant_(array, 1.0)


def zeros_(array: np.ndarray) -> np.ndarray:
    r"""Fill ``array`` with zeros: :math:`w = 0`.

    Example:
        >>> zeros_(np.empty(2)).tolist()
        [0.0, 0.0]
    """
    return constant_(array, 0.0)


def eye_(array: np.ndarray) -> np.ndarray:
    r"""Fill a 2-D ``array`` with the (rectangular) identity: :math:`w_{ij} = [i = j]`.

    A linear layer so initialized passes through as many of its inputs as it can.

    Example:
        >>> eye_(np.empty((2, 3))).tolist()
        [[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]]
    """
    _check_fillable(array)
    if array.ndim != 2:
        raise ValueError(
            f"Only tensors with 2 dimensions are supported; got array of shape {array.shape}"
        )
    array.fill(0)
    np.fill_diagonal(array, 1)
    return array


def dirac_(array: np.ndarray, groups: int = 1) -> np.ndarray:
    r"""Fill a 3-, 4- or 5-D convolution weight with the Dirac delta (identity convolution).

    .. math::
        w_{g m + d,\, d,\, \lfloor k_1/2 \rfloor, \dots} = 1
        \quad \text{for } g < \text{groups},\ d < \min(m, \text{in}), \qquad 0 \text{ elsewhere}

    with :math:`m = \text{out}/\text{groups}` output channels per group: each group passes
    its first :math:`\min(m, \text{in})` input channels through unchanged.

    Args:
        array: ``(out, in, k1[, k2[, k3]])`` float array, filled in place.
        groups: number of convolution groups; must divide ``out``.

    Example:
        >>> dirac_(np.empty((2, 2, 3)))[:, :, 1].tolist()
        [[1.0, 0.0], [0.0, 1.0]]
    """
    _check_fillable(array)
    if array.ndim not in (3, 4, 5):
        raise ValueError(
            "Only tensors with 3, 4, or 5 dimensions are supported; "
            f"got array of shape {array.shape}"
        )
    if not isinstance(groups, (int, np.integer)) or groups < 1 or array.shape[0] % groups:
        raise ValueError(
            f"dim 0 must be divisible by groups: got groups={groups!r} for "
            f"dim 0 of size {array.shape[0]}"
        )
    out_chans_per_group = array.shape[0] // groups
    identity_chans = np.arange(min(out_chans_per_group, array.shape[1]))
    centre = tuple(k // 2 for k in array.shape[2:])
    array.fill(0)
    for g in range(groups):
        array[(g * out_chans_per_group + identity_chans, identity_chans, *centre)] = 1
    return array


# ----------------------------------------------------------------------------- scaled fillers


def xavier_uniform_(array: np.ndarray, gain: float = 1.0, generator=None) -> np.ndarray:
    r"""Xavier/Glorot uniform: :math:`\mathcal{U}(-a, a)` with

    .. math::
        a = \text{gain} \sqrt{\frac{6}{n_\text{in} + n_\text{out}}},
        \qquad \operatorname{Var}(w) = \frac{a^2}{3}
        = \text{gain}^2 \frac{2}{n_\text{in} + n_\text{out}}

    Args:
        array: weight of at least 2 dimensions ``(out, in, *kernel)``, filled in place.
        gain: scale factor, e.g. :func:`calculate_gain`.
        generator: a ``numpy.random.Generator`` or ``None``.

    Example:
        >>> w = xavier_uniform_(np.empty((100, 300)), generator=np.random.default_rng(0))
        >>> bool(np.abs(w).max() <= np.sqrt(6 / 400))
        True
    """
    fan_in, fan_out = _calculate_fan_in_and_fan_out(array)
    std = gain * math.sqrt(2.0 / float(fan_in + fan_out))
    bound = math.sqrt(3.0) * std  # U(-a, a) has variance a^2 / 3
    return uniform_(array, -bound, bound, generator)


def xavier_normal_(array: np.ndarray, gain: float = 1.0, generator=None) -> np.ndarray:
    r"""Xavier/Glorot normal: :math:`\mathcal{N}(0, \sigma^2)` with

    .. math:: \sigma = \text{gain} \sqrt{\frac{2}{n_\text{in} + n_\text{out}}}

    Args:
        array: weight of at least 2 dimensions ``(out, in, *kernel)``, filled in place.
        gain: scale factor, e.g. :func:`calculate_gain`.
        generator: a ``numpy.random.Generator`` or ``None``.

    Example:
        >>> w = xavier_normal_(np.empty((200, 200)), generator=np.random.default_rng(0))
        >>> bool(abs(w.std() - np.sqrt(2 / 400)) < 0.002)
        True
    """
    fan_in, fan_out = _calculate_fan_in_and_fan_out(array)
    std = gain * math.sqrt(2.0 / float(fan_in + fan_out))
    return normal_(array, 0.0, std, generator)


def _kaiming_std(array, a: float, mode: str, nonlinearity: str) -> float:
    fan = _calculate_correct_fan(array, mode)
    return calculate_gain(nonlinearity, a) / math.sqrt(fan)


def kaiming_uniform_(
    array: np.ndarray,
    a: float = 0,
    mode: str = "fan_in",
    nonlinearity: str = "leaky_relu",
    generator=None,
) -> np.ndarray:
    r"""Kaiming/He uniform: :math:`\mathcal{U}(-\text{bound}, \text{bound})` with

    .. math:: \text{bound} = \text{gain} \sqrt{\frac{3}{n_\text{mode}}}, \qquad
        \text{gain} = \texttt{calculate\_gain}(\text{nonlinearity}, a)

    ``mode="fan_in"`` preserves the variance of the activations in the forward pass,
    ``"fan_out"`` that of the gradients in the backward pass.

    Args:
        array: weight of at least 2 dimensions ``(out, in, *kernel)``, filled in place.
            A zero-element array is left as is (with a warning, like torch).
        a: negative slope of the leaky ReLU that follows (used with ``"leaky_relu"`` only).
        mode: ``"fan_in"`` (default) or ``"fan_out"`` (case-insensitive).
        nonlinearity: an ``nn.functional`` name, best ``"relu"`` or ``"leaky_relu"``.
        generator: a ``numpy.random.Generator`` or ``None``.

    Example:
        >>> w = kaiming_uniform_(np.empty((64, 50)), nonlinearity="relu")
        >>> bool(np.abs(w).max() <= np.sqrt(2) * np.sqrt(3 / 50))
        True
    """
    _check_fillable(array)
    if array.size == 0:
        warnings.warn("Initializing zero-element tensors is a no-op", stacklevel=2)
        return array
    bound = math.sqrt(3.0) * _kaiming_std(array, a, mode, nonlinearity)
    return uniform_(array, -bound, bound, generator)


def kaiming_normal_(
    array: np.ndarray,
    a: float = 0,
    mode: str = "fan_in",
    nonlinearity: str = "leaky_relu",
    generator=None,
) -> np.ndarray:
    r"""Kaiming/He normal: :math:`\mathcal{N}(0, \sigma^2)` with

    .. math:: \sigma = \frac{\text{gain}}{\sqrt{n_\text{mode}}}, \qquad
        \text{gain} = \texttt{calculate\_gain}(\text{nonlinearity}, a)

    Args: as :func:`kaiming_uniform_`.

    Example:
        >>> w = kaiming_normal_(np.empty((400, 100)), nonlinearity="relu",
        ...                     generator=np.random.default_rng(0))
        >>> bool(abs(w.std() - np.sqrt(2 / 100)) < 0.003)
        True
    """
    _check_fillable(array)
    if array.size == 0:
        warnings.warn("Initializing zero-element tensors is a no-op", stacklevel=2)
        return array
    return normal_(array, 0.0, _kaiming_std(array, a, mode, nonlinearity), generator)


def lecun_uniform_(array: np.ndarray, generator=None) -> np.ndarray:
    r"""LeCun uniform (not in torch): :math:`\mathcal{U}(-a, a)` with

    .. math:: a = \sqrt{\frac{3}{n_\text{in}}}, \qquad \operatorname{Var}(w) = \frac{1}{n_\text{in}}

    (LeCun et al., *Efficient BackProp*, 1998). Same as
    ``kaiming_uniform_(array, nonlinearity="linear")``; Keras' ``lecun_uniform`` agrees.

    Example:
        >>> w = lecun_uniform_(np.empty((10, 12)), np.random.default_rng(0))
        >>> bool(np.abs(w).max() <= 0.5)
        True
    """
    fan_in, _ = _calculate_fan_in_and_fan_out(array)
    bound = math.sqrt(3.0 / fan_in)
    return uniform_(array, -bound, bound, generator)


def lecun_normal_(array: np.ndarray, generator=None) -> np.ndarray:
    r"""LeCun normal (not in torch): :math:`\mathcal{N}(0, 1/n_\text{in})`.

    .. math:: \sigma = \frac{1}{\sqrt{n_\text{in}}}

    The plain normal of LeCun et al. (1998), as ``kaiming_normal_(array,
    nonlinearity="linear")``. (Keras/JAX ``lecun_normal`` draws a normal truncated at two
    standard deviations and rescaled to the same variance.) With SELU this is the
    initialization of self-normalizing networks.

    Example:
        >>> w = lecun_normal_(np.empty((500, 100)), np.random.default_rng(0))
        >>> bool(abs(w.var() - 1 / 100) < 0.0005)
        True
    """
    fan_in, _ = _calculate_fan_in_and_fan_out(array)
    return normal_(array, 0.0, 1.0 / math.sqrt(fan_in), generator)


# ----------------------------------------------------------------------------- structured fillers


def orthogonal_(array: np.ndarray, gain: float = 1.0, generator=None) -> np.ndarray:
    r"""Fill ``array`` with a (semi-)orthogonal matrix times ``gain`` (Saxe et al., 2013).

    The array is viewed as ``rows = shape[0]`` by ``cols = size / rows``. With
    :math:`A \sim \mathcal{N}(0, 1)^{\max \times \min}` and :math:`A = QR`,

    .. math:: W = \text{gain} \cdot Q \operatorname{diag}(\operatorname{sign} R_{ii})
        \quad (\text{transposed when rows} < \text{cols})

    The sign fix makes :math:`Q` Haar-distributed (Mezzadri, 2007). Then
    :math:`W W^\top = \text{gain}^2 I` if rows :math:`\le` cols, else
    :math:`W^\top W = \text{gain}^2 I`. The QR is computed in float64.

    Args:
        array: at least 2-D float array, filled in place (trailing dimensions flattened).
        gain: scale factor.
        generator: a ``numpy.random.Generator`` or ``None``.

    Example:
        >>> w = orthogonal_(np.empty((3, 5)), generator=np.random.default_rng(0))
        >>> np.allclose(w @ w.T, np.eye(3))
        True
    """
    _check_fillable(array)
    if array.ndim < 2:
        raise ValueError(
            "Only tensors with 2 or more dimensions are supported; "
            f"got array of shape {array.shape}"
        )
    if array.size == 0:
        return array
    rows = array.shape[0]
    cols = array.size // rows
    flattened = _rng(generator).standard_normal((rows, cols))
    if rows < cols:
        flattened = flattened.T
    q, r = np.linalg.qr(flattened)
    q *= np.sign(np.diag(r))
    if rows < cols:
        q = q.T
    array[...] = (gain * q).reshape(array.shape)
    return array


def sparse_(array: np.ndarray, sparsity: float, std: float = 0.01, generator=None) -> np.ndarray:
    r"""Fill a 2-D ``array`` with :math:`\mathcal{N}(0, \text{std}^2)` and zero a fraction of
    each column (Martens, 2010).

    Exactly :math:`\lceil \text{sparsity} \cdot \text{rows} \rceil` entries of every column,
    at rows chosen uniformly without replacement (independently per column), are set to 0.

    Args:
        array: ``(rows, cols)`` float array, filled in place.
        sparsity: fraction of each column set to zero, in [0, 1].
        std: standard deviation of the non-zero values.
        generator: a ``numpy.random.Generator`` or ``None``.

    Example:
        >>> w = sparse_(np.empty((10, 4)), 0.3, generator=np.random.default_rng(0))
        >>> (w == 0).sum(axis=0).tolist()
        [3, 3, 3, 3]
    """
    _check_fillable(array)
    if array.ndim != 2:
        raise ValueError(
            f"Only tensors with 2 dimensions are supported; got array of shape {array.shape}"
        )
    if not 0 <= sparsity <= 1:
        raise ValueError(f"sparsity must be in [0, 1]; got {sparsity!r}")
    rng = _rng(generator)
    rows, cols = array.shape
    num_zeros = math.ceil(sparsity * rows)
    values = rng.normal(0.0, std, size=(rows, cols))
    row_order = rng.permuted(np.broadcast_to(np.arange(rows)[:, None], (rows, cols)), axis=0)
    values[row_order[:num_zeros], np.arange(cols)] = 0.0
    array[...] = values
    return array
