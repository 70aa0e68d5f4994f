"""Run torch's own OpInfo test material through our functions and classify every input.

``torch.testing._internal.common_methods_invocations.op_db`` holds, for each operator, the
inputs torch's authors wrote to test it: ``sample_inputs`` (ordinary cases, with every
option), ``reference_inputs`` (extra, harder cases: extreme values, odd shapes) and
``error_inputs`` (calls torch must refuse). Each op_db entry whose name matches a function
of ``solutions/`` is run through both sides, float64 and float32, forward and (where we
have one) backward, and every input gets one verdict:

``agree``     both sides return, values close (``torch.testing.assert_close`` tolerances
              for the dtype), same shape, same dtype; gradients close too.
``refused``   we raise ``ValueError``/``TypeError`` where torch returns a value. Allowed only
              when :data:`DELIBERATE` lists it, with its reason.
``disagree``  anything else: different values, shapes or dtypes, a crash of another type, or
              an error input of torch's that we accept.

Random ops are compared through the noise they are given: ``rrelu`` in training mode gets
the slopes torch drew (recovered from torch's output); ``dropout`` is checked through its
documented properties (every output is 0 or ``x / (1 - p)``, the backward uses the same
mask, ``p = 0`` / evaluation mode is the identity).

``python -m tests.solutions.opinfo_harness`` prints the counts and every disagreement.
"""

from __future__ import annotations

import inspect
import sys
import warnings
from collections import Counter
from dataclasses import dataclass, field

import numpy as np
import torch

from solutions import activations, losses, norm, regularization

MODULES = (activations, losses, norm, regularization)
DTYPES = (torch.float64, torch.float32)
# Ops of op_db we do not compare: complex inputs, masked variants (not functions of ours).
SKIP_VARIANTS = {("nn.functional.silu", "complex")}
# Our backward's outputs, by the name of the forward's argument each is the gradient of
# (the default is the input alone).
GRAD_NAMES = {
    "prelu": ("input", "weight"),
    "cosine_embedding_loss": ("input1", "input2"),
    "margin_ranking_loss": ("input1", "input2"),
    "gaussian_nll_loss": ("input", "var"),
    "triplet_margin_loss": ("anchor", "positive", "negative"),
    "batch_norm": ("input", "weight", "bias"),
    "group_norm": ("input", "weight", "bias"),
    "instance_norm": ("input", "weight", "bias"),
    "layer_norm": ("input", "weight", "bias"),
    "rms_norm": ("input", "weight"),
}
TORCH_TO_NUMPY_DTYPE = {torch.float64: np.float64, torch.float32: np.float32}


@dataclass(frozen=True)
class Deliberate:
    """A refusal we keep on purpose: which inputs (``applies(bound_kwargs)``) and why."""

    op: str
    reason: str
    applies: object = field(compare=False)


def _has(kwargs, *names):
    return any(k in kwargs for k in names)


def _legacy(kw):
    return _has(kw, "size_average", "reduce")


# The one table of deliberate differences. Every refusal of an input torch accepts must be
# listed here; the module docstring of each function states the same refusal.
NORMS = ("batch_norm", "instance_norm", "layer_norm", "group_norm", "rms_norm")
DELIBERATE = [
    Deliberate(
        "*",
        "the legacy size_average/reduce arguments (deprecated in torch since 0.4) are not "
        "taken: reduction= says the same thing",
        _legacy,
    ),
    *(
        Deliberate(
            name,
            "eps < 0 is refused: sigma^2 + eps can then be negative and the output NaN; torch "
            "does not check it",
            lambda kw: isinstance(kw.get("eps"), float | int) and kw["eps"] < 0,
        )
        for name in NORMS
    ),
    Deliberate(
        "batch_norm",
        "input must be (N, C, *): torch also runs a 1-D input, where N and C are ambiguous",
        lambda kw: np.ndim(kw.get("input")) < 2,
    ),
    Deliberate(
        "hinge_embedding_loss",
        "target must have the input's shape: a silently broadcast target is the bug torch "
        "warns about for the other element-wise losses",
        lambda kw: np.shape(kw.get("target")) != np.shape(kw.get("input")),
    ),
]


