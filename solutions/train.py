r"""Chapter 9: putting it together. A multilayer perceptron trained with the course's parts.

Nothing new is computed here: every forward and backward, initializer, optimizer, scheduler,
regularizer and metric comes from the other modules of the package; this module wires them
into a model, a training step and a training loop.

The model (:class:`MLP`), with weights in torch's ``(out, in)`` layout, ``linear(x) = x W^T
+ b``:

- **plain**: ``depth`` hidden layers :math:`h \leftarrow \operatorname{dropout}(\phi(
  \operatorname{norm}(W h + b)))`, then a linear head;
- **residual, pre-norm**: a linear stem, then ``depth`` blocks
  :math:`h \leftarrow h + \operatorname{dropout}(W\,\phi(\operatorname{norm}(h)) + b)`, then a
  linear head. The identity path carries the signal and its gradient through every block.

:func:`fit` trains with mini-batches, a loss with label smoothing, any optimizer of
:mod:`solutions.optim` with two parameter groups (no weight decay on biases and norm
weights), any scheduler of :mod:`solutions.lr_scheduler` stepped per batch (or
``ReduceLROnPlateau`` per epoch on the validation loss), gradient clipping, early stopping on
the validation accuracy and, at the end, stochastic weight averaging. It is deterministic for
a seed: one ``numpy.random.Generator`` draws the initial weights, the batch order and the
dropout masks.
"""

from __future__ import annotations

import copy
import sys
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from solutions import activations, ensembles, init, losses, lr_scheduler, norm, optim
from solutions.activations import relu, relu_backward
from solutions.backprop import iterate_minibatches, running_loss
from solutions.losses import cross_entropy, cross_entropy_backward
from solutions.lr_scheduler import LinearLR
from solutions.norm import batch_norm, batch_norm_backward
from solutions.optim import AdamW
from solutions.regularization import (
    EarlyStopping,
    clip_grad_norm_,
    dropout,
    dropout_backward,
    dropout_mask,
)

__worked_examples__ = ["train_step"]

DATA = Path(__file__).resolve().parent / "data" / "digits.npz"
ACTIVATIONS = {
    name: (getattr(activations, name), getattr(activations, f"{name}_backward"))
    for name in ("relu", "tanh", "gelu", "silu", "elu", "sigmoid")
}
#: name -> (filler, kwargs); fillers come from :mod:`solutions.init`.
INITS = {
    "normal": (init.normal_, {"std": 1.0}),
    "xavier_uniform": (init.xavier_uniform_, {}),
    "xavier_normal": (init.xavier_normal_, {}),
    "kaiming_uniform": (init.kaiming_uniform_, {"nonlinearity": "relu"}),
    "kaiming_normal": (init.kaiming_normal_, {"nonlinearity": "relu"}),
    "lecun_normal": (init.lecun_normal_, {}),
    "orthogonal": (init.orthogonal_, {}),
}
NORMS = (None, "layer", "batch")


# ------------------------------------------------------------------------------------ data


def load_digits() -> dict[str, np.ndarray]:
    """The 8x8 handwritten digits with their fixed split (see ``solutions/data/README.md``):
    ``X_train`` (1199, 64), ``X_val`` (299, 64), ``X_test`` (299, 64) as float64 in [0, 1]
    and integer labels ``y_*``. Needs numpy only."""
    with np.load(DATA) as data:
        return {
            key: (data[key] / 16.0 if key.startswith("X") else data[key].astype(np.int64))
            for key in data.files
        }


