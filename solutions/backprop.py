r"""Prologue: gradients you can trust.

Numerical gradient checking (central differences, relative error), reused by every later
chapter, by the tests and by the autograder; the running (exponential moving average) loss;
and a small MLP with a hand-written backward pass (the four backprop equations BP1-BP4).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

__worked_examples__ = ["numerical_gradient", "relative_error", "mlp_forward"]

#: Default central-difference step: about the cube root of float64 machine epsilon, which
#: balances truncation error O(h^2) against rounding error O(eps/h).
DEFAULT_STEP = 1e-6


def numerical_gradient(
    f: Callable[..., float],
    inputs: Sequence[np.ndarray],
    index: int = 0,
    *,
    h: float = DEFAULT_STEP,
) -> np.ndarray:
    r"""Central-difference gradient of a scalar function with respect to one input.

    .. math:: \frac{\partial f}{\partial x_i} \approx \frac{f(x + h e_i) - f(x - h e_i)}{2h}

    Args:
        f: called as ``f(*inputs)``; must return a scalar (anything ``float()`` accepts).
        inputs: the arguments of ``f``; ``inputs[index]`` must be a float array. It is
            perturbed in a float64 copy and restored, so callers' arrays are never modified.
        index: which input to differentiate with respect to.
        h: the step (> 0).

    Returns:
        An array of the shape of ``inputs[index]`` (float64).

    Example:
        >>> import numpy as np
        >>> g = numerical_gradient(lambda x: float((x ** 2).sum()), [np.array([1.0, -2.0])])
        >>> np.allclose(g, [2.0, -4.0])
        True
    """
    # book: begin body
    if not h > 0:
        raise ValueError(f"h must be > 0; got {h!r}")
    args = list(inputs)
    if not 0 <= index < len(args):
        raise IndexError(f"index must be in [0, {len(args) - 1}]; got {index}")
    x = np.array(args[index], dtype=np.float64)  # a copy we may perturb
    args[index] = x
    grad = np.zeros_like(x)
    flat_x, flat_g = x.reshape(-1), grad.reshape(-1)
    for i in range(flat_x.size):
        saved = flat_x[i]
        flat_x[i] = saved + h
        f_plus = float(f(*args))
        flat_x[i] = saved - h
        f_minus = float(f(*args))
        flat_x[i] = saved
        flat_g[i] = (f_plus - f_minus) / (2 * h)
    return grad


def relative_error(a: np.ndarray, b: np.ndarray, *, floor: float = 1e-8) -> float:
    r"""Largest element-wise relative error between two gradients.

    .. math:: \max_i \frac{|a_i - b_i|}{\max(|a_i| + |b_i|,\ \text{floor})}

    The floor keeps entries where both gradients are (numerically) zero from dividing by 0.
    Rules of thumb for float64 with central differences: < 1e-7 is right, > 1e-4 is a bug.

    Example:
        >>> relative_error(np.array([1.0, 2.0]), np.array([1.0, 2.0 + 1e-9])) < 1e-9
        True
    """
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    if a.shape != b.shape:
        raise ValueError(f"a and b must have the same shape; got {a.shape} and {b.shape}")
    if a.size == 0:
        return 0.0
    return float(np.max(np.abs(a - b) / np.maximum(np.abs(a) + np.abs(b), floor)))


def gradient_check(
    f: Callable[..., np.ndarray],
    f_backward: Callable[..., np.ndarray | tuple],
    inputs: Sequence[np.ndarray],
    *,
    wrt: Sequence[int] | None = None,
    kwargs: dict | None = None,
    h: float = DEFAULT_STEP,
    seed: int = 0,
) -> list[float]:
    r"""Check a hand-written backward against central differences of its forward.

    The forward may return any array; it is reduced to a scalar with a fixed random
    projection :math:`L = \sum_j r_j\, f(x)_j`, so the upstream gradient passed to
    ``f_backward`` is :math:`r` (a check with ``ones`` would miss errors that cancel).

    Args:
        f: forward, called as ``f(*inputs, **kwargs)``.
        f_backward: called as ``f_backward(r, *inputs, **kwargs)``; returns the gradient
            w.r.t. each differentiable input in signature order (a tuple if more than one).
        inputs: the positional arrays.
        wrt: indices of ``inputs`` that ``f_backward`` returns gradients for (in order);
            default: ``[0]``.
        kwargs: keyword arguments passed to ``f`` and ``f_backward``.
        h: the central-difference step of :func:`numerical_gradient` (its truncation
            error, :math:`O(h^2)`, is part of the returned errors).
        seed: seed of the projection ``r``.

    Returns:
        The :func:`relative_error` for each input in ``wrt``.
    """
    kwargs = kwargs or {}
    wrt = [0] if wrt is None else list(wrt)
    out = np.asarray(f(*inputs, **kwargs), dtype=np.float64)
    r = np.random.default_rng(seed).standard_normal(out.shape)

    def projected(*args):
        return float(np.sum(r * np.asarray(f(*args, **kwargs), dtype=np.float64)))

    analytic = f_backward(r, *inputs, **kwargs)
    if not isinstance(analytic, tuple):
        analytic = (analytic,)
    if len(analytic) != len(wrt):
        raise ValueError(f"f_backward returned {len(analytic)} gradients, expected {len(wrt)}")
    errors = []
    for grad, i in zip(analytic, wrt, strict=True):
        numeric = numerical_gradient(projected, inputs, i, h=h)
        errors.append(relative_error(np.asarray(grad), numeric))
    return errors


# --------------------------------------------------------------------------------------
# A small MLP with a hand-written backward pass (row-major batches, torch's nn.Linear layout)

ACTIVATIONS = ("sigmoid", "relu", "tanh")

Params = list[tuple[np.ndarray, np.ndarray]]


def _sigmoid(z: np.ndarray) -> np.ndarray:
    e = np.exp(-np.abs(z))  # never overflows; scipy.special.expit would cost ~0.3 s to import
    return np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def _activate(z: np.ndarray, activation: str) -> np.ndarray:
    if activation == "sigmoid":
        return _sigmoid(z)
    if activation == "tanh":
        return np.tanh(z)
    return np.maximum(z, 0.0)


def _activation_derivative(z: np.ndarray, activation: str) -> np.ndarray:
    r""":math:`\sigma'(z)`: :math:`\sigma(1-\sigma)`, :math:`1-\tanh^2`, :math:`[z > 0]`."""
    if activation == "sigmoid":
        s = _sigmoid(z)
        return s * (1.0 - s)
    if activation == "tanh":
        return 1.0 - np.tanh(z) ** 2
    return (z > 0).astype(z.dtype)  # torch's relu gradient at exactly 0 is 0


def _check_generator(generator, name: str = "generator") -> np.random.Generator:
    if not isinstance(generator, np.random.Generator):
        raise TypeError(
            f"{name} must be a numpy.random.Generator (e.g. numpy.random.default_rng(0)); "
            f"got {type(generator).__name__}"
        )
    return generator


def _check_count(value, name: str, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < minimum:
        raise ValueError(f"{name} must be an int >= {minimum}; got {value!r}")
    return int(value)


def mlp_init(layer_sizes: Sequence[int], generator: np.random.Generator) -> Params:
    r"""Parameters of an MLP with ``layer_sizes = [n_0, n_1, ..., n_L]``, as torch's ``nn.Linear``.

    .. math:: W^l \in \mathbb{R}^{n_l \times n_{l-1}},\ b^l \in \mathbb{R}^{n_l},\quad
              W^l_{jk},\ b^l_j \sim \mathcal{U}\!\left(-\tfrac{1}{\sqrt{n_{l-1}}},
              \tfrac{1}{\sqrt{n_{l-1}}}\right)

    (torch's default ``nn.Linear`` initialization: Kaiming uniform with ``a = sqrt(5)``).

    Args:
        layer_sizes: widths of the input, every hidden layer and the output (>= 2 entries).
        generator: a ``numpy.random.Generator``; the same seed gives the same parameters.

    Returns:
        ``[(W^1, b^1), ..., (W^L, b^L)]`` in float64.

    Example:
        >>> params = mlp_init([3, 4, 2], np.random.default_rng(0))
        >>> [(w.shape, b.shape) for w, b in params]
        [((4, 3), (4,)), ((2, 4), (2,))]
    """
    _check_generator(generator)
    sizes = list(layer_sizes)
    if len(sizes) < 2:
        raise ValueError(f"layer_sizes needs at least 2 entries (input, output); got {sizes}")
    for i, size in enumerate(sizes):
        _check_count(size, f"layer_sizes[{i}]", 1)
    params = []
    for fan_in, fan_out in zip(sizes[:-1], sizes[1:], strict=True):
        bound = 1.0 / np.sqrt(fan_in)
        weight = generator.uniform(-bound, bound, size=(fan_out, fan_in))
        bias = generator.uniform(-bound, bound, size=fan_out)
        params.append((weight, bias))
    return params


def _check_params(params) -> Params:
    checked = []
    for l, layer in enumerate(params, start=1):
        if not (isinstance(layer, (tuple, list)) and len(layer) == 2):
            raise TypeError(f"params[{l - 1}] must be a pair (W, b); got {type(layer).__name__}")
        weight = np.asarray(layer[0], dtype=np.float64)
        bias = np.asarray(layer[1], dtype=np.float64)
        if weight.ndim != 2 or bias.shape != weight.shape[:1]:
            raise ValueError(
                f"layer {l}: W must be (n_out, n_in) and b (n_out,); "
                f"got W{weight.shape}, b{bias.shape}"
            )
        if checked and weight.shape[1] != checked[-1][0].shape[0]:
            raise ValueError(
                f"layer {l}: W has {weight.shape[1]} inputs but layer {l - 1} has "
                f"{checked[-1][0].shape[0]} outputs"
            )
        checked.append((weight, bias))
    if not checked:
        raise ValueError("params must contain at least one layer")
    return checked


def mlp_forward(
    params: Params,
    x,
    activation: str = "sigmoid",
    *,
    activate_output: bool = True,
) -> tuple[np.ndarray, dict]:
    r"""Forward pass of an MLP on a batch of row vectors.

    .. math:: a^0 = x, \qquad z^l = a^{l-1} (W^l)^\top + b^l, \qquad a^l = \sigma(z^l)

    Row-major batch convention: ``x`` is (B, n_0), one example per row, so the column-vector
    :math:`z^l = W^l a^{l-1} + b^l` of the textbook becomes :math:`a^{l-1} (W^l)^\top + b^l`
    (what ``torch.nn.Linear`` computes). Everything is float64: this network exists to
    check gradients to ~1e-10.

    Args:
        params: ``[(W^1, b^1), ...]`` as from :func:`mlp_init`.
        x: (B, n_0).
        activation: :math:`\sigma`, one of ``"sigmoid"``, ``"relu"``, ``"tanh"``.
        activate_output: apply :math:`\sigma` to the last layer too (True, Nielsen's network
            with a quadratic cost); False leaves :math:`a^L = z^L` (logits for a softmax
            cross-entropy head).

    Returns:
        ``(a^L, cache)``; ``cache`` holds every :math:`z^l` and :math:`a^l` for the backward.

    Example:
        >>> params = [(np.array([[1.0, -1.0]]), np.array([0.5]))]
        >>> out, _ = mlp_forward(params, np.array([[2.0, 1.0]]), "relu")
        >>> out
        array([[1.5]])
    """
    # book: begin body
    layers = _check_params(params)
    if activation not in ACTIVATIONS:
        raise ValueError(f"activation must be one of {ACTIVATIONS}; got {activation!r}")
    a = np.asarray(x, dtype=np.float64)
    n_in = layers[0][0].shape[1]
    if a.ndim != 2 or a.shape[1] != n_in:
        raise ValueError(f"x must have shape (B, {n_in}) (row-major batch); got {a.shape}")
    activations, pre_activations = [a], []
    for l, (weight, bias) in enumerate(layers, start=1):
        z = a @ weight.T + bias
        is_output = l == len(layers)
        a = _activate(z, activation) if (activate_output or not is_output) else z
        pre_activations.append(z)
        activations.append(a)
    options = {"activation": activation, "activate_output": activate_output}
    return a, {"a": activations, "z": pre_activations, **options}


def mlp_backward(params: Params, cache: dict, grad_output) -> Params:
    r"""Backward pass of :func:`mlp_forward`: the four backpropagation equations.

    With :math:`\delta^l = \partial C / \partial z^l` (one row per example, row-major as in
    the forward) and :math:`\odot` the element-wise product:

    .. math::
        \begin{aligned}
        \text{(BP1)}\quad & \delta^L = \nabla_{a^L} C \odot \sigma'(z^L) \\
        \text{(BP2)}\quad & \delta^l = \big(\delta^{l+1} W^{l+1}\big) \odot \sigma'(z^l)
            \quad\big(\text{column form: } ((W^{l+1})^\top \delta^{l+1}) \odot \sigma'(z^l)\big) \\
        \text{(BP3)}\quad & \frac{\partial C}{\partial b^l} = \sum_{\text{batch}} \delta^l \\
        \text{(BP4)}\quad & \frac{\partial C}{\partial W^l} = (\delta^l)^\top a^{l-1}
            \quad\big(\text{column form: } \delta^l (a^{l-1})^\top\big)
        \end{aligned}

    BP3 says the bias gradient of *every* layer, hidden ones included, is that layer's own
    :math:`\delta^l` (for one example); the batch sums appear because the cost of a batch
    is the sum (or mean, already inside ``grad_output``) of per-example costs. Without an
    output activation (``activate_output=False``) BP1 is :math:`\delta^L = \nabla_{a^L} C`.

    Args:
        params: the parameters used in the forward.
        cache: the second return value of :func:`mlp_forward`.
        grad_output: :math:`\nabla_{a^L} C`, shape (B, n_L).

    Returns:
        ``[(dC/dW^1, dC/db^1), ..., (dC/dW^L, dC/db^L)]``, shaped like ``params``.
    """
    layers = _check_params(params)
    zs, activations = cache["z"], cache["a"]
    activation = cache["activation"]
    if len(zs) != len(layers):
        raise ValueError(f"cache is from a {len(zs)}-layer network; params has {len(layers)}")
    grad_a = np.asarray(grad_output, dtype=np.float64)
    if grad_a.shape != activations[-1].shape:
        raise ValueError(
            f"grad_output must have the output's shape {activations[-1].shape}; got {grad_a.shape}"
        )
    if cache["activate_output"]:
        delta = grad_a * _activation_derivative(zs[-1], activation)  # BP1
    else:
        delta = grad_a
    grads: Params = []
    for l in range(len(layers) - 1, -1, -1):
        grads.append((delta.T @ activations[l], delta.sum(axis=0)))  # BP4, BP3
        if l > 0:
            weight = layers[l][0]
            delta = (delta @ weight) * _activation_derivative(zs[l - 1], activation)  # BP2
    return grads[::-1]


def quadratic_cost(output, target) -> np.ndarray:
    r"""Quadratic cost averaged over the batch (Nielsen's :math:`C`).

    .. math:: C = \frac{1}{2B} \sum_{i=1}^{B} \lVert a^L_i - y_i \rVert^2

    (``F.mse_loss(output, target, reduction="sum") / (2 B)``.) Returns a 0-d array of the
    output's dtype (computed in float64).

    Example:
        >>> quadratic_cost(np.array([[1.0, 2.0]]), np.array([[0.0, 0.0]]))
        array(2.5)
    """
    a, y = _paired(output, target)
    return np.asarray(0.5 * np.sum((a - y) ** 2) / a.shape[0], dtype=_float_dtype(output))


def quadratic_cost_backward(grad_output, output, target) -> np.ndarray:
    r"""Gradient of :func:`quadratic_cost` w.r.t. the output: :math:`(a^L - y)/B`."""
    a, y = _paired(output, target)
    grad = np.asarray(grad_output, dtype=np.float64) * (a - y) / a.shape[0]
    return grad.astype(_float_dtype(output), copy=False)


def _float_dtype(x) -> np.dtype:
    """The input's floating dtype (float32 in, float32 out, as torch); float64 otherwise."""
    dtype = np.asarray(x).dtype
    return dtype if np.issubdtype(dtype, np.floating) else np.dtype(np.float64)


def _paired(output, target) -> tuple[np.ndarray, np.ndarray]:
    a = np.asarray(output, dtype=np.float64)
    y = np.asarray(target, dtype=np.float64)
    if a.ndim != 2 or a.shape != y.shape:
        raise ValueError(
            f"output and target must both be (B, n) with the same shape; got {a.shape}, {y.shape}"
        )
    return a, y


def softmax_cross_entropy(logits, target) -> np.ndarray:
    r"""Mean softmax cross-entropy of integer class labels (``F.cross_entropy`` defaults).

    .. math:: C = \frac{1}{B}\sum_{i=1}^B \Big(\log \sum_k e^{z_{ik}} - z_{i, y_i}\Big)

    computed with log-sum-exp, so it is finite for any finite logits. Returns a 0-d array of
    the logits' dtype (computed in float64).

    Example:
        >>> float(softmax_cross_entropy(np.zeros((1, 4)), np.array([2])).round(4))
        1.3863
    """
    z, labels = _logits_and_labels(logits, target)
    shift = z.max(axis=1)
    log_norm = shift + np.log(np.exp(z - shift[:, None]).sum(axis=1))
    loss = np.mean(log_norm - z[np.arange(len(z)), labels])
    return np.asarray(loss, dtype=_float_dtype(logits))


def softmax_cross_entropy_backward(grad_output, logits, target) -> np.ndarray:
    r"""Gradient of :func:`softmax_cross_entropy` w.r.t. the logits.

    .. math:: \frac{\partial C}{\partial z_{ik}} = \frac{1}{B}\big(\mathrm{softmax}(z_i)_k
              - [k = y_i]\big)

    (every wrong class gets :math:`+\mathrm{softmax}(z_i)_k`, not 0).
    """
    z, labels = _logits_and_labels(logits, target)
    grad = z - z.max(axis=1, keepdims=True)  # one new array, then updated in place
    np.exp(grad, out=grad)
    grad /= grad.sum(axis=1, keepdims=True)  # softmax(z)
    grad[np.arange(len(z)), labels] -= 1.0
    grad *= np.asarray(grad_output, dtype=np.float64) / len(z)
    return grad.astype(_float_dtype(logits), copy=False)


def _logits_and_labels(logits, target) -> tuple[np.ndarray, np.ndarray]:
    z = np.asarray(logits, dtype=np.float64)
    labels = np.asarray(target)
    if z.ndim != 2 or labels.shape != z.shape[:1]:
        raise ValueError(f"logits must be (B, C) and target (B,); got {z.shape} and {labels.shape}")
    if not np.issubdtype(labels.dtype, np.integer):
        raise TypeError(f"target must hold integer class indices; got dtype {labels.dtype}")
    if labels.size and (labels.min() < 0 or labels.max() >= z.shape[1]):
        raise IndexError(
            f"target must be in [0, {z.shape[1] - 1}]; got values in "
            f"[{labels.min()}, {labels.max()}]"
        )
    return z, labels


# --------------------------------------------------------------------------------------
# Training-loop bookkeeping: running loss, mini-batches, train/validation split


#: Steps per block of :func:`_linear_recurrence`: a 64 x 64 matrix product per block.
RECURRENCE_BLOCK = 64


def _linear_recurrence(x: np.ndarray, decay: float, gain: float = 1.0) -> np.ndarray:
    r""":math:`s_t = d\, s_{t-1} + g\, x_t` with :math:`s_0 = 0`, for a 1-d float64 ``x``.

    A Python loop over 1e6 steps takes ~0.5 s, so the steps are cut into blocks of
    :math:`K`: inside block :math:`b`,
    :math:`s_{bK+k} = d^{k+1} c_{b-1} + g \sum_{j \le k} d^{k-j} x_{bK+j}`, where the block
    ends :math:`c_b = d^K c_{b-1} + g \sum_j d^{K-1-j} x_{bK+j}` obey the same recurrence
    with decay :math:`d^K` (solved by this function). Both sums are matrix products.
    """
    k = RECURRENCE_BLOCK
    if len(x) <= k:
        out, s = np.empty_like(x), 0.0
        for t, value in enumerate(x.tolist()):
            s = decay * s + gain * value
            out[t] = s
        return out
    # row b holds [c_{b-1}, x_{bK}, ..., x_{bK+K-1}], the last row zero-padded
    full, rest = divmod(len(x), k)
    rows = np.zeros((full + (rest > 0), k + 1))
    rows[:full, 1:] = x[: full * k].reshape(full, k)
    rows[full:, 1 : 1 + rest] = x[full * k :]
    lag = np.arange(k)[:, None] - np.arange(k)[None, :]
    weights = gain * np.where(lag >= 0, decay ** np.maximum(lag, 0), 0.0)  # g d^(k-j)
    rows[1:, 0] = _linear_recurrence(rows[:, 1:] @ weights[-1], decay**k)[:-1]
    step_matrix = np.vstack([decay ** np.arange(1, k + 1), weights.T])  # (K+1, K)
    return (rows @ step_matrix).reshape(-1)[: len(x)]


def running_loss(losses, beta: float = 0.9, bias_correction: bool = False) -> np.ndarray:
    r"""Exponential moving average of a sequence of losses (the course's running loss).

    .. math::
        s_0 = 0, \qquad s_t = \beta\, s_{t-1} + (1-\beta)\, L_t
        = (1-\beta)\sum_{k=1}^{t} \beta^{t-k} L_k, \qquad
        \hat s_t = \frac{s_t}{1 - \beta^t}

    The weights :math:`(1-\beta)\beta^{t-k}` sum to :math:`1-\beta^t`, not 1, so the raw
    average starts biased towards 0; the bias correction divides by exactly that sum (the
    same correction as Adam's moments). The corrected average is a weighted mean, so
    shifting every loss by :math:`L_1` shifts it by :math:`L_1`: it is computed as
    :math:`\hat s_t = L_1 + \widehat{(L - L_1)}_t`, which makes a constant loss come out
    exactly constant in floating point, from the first step.

    Args:
        losses: 1-d sequence of per-step losses :math:`L_1, \ldots, L_T`.
        beta: smoothing, in [0, 1); ``beta=0`` returns the losses unchanged.
        bias_correction: return :math:`\hat s_t` instead of :math:`s_t`.

    Returns:
        float64 array of :math:`s_1, \ldots, s_T` (or :math:`\hat s_t`).

    Example:
        >>> running_loss([1.0, 1.0], beta=0.5)
        array([0.5 , 0.75])
        >>> running_loss([1.0, 1.0], beta=0.5, bias_correction=True)
        array([1., 1.])
    """
    values = np.asarray(losses, dtype=np.float64)
    if values.ndim != 1:
        raise ValueError(f"losses must be a 1-d sequence; got shape {values.shape}")
    if isinstance(beta, bool) or not 0.0 <= beta < 1.0:
        raise ValueError(f"beta must be in [0, 1); got {beta!r}")
    if beta == 0.0 or values.size == 0:
        return values.copy()
    if not bias_correction:
        return _linear_recurrence(values, beta, 1.0 - beta)
    corrected = _linear_recurrence(values - values[0], beta, 1.0 - beta)
    # beta^t <= exp(-t (1 - beta)) < 1e-17 after 40 / (1 - beta) steps: 1 - beta^t is then 1.0
    warm_up = min(values.size, int(np.ceil(40 / (1.0 - beta))))
    steps = np.arange(1, warm_up + 1)
    corrected[:warm_up] /= -np.expm1(steps * np.log(beta))  # 1 - beta^t, exact near beta = 1
    corrected += values[0]
    return corrected


def iterate_minibatches(
    n: int,
    batch_size: int,
    generator: np.random.Generator | None,
    shuffle: bool = True,
    drop_last: bool = False,
):
    r"""Yield the index arrays of one epoch of mini-batches over ``n`` examples.

    One epoch visits every index exactly once: a permutation of :math:`0..n-1` (or the
    identity when ``shuffle=False``) cut into :math:`\lceil n/b \rceil` batches of
    ``batch_size`` :math:`b`, the last one smaller, or :math:`\lfloor n/b \rfloor` full
    batches with ``drop_last=True`` (torch ``DataLoader``/``BatchSampler`` semantics).

    Args:
        n: number of examples (>= 0).
        batch_size: >= 1.
        generator: a ``numpy.random.Generator`` (needed when ``shuffle``; may be ``None``
            otherwise). Call again for the next epoch: the generator advances.
        shuffle: visit the examples in a random order.
        drop_last: skip the final incomplete batch.

    Example:
        >>> [b.tolist() for b in iterate_minibatches(5, 2, None, shuffle=False)]
        [[0, 1], [2, 3], [4]]
    """
    n = _check_count(n, "n", 0)
    batch_size = _check_count(batch_size, "batch_size", 1)
    if shuffle:
        order = _check_generator(generator, "generator (needed when shuffle=True)").permutation(n)
    else:
        order = np.arange(n)
    stop = n - n % batch_size if drop_last else n
    for start in range(0, stop, batch_size):
        yield order[start : start + batch_size]


def train_val_split(
    n: int, val_fraction: float, generator: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    r"""Random split of ``range(n)`` into training and validation indices.

    :math:`n_\text{val} = \lceil f\, n \rceil` and :math:`n_\text{train} = n - n_\text{val}`,
    the sizes ``sklearn.model_selection.train_test_split(test_size=f)`` uses. The
    validation set is what hyperparameters and early stopping are tuned on; a separate,
    untouched test set is what measures the final model.

    Args:
        n: number of examples.
        val_fraction: :math:`f \in (0, 1)`.
        generator: a ``numpy.random.Generator``.

    Returns:
        ``(train_indices, val_indices)``: disjoint, together a permutation of ``range(n)``.

    Example:
        >>> train, val = train_val_split(10, 0.25, np.random.default_rng(0))
        >>> len(train), len(val), sorted([*train, *val]) == list(range(10))
        (7, 3, True)
    """
    n = _check_count(n, "n", 1)
    if isinstance(val_fraction, bool) or not 0.0 < val_fraction < 1.0:
        raise ValueError(f"val_fraction must be in (0, 1); got {val_fraction!r}")
    _check_generator(generator)
    n_val = int(np.ceil(val_fraction * n))
    if n_val >= n:
        raise ValueError(
            f"With n={n} and val_fraction={val_fraction} the training set would be empty; "
            "use a smaller val_fraction or more examples"
        )
    order = generator.permutation(n)
    return order[n_val:], order[:n_val]