# Gradients at a NaN input that torch itself does not define: its vectorized CPU kernel and
# its scalar tail (the last < 8 elements of a contiguous tensor) disagree, so the answer
# depends on where the NaN sits. Ours follows the vectorized kernel (what nearly every
# element of a real tensor gets); these positions are not compared. relu's is consistent
# in torch (the gradient passes through) and is compared like any other.
NAN_GRAD_UNDEFINED = {
    "hardtanh": "torch: 0 (vectorized) or g (scalar tail); ours 0",
    "relu6": "torch: 0 (vectorized) or g (scalar tail); ours 0",
    "elu": "torch: NaN (vectorized) or g (scalar tail); ours NaN",
    "selu": "torch: NaN (vectorized) or scale*g (scalar tail); ours NaN",
    "celu": "torch: NaN (vectorized) or g (scalar tail); ours NaN",
}


def find_ours(op) -> object | None:
    """Our function for an op_db entry (matched by the last component of its name)."""
    if (op.name, op.variant_test_name) in SKIP_VARIANTS or op.name.startswith("masked."):
        return None
    short = op.name.split(".")[-1]
    for module in MODULES:
        fn = getattr(module, short, None)
        if callable(fn) and getattr(fn, "__module__", None) == module.__name__:
            return fn
    return None


def ops():
    """(op_db entry, our function) for every entry that maps onto ours."""
    from torch.testing._internal.common_methods_invocations import op_db

    return [(op, fn) for op in op_db if (fn := find_ours(op)) is not None]


def op_id(op) -> str:
    return op.name + (f".{op.variant_test_name}" if op.variant_test_name else "")


def _np(value):
    """A torch value as the numpy value a user of ours would pass."""
    if isinstance(value, torch.Tensor):
        return value.detach().clone().numpy()
    if isinstance(value, torch.dtype):
        return TORCH_TO_NUMPY_DTYPE.get(value, value)
    if isinstance(value, torch.Size):
        return tuple(value)
    if isinstance(value, list | tuple):
        return type(value)(_np(v) for v in value)
    return value


def _fresh(value):
    """A detached copy of a torch input (in-place ops such as running stats change it)."""
    if isinstance(value, torch.Tensor):
        return value.detach().clone().requires_grad_(value.requires_grad)
    return value


def _torch_call(op, sample):
    args = [_fresh(sample.input), *(_fresh(a) for a in sample.args)]
    kwargs = {k: _fresh(v) for k, v in sample.kwargs.items()}
    return op.op(*args, **kwargs), args, kwargs


def _bind(fn, sample):
    """Our call's (args, kwargs) in numpy, and the name -> value map of the bound call."""
    args = [_np(sample.input), *(_np(a) for a in sample.args)]
    kwargs = {k: _np(v) for k, v in sample.kwargs.items()}
    try:
        bound = inspect.signature(fn).bind(*args, **kwargs).arguments
    except TypeError:
        bound = {**{f"#{i}": a for i, a in enumerate(args)}, **kwargs}
    return args, kwargs, bound


def _close(ours, theirs, what, nan_at=None):
    """``assert_close`` for the dtype of ``theirs`` (NaN == NaN); ``nan_at``: positions
    where both sides are set to NaN first (torch's own answer there is not defined)."""
    if ours is None:
        raise AssertionError(f"{what}: ours is None")
    ours = np.array(ours)
    expected = theirs.detach().clone()
    if ours.shape != tuple(expected.shape):
        raise AssertionError(f"{what}: shape {ours.shape} != torch's {tuple(expected.shape)}")
    if ours.dtype != TORCH_TO_NUMPY_DTYPE.get(expected.dtype):
        raise AssertionError(f"{what}: dtype {ours.dtype} != torch's {expected.dtype}")
    if nan_at is not None and nan_at.shape == ours.shape:
        ours[nan_at] = np.nan
        expected[torch.from_numpy(nan_at)] = np.nan
    torch.testing.assert_close(
        torch.from_numpy(ours), expected, equal_nan=True, msg=lambda m: f"{what}: {m}"
    )


@dataclass
class Verdict:
    op: str
    dtype: str
    kind: str  # sample | reference | error
    verdict: str  # agree | refused | disagree
    detail: str = ""
    reason: str = ""


def _deliberate(op_name, bound):
    short = op_name.split(".")[-1]
    for entry in DELIBERATE:
        if entry.op in ("*", short) and entry.applies(bound):
            return entry
    return None