def two_spirals(n_per_class: int = 200, noise: float = 0.15, turns: float = 1.5, generator=None):
    r"""Two interleaved spirals in the plane, a classic set no linear model separates:

    .. math:: x = r\,(\cos\theta, \sin\theta) + \varepsilon, \quad
              r = \theta / (2\pi\,\text{turns}), \quad \theta \in [0, 2\pi\,\text{turns}],

    class 1 rotated by :math:`\pi`. Returns ``(X, y)`` of shapes ``(2n, 2)`` and ``(2n,)``.
    """
    rng = np.random.default_rng(generator)
    theta = np.sqrt(rng.uniform(0.0, 1.0, n_per_class)) * 2 * np.pi * turns
    radius = theta / (2 * np.pi * turns)
    arm = np.stack([radius * np.cos(theta), radius * np.sin(theta)], axis=1)
    x = np.concatenate([arm, -arm]) + noise * rng.standard_normal((2 * n_per_class, 2)) * 0.3
    y = np.repeat([0, 1], n_per_class)
    return x, y


# ----------------------------------------------------------------------------------- model


@dataclass
class _Layer:
    """One linear map with its optional norm (the arrays live in ``MLP.params``)."""

    weight: int  # index into MLP.params
    bias: int
    norm_weight: int | None = None
    norm_bias: int | None = None
    running_mean: np.ndarray | None = None
    running_var: np.ndarray | None = None


class MLP:
    """A plain or residual pre-norm MLP whose parameters are a flat list of numpy arrays.

    ``params`` (and ``names``) are ordered stem/hidden layers, then the head;
    :meth:`param_groups` splits them into decayed weights and undecayed biases/norm weights.
    :meth:`forward` returns the logits and a cache; :meth:`backward` returns one gradient per
    parameter, in ``params`` order.
    """

    def __init__(
        self,
        in_features: int,
        hidden: int,
        out_features: int,
        depth: int = 2,
        *,
        activation: str = "relu",
        init: str = "kaiming_uniform",
        norm: str | None = None,
        residual: bool = False,
        dropout: float = 0.0,
        generator=None,
    ):
        if activation not in ACTIVATIONS:
            raise ValueError(f"activation must be one of {sorted(ACTIVATIONS)}; got {activation!r}")
        if init not in INITS:
            raise ValueError(f"init must be one of {sorted(INITS)}; got {init!r}")
        if norm not in NORMS:
            raise ValueError(f"norm must be one of {NORMS}; got {norm!r}")
        if not 0.0 <= dropout < 1.0:
            raise ValueError(f"dropout must be in [0, 1); got {dropout!r}")
        self.activation, self.init, self.norm = activation, init, norm
        self.residual, self.dropout, self.depth = bool(residual), float(dropout), int(depth)
        self.training = True
        self.bn_momentum = 0.1
        rng = np.random.default_rng(generator)
        self.params: list[np.ndarray] = []
        self.names: list[str] = []
        self.layers: list[_Layer] = []
        first_in = in_features
        if self.residual:
            self.stem = self._linear("stem", in_features, hidden, rng)
            first_in = hidden
        for i in range(self.depth):
            fan_in = first_in if i == 0 else hidden
            layer = self._linear(f"layer{i}", hidden if self.residual else fan_in, hidden, rng)
            width = hidden  # plain: norm after the linear map; residual: before it (same width)
            if norm is not None:
                layer.norm_weight = self._add(f"layer{i}.norm.weight", np.ones(width))
                layer.norm_bias = self._add(f"layer{i}.norm.bias", np.zeros(width))
                if norm == "batch":
                    layer.running_mean, layer.running_var = np.zeros(width), np.ones(width)
            self.layers.append(layer)
        self.head = self._linear("head", hidden, out_features, rng)

    def _add(self, name: str, array: np.ndarray) -> int:
        self.params.append(array)
        self.names.append(name)
        return len(self.params) - 1

    def _linear(self, name, n_in, n_out, rng) -> _Layer:
        filler, kwargs = INITS[self.init]
        weight = filler(np.empty((n_out, n_in)), generator=rng, **kwargs)
        bound = 1.0 / np.sqrt(n_in)  # torch.nn.Linear's bias init
        bias = init.uniform_(np.empty(n_out), -bound, bound, generator=rng)
        return _Layer(self._add(f"{name}.weight", weight), self._add(f"{name}.bias", bias))

    def param_groups(self, weight_decay: float = 0.0) -> list[dict]:
        """Two groups: matrices with ``weight_decay``, biases and norm weights without."""
        decay = [
            p
            for p, n in zip(self.params, self.names, strict=True)
            if n.endswith("weight") and ".norm." not in n
        ]
        rest = [p for p in self.params if not any(p is q for q in decay)]
        return [
            {"params": decay, "weight_decay": weight_decay},
            {"params": rest, "weight_decay": 0.0},
        ]

    def grads_in_group_order(self, grads: list[np.ndarray]) -> list[np.ndarray]:
        """Reorder per-parameter gradients to match :meth:`param_groups`' flattening."""
        by_id = {id(p): g for p, g in zip(self.params, grads, strict=True)}
        return [by_id[id(p)] for group in self.param_groups() for p in group["params"]]

    def state(self) -> dict:
        """A deep copy of the parameters and BatchNorm statistics (a checkpoint)."""
        stats = [(lay.running_mean, lay.running_var) for lay in self.layers]
        return copy.deepcopy({"params": self.params, "stats": stats})

    def load_state(self, state: dict) -> None:
        for p, saved in zip(self.params, state["params"], strict=True):
            p[...] = saved
        for lay, (mean, var) in zip(self.layers, state["stats"], strict=True):
            if mean is not None:
                lay.running_mean[...], lay.running_var[...] = mean, var

    # -- forward ---------------------------------------------------------------------------

    def _lin(self, layer: _Layer, x):
        return x @ self.params[layer.weight].T + self.params[layer.bias]

    def _norm(self, layer: _Layer, x):
        if self.norm is None:
            return x
        w, b = self.params[layer.norm_weight], self.params[layer.norm_bias]
        if self.norm == "layer":
            return norm.layer_norm(x, (x.shape[-1],), w, b)
        return norm.batch_norm(
            x,
            layer.running_mean,
            layer.running_var,
            w,
            b,
            training=self.training,
            momentum=self.bn_momentum,
        )

    def _norm_backward(self, layer: _Layer, grad, x):
        w, b = self.params[layer.norm_weight], self.params[layer.norm_bias]
        if self.norm == "layer":
            return norm.layer_norm_backward(grad, x, (x.shape[-1],), w, b)
        return norm.batch_norm_backward(
            grad,
            x,
            layer.running_mean,
            layer.running_var,
            w,
            b,
            training=self.training,
            momentum=self.bn_momentum,
        )

    def forward(self, x: np.ndarray, rng: np.random.Generator | None = None):
        """Logits ``(N, out)`` and the cache :meth:`backward` needs. ``rng`` draws the
        dropout masks (training mode with ``dropout > 0``)."""
        act, _ = ACTIVATIONS[self.activation]
        use_dropout = self.training and self.dropout > 0
        cache = {"x": x, "layers": []}
        h = self._lin(self.stem, x) if self.residual else x
        for layer in self.layers:
            c = {"h_in": h}
            if self.residual:
                c["u"] = self._norm(layer, h)
                c["a"] = act(c["u"])
                out = self._lin(layer, c["a"])
            else:
                c["z"] = self._lin(layer, h)
                c["u"] = self._norm(layer, c["z"])
                out = act(c["u"])
            c["mask"] = dropout_mask(out.shape, self.dropout, rng) if use_dropout else None
            out = out * c["mask"] if use_dropout else out
            h = h + out if self.residual else out
            cache["layers"].append(c)
        cache["h"] = h
        return self._lin(self.head, h), cache

    # -- backward --------------------------------------------------------------------------

    def backward(self, grad_logits: np.ndarray, cache: dict) -> list[np.ndarray]:
        """One gradient per parameter (``params`` order) from the loss gradient w.r.t. the
        logits."""
        _, act_backward = ACTIVATIONS[self.activation]
        grads: list[np.ndarray | None] = [None] * len(self.params)

        def linear_backward(layer: _Layer, grad, x):
            grads[layer.weight] = grad.T @ x
            grads[layer.bias] = grad.sum(axis=0)
            return grad @ self.params[layer.weight]

        grad_h = linear_backward(self.head, grad_logits, cache["h"])
        input_grads = []  # dL/dh entering each layer, last layer first
        for layer, c in zip(reversed(self.layers), reversed(cache["layers"]), strict=True):
            grad_out = grad_h * c["mask"] if c["mask"] is not None else grad_h
            if self.residual:
                grad_a = linear_backward(layer, grad_out, c["a"])
                grad_u = act_backward(grad_a, c["u"])
                grad_in = self._through_norm(layer, grad_u, c["h_in"], grads)
                grad_h = grad_h + grad_in  # identity path + branch
            else:
                grad_u = act_backward(grad_out, c["u"])
                grad_z = self._through_norm(layer, grad_u, c["z"], grads)
                grad_h = linear_backward(layer, grad_z, c["h_in"])
            input_grads.append(grad_h)
        cache["input_grads"] = input_grads[::-1]
        if self.residual:
            linear_backward(self.stem, grad_h, cache["x"])
        cache["grad_x"] = grad_h
        return grads

    def _through_norm(self, layer: _Layer, grad, x, grads):
        if self.norm is None:
            return grad
        gx, gw, gb = self._norm_backward(layer, grad, x)
        grads[layer.norm_weight], grads[layer.norm_bias] = gw, gb
        return gx