def _upcast(sample):
    """The sample with its float32 tensors in float64 (the exact answer's oracle)."""

    def up(t):
        if isinstance(t, torch.Tensor) and t.dtype == torch.float32:
            return t.detach().double().requires_grad_(t.requires_grad)
        return t

    return sample.transform(up)


def _ours_call(name, fn, args, kwargs, out_t, targs):
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        if name in ("rrelu", "dropout"):
            return _random_op_check(name, fn, out_t, targs, args, kwargs)
        return fn(*args, **kwargs), kwargs


def _random_op_check(name, fn, out_t, targs, args, kwargs):
    """dropout / rrelu: our call given torch's noise (or its documented properties)."""
    x = args[0]
    if name == "rrelu":
        training = kwargs.get("training", args[3] if len(args) > 3 else False)
        if training and out_t.requires_grad:
            # torch's slopes are the derivative of its training-mode output (1 where x > 0).
            (noise,) = torch.autograd.grad(
                out_t, targs[0], torch.ones_like(out_t), retain_graph=True
            )
            kwargs = {**kwargs, "noise": noise.numpy()}
        return fn(*args, **kwargs), kwargs
    # dropout
    p = kwargs.get("p", args[1] if len(args) > 1 else 0.5)
    training = kwargs.get("training", args[2] if len(args) > 2 else True)
    ours = fn(*args, **kwargs, generator=np.random.default_rng(0))
    if training and 0 < p < 1:
        kept = ours != 0
        scaled = (x / (1 - p)).astype(x.dtype)
        np.testing.assert_allclose(ours[kept], scaled[kept], rtol=1e-6)
        return None, kwargs  # values are random: the properties above are the comparison
    return ours, kwargs


def _compare(op, fn, name, sample, torch_sample, seed):
    """Forward and backward of ours on ``sample`` against torch on ``torch_sample``."""
    args, kwargs, _ = _bind(fn, sample)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        out_t, targs, tkwargs = _torch_call(op, torch_sample)
    if isinstance(out_t, tuple | list):
        out_t = out_t[0]
    ours, kwargs = _ours_call(name, fn, args, kwargs, out_t, targs)
    if torch_sample is not sample:  # torch ran in float64: round its answer as ours is
        out_t = out_t.to(torch.float32) if out_t.dtype == torch.float64 else out_t
    if ours is not None:
        _close(ours, out_t, "forward")
    _check_backward(fn, name, sample, out_t, targs, tkwargs, kwargs, seed)


def run_sample(op, fn, sample, kind, dtype, seed) -> Verdict:
    name = op.name.split(".")[-1]
    v = Verdict(op_id(op), str(dtype).removeprefix("torch."), kind, "agree")
    _, _, bound = _bind(fn, sample)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            _torch_call(op, sample)
    except Exception as exc:  # torch refuses an input it lists as a sample: not comparable
        v.detail = f"torch raised {type(exc).__name__}"
        return v
    try:
        _compare(op, fn, name, sample, sample, seed)
    except (ValueError, TypeError, NotImplementedError) as exc:
        entry = _deliberate(op.name, bound)
        v.verdict = "refused" if entry else "disagree"
        v.reason = entry.reason if entry else ""
        v.detail = f"we refuse: {type(exc).__name__}: {exc}"[:300]
    except AssertionError as exc:
        v.verdict, v.detail = "disagree", str(exc)[:600]
        if dtype == torch.float32 and name not in ("rrelu", "dropout"):
            # torch's float32 kernels round more than ours (we accumulate in float64): ours
            # also agrees if it matches the float64 answer rounded to float32.
            try:
                _compare(op, fn, name, sample, _upcast(sample), seed)
                v.verdict, v.detail = "agree", "float32: agrees with torch in float64"
            except AssertionError as exc64:
                v.detail += f" | vs float64: {str(exc64)[:300]}"
    except Exception as exc:
        v.verdict, v.detail = "disagree", f"we crash: {type(exc).__name__}: {exc}"[:300]
    return v


def _check_backward(fn, name, sample, out_t, targs, tkwargs, kwargs, seed):
    backward = getattr(sys.modules[fn.__module__], f"{name}_backward", None)
    if backward is None or not out_t.requires_grad or not out_t.dtype.is_floating_point:
        return
    if name == "dropout" and kwargs.get("training", True):
        return  # the mask is random: checked by the forward's properties
    names = GRAD_NAMES.get(name, ("input",))
    # Torch's tensors by our argument names (positions match: our signatures mirror torch's).
    params = list(inspect.signature(fn).parameters)
    tensors = dict(zip(params, targs, strict=False)) | tkwargs
    wrt = [
        (n, tensors[n])
        for n in names
        if isinstance(tensors.get(n), torch.Tensor) and tensors[n].requires_grad
    ]
    if not wrt:
        return
    g = np.random.default_rng(seed).standard_normal(tuple(out_t.shape))
    g = g.astype(TORCH_TO_NUMPY_DTYPE[out_t.dtype])
    grads = torch.autograd.grad(
        out_t, [t for _, t in wrt], torch.from_numpy(g).to(out_t.dtype), allow_unused=True
    )
    args, fresh_kwargs, _ = _bind(fn, sample)  # fresh copies: a forward may update in place
    if "noise" in kwargs:
        fresh_kwargs["noise"] = kwargs["noise"]
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        ours = backward(g, *args, **fresh_kwargs)
    ours = ours if isinstance(ours, tuple) else (ours,)
    ours_by_name = dict(zip(names, ours, strict=False))
    nan_at = np.asarray(np.isnan(args[0])) if name in NAN_GRAD_UNDEFINED else None
    for (n, _), theirs in zip(wrt, grads, strict=True):
        if theirs is not None:
            _close(ours_by_name.get(n), theirs.to(sample.input.dtype), f"grad {n}", nan_at)


def run_error_input(op, fn, err) -> Verdict:
    v = Verdict(op_id(op), "-", "error", "refused")
    args, kwargs, _ = _bind(fn, err.sample_input)
    try:
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore")
            fn(*args, **kwargs)
    except (ValueError, TypeError, IndexError, NotImplementedError) as exc:
        v.detail = f"{type(exc).__name__}: {exc}"[:200]
        return v
    except Exception as exc:
        v.verdict, v.detail = "disagree", f"unclear refusal {type(exc).__name__}: {exc}"[:300]
        return v
    v.verdict = "disagree"
    v.detail = f"torch refuses ({err.error_type.__name__}: {err.error_regex}), we accept"
    return v


def run_op(op, fn, dtype) -> list[Verdict]:
    """Every sample and reference input of ``op`` in ``dtype`` (error inputs: dtype None)."""
    verdicts = []
    if dtype is None:
        if op.error_inputs_func is None:
            return verdicts
        for err in op.error_inputs("cpu"):
            verdicts.append(run_error_input(op, fn, err))
        return verdicts
    if dtype not in op.supported_dtypes("cpu"):
        return verdicts
    torch.manual_seed(0)
    kinds = [("sample", op.sample_inputs("cpu", dtype, requires_grad=True))]
    if op.reference_inputs_func is not None:
        # reference_inputs yields the sample inputs first, then its own: keep only its own.
        n = len(list(op.sample_inputs("cpu", dtype, requires_grad=True)))
        refs = list(op.reference_inputs("cpu", dtype, requires_grad=True))[n:]
        kinds.append(("reference", refs))
    for kind, samples in kinds:
        for seed, sample in enumerate(samples):
            verdicts.append(run_sample(op, fn, sample, kind, dtype, seed))
    return verdicts


def main() -> int:
    counts: Counter = Counter()
    bad = []
    for op, fn in ops():
        for dtype in (*DTYPES, None):
            for v in run_op(op, fn, dtype):
                counts[(v.kind == "error", v.verdict)] += 1
                if v.verdict != "agree":
                    bad.append(v)
    for v in bad:
        print(f"{v.verdict:9} {v.op:40} {v.dtype:8} {v.kind:9} {v.detail} {v.reason}")
    inputs = sum(n for (err, _), n in counts.items() if not err)
    print(f"ops: {len(ops())}")
    print(
        f"inputs: {inputs}  agree: {counts[(False, 'agree')]}  "
        f"disagree: {counts[(False, 'disagree')]}  refused: {counts[(False, 'refused')]}"
    )
    errors = sum(n for (err, _), n in counts.items() if err)
    print(
        f"error inputs: {errors}  refused: {counts[(True, 'refused')]}  "
        f"accepted: {counts[(True, 'disagree')]}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