# ---------------------------------------------------------------------------- training


def train_step(model: MLP, x, y, optimizer, *, label_smoothing=0.0, max_grad_norm=None, rng=None):
    """One step: forward, cross-entropy (with label smoothing), backward, optional clipping
    of the total gradient norm, optimizer step. Returns ``(loss, gradient norm before
    clipping)``."""
    # book: begin body
    logits, cache = model.forward(x, rng)
    loss = float(losses.cross_entropy(logits, y, label_smoothing=label_smoothing))
    grad_logits = losses.cross_entropy_backward(
        1.0, logits, y, label_smoothing=label_smoothing
    )
    grads = model.backward(grad_logits, cache)
    if max_grad_norm is not None:
        total = float(clip_grad_norm_(grads, max_grad_norm))
    else:
        total = float(np.sqrt(sum(float(np.sum(g * g)) for g in grads)))
    optimizer.step(model.grads_in_group_order(grads))
    return loss, total


def evaluate(model: MLP, x, y, batch_size: int = 1024) -> tuple[float, float]:
    """Mean cross-entropy and accuracy in evaluation mode (no dropout, running BN stats)."""
    training, model.training = model.training, False
    total_loss, correct = 0.0, 0
    for start in range(0, len(x), batch_size):
        logits, _ = model.forward(x[start : start + batch_size])
        yb = y[start : start + batch_size]
        total_loss += float(losses.cross_entropy(logits, yb, reduction="sum"))
        correct += int((logits.argmax(axis=1) == yb).sum())
    model.training = training
    return total_loss / len(x), correct / len(x)


def predict_proba(model: MLP, x) -> np.ndarray:
    training, model.training = model.training, False
    logits, _ = model.forward(x)
    model.training = training
    return activations.softmax(logits, dim=1)


@dataclass
class History:
    """Per step: ``loss``, ``running_loss`` (chapter 0's smoothed loss), ``lr``,
    ``grad_norm``; per epoch: ``train_loss``, ``train_acc``, ``val_loss``, ``val_acc``."""

    loss: list[float] = field(default_factory=list)
    lr: list[float] = field(default_factory=list)
    grad_norm: list[float] = field(default_factory=list)
    train_loss: list[float] = field(default_factory=list)
    train_acc: list[float] = field(default_factory=list)
    val_loss: list[float] = field(default_factory=list)
    val_acc: list[float] = field(default_factory=list)
    best_epoch: int | None = None
    stopped_epoch: int | None = None
    swa_val_acc: float | None = None
    snapshots: list[dict] = field(default_factory=list)

    @property
    def running_loss(self) -> np.ndarray:
        return running_loss(self.loss, beta=0.9, bias_correction=True)


def _progress(enabled, total):
    """A tqdm bar when asked, or when running interactively (a terminal or a notebook)."""
    if enabled is None:
        enabled = sys.stderr.isatty()
    if not enabled:
        return None
    try:
        from tqdm.auto import tqdm
    except ImportError:
        return None
    return tqdm(total=total, unit="step", leave=False)


def fit(
    model: MLP,
    data: dict,
    *,
    epochs: int = 30,
    batch_size: int = 64,
    optimizer: str = "AdamW",
    optimizer_options: dict | None = None,
    weight_decay: float = 0.0,
    scheduler: str | None = None,
    scheduler_options: dict | None = None,
    label_smoothing: float = 0.0,
    max_grad_norm: float | None = None,
    early_stopping: int | None = None,
    swa_start: int | None = None,
    swa_lr: float | None = None,
    snapshot_every: int | None = None,
    seed: int = 0,
    progress: bool | None = None,
) -> History:
    """Train ``model`` on ``data`` (keys ``X_train``, ``y_train``, ``X_val``, ``y_val``).

    ``optimizer`` names a class of :mod:`solutions.optim` (built with two parameter groups,
    weight decay on matrices only); ``scheduler`` a class of :mod:`solutions.lr_scheduler`
    stepped after every batch, except ``ReduceLROnPlateau``, stepped per epoch on the
    validation loss. ``early_stopping=k`` stops after ``k`` epochs without a better
    validation accuracy and restores the best weights. ``swa_start=e`` averages the weights
    after every epoch from epoch ``e`` on (with the learning rate ``swa_lr`` if given) and
    leaves the averaged weights in the model (BatchNorm statistics recomputed). ``progress``
    shows a tqdm bar with the running loss (default: only in a terminal).
    ``snapshot_every=k`` keeps a checkpoint (:meth:`MLP.state`) every ``k`` epochs in
    ``history.snapshots``, for a snapshot ensemble with a restarting schedule.
    """
    rng = np.random.default_rng(seed)
    opt = getattr(optim, optimizer)(model.param_groups(weight_decay), **(optimizer_options or {}))
    sched = None if scheduler is None else make_scheduler(opt, scheduler, scheduler_options or {})
    per_epoch = scheduler == "ReduceLROnPlateau"
    stopper = EarlyStopping(patience=early_stopping, mode="max") if early_stopping else None
    swa = None
    history = History()
    x, y = data["X_train"], data["y_train"]
    steps_per_epoch = -(-len(x) // batch_size)
    bar = _progress(progress, epochs * steps_per_epoch)
    model.training = True
    for epoch in range(epochs):
        for batch in iterate_minibatches(len(x), batch_size, rng):
            loss, gnorm = train_step(
                model,
                x[batch],
                y[batch],
                opt,
                rng=rng,
                label_smoothing=label_smoothing,
                max_grad_norm=max_grad_norm,
            )
            history.loss.append(loss)
            history.grad_norm.append(gnorm)
            history.lr.append(float(opt.param_groups[0]["lr"]))
            if sched is not None and not per_epoch and not (swa and swa_lr):
                sched.step()
            if bar is not None:
                bar.update(1)
                bar.set_postfix(loss=f"{history.running_loss[-1]:.4f}", epoch=epoch)
        train_loss, train_acc = evaluate(model, x, y)
        val_loss, val_acc = evaluate(model, data["X_val"], data["y_val"])
        for name, value in (
            ("train_loss", train_loss),
            ("train_acc", train_acc),
            ("val_loss", val_loss),
            ("val_acc", val_acc),
        ):
            getattr(history, name).append(value)
        if per_epoch:
            sched.step(val_loss)
        if snapshot_every and (epoch + 1) % snapshot_every == 0:
            history.snapshots.append(model.state())
        if swa_start is not None and epoch >= swa_start:
            if swa is None:
                swa = ensembles.AveragedModel(model.params)  # its first update copies
                if swa_lr is not None:
                    for group in opt.param_groups:
                        group["lr"] = swa_lr
            swa.update_parameters(model.params)
        if stopper is not None and stopper.step(val_acc, state=model.state()):
            history.stopped_epoch = epoch
            break
    if bar is not None:
        bar.close()
    if stopper is not None and stopper.best_state is not None:
        model.load_state(stopper.best_state)
        history.best_epoch = stopper.best_epoch
    if swa is not None:
        for p, avg in zip(model.params, swa.params, strict=True):
            p[...] = avg
        recompute_batch_norm(model, x, batch_size)
        history.swa_val_acc = evaluate(model, data["X_val"], data["y_val"])[1]
    model.training = False
    return history


def make_scheduler(opt, name: str, options: dict):
    """A scheduler of :mod:`solutions.lr_scheduler` by class name, or the recipe
    ``"warmup_cosine"`` (options ``warmup``, ``total``, ``start_factor=0.1``, ``eta_min=0``):
    ``SequentialLR`` of a ``LinearLR`` warm-up and a ``CosineAnnealingLR`` decay."""
    if name != "warmup_cosine":
        return getattr(lr_scheduler, name)(opt, **options)
    warmup, total = options["warmup"], options["total"]
    return lr_scheduler.SequentialLR(
        opt,
        [
            lr_scheduler.LinearLR(
                opt, start_factor=options.get("start_factor", 0.1), total_iters=warmup
            ),
            lr_scheduler.CosineAnnealingLR(
                opt, T_max=total - warmup, eta_min=options.get("eta_min", 0.0)
            ),
        ],
        milestones=[warmup],
    )


def recompute_batch_norm(model: MLP, x, batch_size: int = 64) -> None:
    """Recompute BatchNorm's running statistics for the current weights as the mean of the
    per-batch statistics over one pass of the training data, as
    ``torch.optim.swa_utils.update_bn`` does (momentum ``None``: a cumulative average)."""
    layers = [lay for lay in model.layers if lay.running_mean is not None]
    if not layers:
        return
    sums = [(np.zeros_like(lay.running_mean), np.zeros_like(lay.running_var)) for lay in layers]
    saved = model.training, model.dropout, model.bn_momentum
    model.training, model.dropout, model.bn_momentum = True, 0.0, 1.0  # running := batch stats
    batches = 0
    for start in range(0, len(x), batch_size):
        model.forward(x[start : start + batch_size])
        for (mean, var), lay in zip(sums, layers, strict=True):
            mean += lay.running_mean
            var += lay.running_var
        batches += 1
    for (mean, var), lay in zip(sums, layers, strict=True):
        lay.running_mean[...], lay.running_var[...] = mean / batches, var / batches
    model.training, model.dropout, model.bn_momentum = saved


# --------------------------------------------------------------------- signal propagation


def signal_statistics(
    depth: int = 30,
    width: int = 256,
    *,
    init: str = "kaiming_normal",
    activation: str = "relu",
    norm: str | None = None,
    residual: bool = False,
    batch: int = 256,
    seed: int = 0,
) -> dict[str, np.ndarray]:
    """Per-layer standard deviation of the activations (forward) and of the gradients with
    respect to each layer's input (backward) of a ``depth``-layer net at initialization, on
    standard-normal inputs with a standard-normal gradient at the output."""
    rng = np.random.default_rng(seed)
    model = MLP(
        width,
        width,
        width,
        depth,
        activation=activation,
        init=init,
        norm=norm,
        residual=residual,
        generator=rng,
    )
    x = rng.standard_normal((batch, width))
    logits, cache = model.forward(x)
    forward = np.array([np.std(c["h_in"]) for c in cache["layers"][1:]] + [np.std(cache["h"])])
    model.backward(rng.standard_normal(logits.shape), cache)
    backward = np.array([np.std(g) for g in cache["input_grads"]])
    return {"activation_std": forward, "gradient_std": backward}


# ------------------------------------------------------------------ the graded milestone
#
# The milestone network, written with plain functions so that a student can assemble it from
# their own parts (chapter 9's exercise ``train_network``): a dict of arrays
#
#     linear(64 -> H) -> batch_norm -> relu -> dropout(p) -> linear(H -> 10),
#
# trained by AdamW (weight decay on the two matrices only) with a linear warm-up (LinearLR)
# and cross-entropy with label smoothing, on mini-batches the caller chooses.

#: The order of the milestone's parameters (weights first: the decayed group).
NETWORK_PARAMS = ("W1", "W2", "b1", "gamma", "beta", "b2")


def linear(input, weight, bias=None) -> np.ndarray:
    r"""Affine map (``torch.nn.functional.linear``): :math:`y = x W^\top + b`.

    Args:
        input: ``(N, in)``. weight: ``(out, in)``. bias: ``(out,)`` or ``None``.
    """
    out = np.asarray(input) @ np.asarray(weight).T
    return out if bias is None else out + bias


def linear_backward(grad_output, input, weight, bias=None):
    r"""Gradients of :func:`linear`: :math:`\partial L/\partial x = g W`,
    :math:`\partial L/\partial W = g^\top x`, :math:`\partial L/\partial b = \sum_n g_n`
    (the last only with a bias)."""
    g = np.asarray(grad_output)
    grads = (g @ np.asarray(weight), g.T @ np.asarray(input))
    return grads if bias is None else (*grads, g.sum(axis=0))


def init_network(in_features: int, hidden: int, out_features: int, generator=None) -> dict:
    """The milestone's initial parameters and BatchNorm buffers: weights as
    ``torch.nn.Linear`` (Kaiming uniform with :math:`a=\\sqrt5`, i.e. :math:`U(\\pm
    1/\\sqrt{\\text{fan\\_in}})`, biases likewise), BatchNorm gain 1, shift 0, running mean 0
    and variance 1."""
    rng = np.random.default_rng(generator)

    def uniform(shape, fan_in):
        bound = 1.0 / np.sqrt(fan_in)
        return rng.uniform(-bound, bound, shape)

    return {
        "W1": uniform((hidden, in_features), in_features),
        "b1": uniform(hidden, in_features),
        "W2": uniform((out_features, hidden), hidden),
        "b2": uniform(out_features, hidden),
        "gamma": np.ones(hidden),
        "beta": np.zeros(hidden),
        "running_mean": np.zeros(hidden),
        "running_var": np.ones(hidden),
    }


def network_step(params: dict, x, y, *, p: float, label_smoothing: float, seed: int):
    """Forward and backward of the milestone network on one batch (dropout mask drawn from
    the int ``seed``): returns ``(loss, grads)`` with ``grads`` a dict like ``params``
    (without the running statistics)."""
    z = linear(x, params["W1"], params["b1"])
    u = batch_norm(
        z,
        params["running_mean"],
        params["running_var"],
        params["gamma"],
        params["beta"],
        training=True,
    )
    a = relu(u)
    h = dropout(a, p, training=True, generator=seed)
    logits = linear(h, params["W2"], params["b2"])
    loss = cross_entropy(logits, y, label_smoothing=label_smoothing)
    g_logits = cross_entropy_backward(1.0, logits, y, label_smoothing=label_smoothing)
    g_h, g_W2, g_b2 = linear_backward(g_logits, h, params["W2"], params["b2"])
    g_a = dropout_backward(g_h, a, p, training=True, generator=seed)
    g_u = relu_backward(g_a, u)
    g_z, g_gamma, g_beta = batch_norm_backward(
        g_u,
        z,
        params["running_mean"],
        params["running_var"],
        params["gamma"],
        params["beta"],
        training=True,
    )
    _, g_W1, g_b1 = linear_backward(g_z, x, params["W1"], params["b1"])
    grads = {"W1": g_W1, "b1": g_b1, "gamma": g_gamma, "beta": g_beta, "W2": g_W2, "b2": g_b2}
    return float(loss), grads


def train_network(
    params: dict,
    X,
    y,
    batches,
    *,
    lr: float = 0.01,
    weight_decay: float = 0.01,
    warmup: int = 10,
    p: float = 0.1,
    label_smoothing: float = 0.1,
    seed: int = 0,
):
    r"""Train the milestone network: one step per row of ``batches``, built from your parts.

    .. math:: \theta_{k+1} = \operatorname{AdamW}\big(\theta_k,\ \nabla_\theta
        \operatorname{CE}_{\varepsilon}(f_{\theta_k}(X_{B_k}), y_{B_k}),\ \eta_k\big),
        \qquad \eta_k = \eta \big(s + (1 - s)\min(k, T)/T\big),\ s = 0.1,\ T = \text{warmup}

    with :math:`f_\theta` = ``linear -> batch_norm (training) -> relu -> dropout(p) ->
    linear`` and :math:`\operatorname{CE}_\varepsilon` = ``cross_entropy(...,
    label_smoothing)``.

    Step ``k`` (``k = 0, 1, ...``): ``idx = batches[k]``; forward ``x = X[idx]`` through
    ``linear(x, W1, b1)``, ``batch_norm(z, running_mean, running_var, gamma, beta,
    training=True)`` (it updates the running statistics in place), ``relu``, ``dropout(a, p,
    training=True, generator=seed + k)``, ``linear(h, W2, b2)`` and ``cross_entropy(logits,
    y[idx], label_smoothing=label_smoothing)``; backward with ``cross_entropy_backward(1.0,
    ...)``, ``linear_backward``, ``dropout_backward`` (same ``generator=seed + k``),
    ``relu_backward``, ``batch_norm_backward`` and ``linear_backward``; then
    ``optimizer.step(grads)`` and ``scheduler.step()``.

    The optimizer is ``AdamW([{"params": [W1, W2], "weight_decay": weight_decay},
    {"params": [b1, gamma, beta, b2], "weight_decay": 0.0}], lr=lr)`` (gradients in that
    order) and the scheduler ``LinearLR(optimizer, start_factor=0.1, total_iters=warmup)``.

    Args:
        params: dict of float64 arrays ``W1 (H, 64)``, ``b1 (H,)``, ``gamma (H,)``, ``beta
            (H,)``, ``running_mean (H,)``, ``running_var (H,)``, ``W2 (10, H)``, ``b2
            (10,)``, updated in place by training.
        X: ``(n, 64)`` training inputs. y: ``(n,)`` integer labels.
        batches: ``(steps, batch_size)`` integer indices into ``X``.
        lr, weight_decay, warmup, p, label_smoothing, seed: as above.

    Returns:
        ``(losses, params)``: the loss of every step (a float array of length ``steps``,
        before that step's update) and the trained parameters with their running statistics.
    """
    opt = AdamW(
        [
            {"params": [params["W1"], params["W2"]], "weight_decay": weight_decay},
            {"params": [params[k] for k in ("b1", "gamma", "beta", "b2")], "weight_decay": 0.0},
        ],
        lr=lr,
    )
    sched = LinearLR(opt, start_factor=0.1, total_iters=warmup)
    losses = []
    for k, idx in enumerate(batches):
        loss, grads = network_step(
            params, X[idx], y[idx], p=p, label_smoothing=label_smoothing, seed=seed + k
        )
        opt.step([grads[name] for name in NETWORK_PARAMS])
        sched.step()
        losses.append(loss)
    return np.array(losses), params


def predict_network(params: dict, X) -> np.ndarray:
    """Class predictions of the milestone network in evaluation mode (running statistics,
    no dropout)."""
    z = linear(X, params["W1"], params["b1"])
    u = batch_norm(
        z,
        params["running_mean"],
        params["running_var"],
        params["gamma"],
        params["beta"],
        training=False,
    )
    return linear(relu(u), params["W2"], params["b2"]).argmax(axis=1)
