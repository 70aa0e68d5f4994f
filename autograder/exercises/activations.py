"""Chapter 03: activations. Every activation is its forward (1 point) and its hand-derived
``_backward`` (1 point) on the same inputs (``tanh``, ``relu`` and ``softmax`` are worked
examples: only their backward is an exercise).

Groups (see :mod:`autograder.authoring`): public ``basic``, ``float32`` and one per option;
hidden ``shapes``, ``extreme`` (|x| up to 1e4: exp overflows unless the formula is stable)
and the options again. Where the textbook formula itself overflows (sigmoid as
e^x / (1 + e^x), softplus, softmax and log-softmax without the max subtracted) there is also
a public ``extreme`` group (|x| up to 1e3, float64), so ``check()`` shows the overflow before
grading does; the hidden one keeps other data (|x| up to 1e4, float64 and float32).
"""

import numpy as np

from autograder.authoring import float_inputs, pair
from autograder.edges import has_value
from autograder.registry import Gen, Rng, case, exercise
from solutions import activations as ref

#: Magnitude of the public extreme case: exp overflows beyond ~709 (float64), ~88 (float32).
PUBLIC_EXTREME = 1e3


def public_extreme(inputs: tuple, **kwargs) -> tuple:
    """``inputs`` (public, hidden factories) with one more public case, group ``extreme``:
    a 3 x 4 float64 array of |x| up to :data:`PUBLIC_EXTREME` (both signs of the largest
    value included), called with ``kwargs``. Appended last, so the other public cases keep
    their data."""
    public, hidden = inputs

    def make(g: Gen):
        yield from public(g)
        x = g.uniform(3, 4, low=-PUBLIC_EXTREME, high=PUBLIC_EXTREME)
        x[0, :2] = (-PUBLIC_EXTREME, PUBLIC_EXTREME)
        yield case("extreme", x, **kwargs)

    return make, hidden


def at_kinks(inputs: tuple, kinks: tuple, **kwargs) -> tuple:
    """``inputs`` with one more hidden case, group ``kinks``: inputs exactly at the points
    where the derivative jumps (the module docstring says which side torch takes there)."""
    public, hidden = inputs

    def make(g: Gen):
        yield from hidden(g)
        x = g.normal(3, 5, scale=3.0)
        x.flat[: len(kinks)] = kinks
        x.flat[-len(kinks) :] = kinks
        yield case("kinks", x, **kwargs)

    return public, make


def _act(forward, backward, variants=({},), *, overflows=False, kinks=(), kink_options=None, **kw):
    """``overflows``: the naive formula overflows, so the public cases include an extreme one;
    ``kinks``: input values where the derivative jumps (a hidden ``kinks`` case has them)."""
    inputs = float_inputs(variants=variants, **kw)
    if overflows:
        inputs = public_extreme(inputs, **variants[0])
    if kinks:
        inputs = at_kinks(inputs, kinks, **(kink_options or variants[0]))
    return pair(forward, backward, points=(1, 1), inputs=inputs)


def _prelu(hidden: bool):
    def make(g: Gen):
        c = 4
        yield case("one slope", g.normal(5, c), g.uniform(1, high=0.5))
        yield case("per channel", g.normal(3, c, 2), g.uniform(c, low=-0.5, high=0.5))
        yield case("float32", g.normal(5, c, dtype=np.float32), np.array([0.1], np.float32))
        x = g.normal(3, c)
        x[0] = 0.0  # the kink: prelu'(0) is the slope
        yield case("per channel", x, g.uniform(c, low=0.1, high=0.5))
        if hidden:
            yield case("per channel", g.normal(2, c), g.uniform(c, low=0.0, high=0.9))
            yield case("extreme", g.normal(3, c, scale=1e4), g.uniform(c, low=0.0, high=0.5))

    return make


def _with_zeros(g: Gen, x: np.ndarray) -> np.ndarray:
    """``x`` with a quarter of its entries exactly 0 (where rrelu's slope is random too)."""
    x = x.copy()
    x[g.rng.random(x.shape) < 0.25] = 0
    return x


#: rrelu and rrelu_backward: the statement fixes the distribution of the training slopes
#: (U(lower, upper) where x <= 0), not how they are drawn from the generator, so a training
#: call with lower < upper is graded where the slopes do not show (x > 0: a call that mixes
#: up the bounds, e.g. ``uniform(upper, lower)``, raises there in numpy 2) and with given
#: ``noise``. One mutant of rrelu_backward survives (autograder/mutant_floors.json): ignoring
#: the given generator (a fresh one instead). The statement promises that a generator in the
#: forward's state redraws the forward's slopes, but one call cannot show it without fixing
#: the draw; it needs two calls with generators in the same state.
def _rrelu(hidden: bool, backward: bool = False):
    """``backward``: without the training call with no generator (the backward refuses it:
    it needs the forward's slopes)."""

    def make(g: Gen):
        yield case("eval", g.normal(4, 5))
        x = g.normal(*((6, 5) if hidden else (4, 5)))
        noise = np.where(x >= 0, 1.0, g.uniform(*x.shape, low=0.125, high=1 / 3))
        yield case("training with noise", x, training=True, noise=noise)
        yield case("float32", g.normal(3, 4, dtype=np.float32), lower=0.1, upper=0.2)
        if hidden:
            yield case("eval", g.normal(2, 3, 4), lower=0.05, upper=0.5)
            # eval at x == 0: the mean slope applies there too (derivative side)
            yield case("eval, zeros", _with_zeros(g, g.normal(4, 5)), lower=0.1, upper=0.3)
            # training without noise: random slopes, except when lower == upper; the slope is
            # drawn where x <= 0 (0 included), and kept in the input's dtype
            for dtype in (np.float64, np.float32):
                yield case(
                    "training, lower == upper",
                    _with_zeros(g, g.normal(3, 4, dtype=dtype)),
                    training=True,
                    lower=0.25,
                    upper=0.25,
                    generator=Rng(g.seed()),
                )
            # training with lower < upper on inputs > 0: the output is the input, whatever the
            # slopes drawn (a call that mixes up the bounds refuses lower < upper)
            x = np.abs(g.normal(3, 4)) + 0.1
            yield case(
                "training, positive input",
                x,
                training=True,
                lower=0.1,
                upper=0.3,
                generator=Rng(g.seed()),
            )
            # float32 input, float64 noise: the noise is used in the input's dtype
            x = g.normal(3, 4, dtype=np.float32)
            noise = np.where(x > 0, 1.0, g.uniform(*x.shape, low=0.125, high=1 / 3))
            yield case("training with noise, float32", x, training=True, noise=noise)
            if not backward:
                # training without a generator: a fresh one (lower == upper: known slopes)
                x = _with_zeros(g, g.normal(3, 4))
                yield case("training, no generator", x, training=True, lower=0.2, upper=0.2)

    return make


def _rrelu_noise(hidden: bool):
    def make(g: Gen):
        shape = (300, 200) if hidden else (200, 150)
        yield case("default", g.normal(*shape), generator=Rng(g.seed()))
        yield case("bounds", g.normal(*shape), lower=0.3, upper=0.6, generator=Rng(g.seed()))
        # mostly positive inputs, a quarter exactly 0: the share of random slopes is the
        # share of inputs <= 0 (0 included), not one half
        x = _with_zeros(g, g.normal(*shape) + 1.0)
        yield case("zeros", x, generator=Rng(g.seed()))
        if hidden:
            x = _with_zeros(g, g.normal(*shape, dtype=np.float32) + 1.0)
            yield case("float32", x, lower=0.2, upper=0.4, generator=Rng(g.seed()))

    return make


def _gated(hidden: bool):
    """GLU/SwiGLU: the split axis must have an even size."""

    def make(g: Gen):
        yield case("basic", g.normal(3, 6))
        yield case("dim=0", g.normal(4, 3), dim=0)
        yield case("float32", g.normal(2, 8, dtype=np.float32))
        if hidden:
            yield case("shapes", g.normal(2, 4, 6), dim=1)
            big = g.normal(3, 4, scale=1e4)
            yield case("extreme", big)

    return make


def _pair(forward, backward, factory, points=(1, 1)):
    return pair(forward, backward, points=points, inputs=(factory(False), factory(True)))


EXERCISES = [
    *_act(ref.sigmoid, ref.sigmoid_backward, overflows=True),
    *_act(ref.logsigmoid, ref.logsigmoid_backward, overflows=True),
    *_act(ref.tanh, ref.tanh_backward),
    *_act(ref.relu, ref.relu_backward, kinks=(0.0,)),
    *_act(ref.leaky_relu, ref.leaky_relu_backward, ({}, {"negative_slope": 0.2}), kinks=(0.0,)),
    *_pair(ref.prelu, ref.prelu_backward, _prelu),
    exercise(
        ref.rrelu_noise,
        points=1,
        compare="distribution",
        public=_rrelu_noise(False),
        hidden=_rrelu_noise(True),
        description="Random: graded by distribution (1 where the input is > 0, "
        "U(lower, upper) where it is <= 0, 0 included), not value by value.",
    ),
    pair(ref.rrelu, ref.rrelu_backward, points=(1, 1), inputs=(_rrelu(False), _rrelu(True)))[0],
    pair(
        ref.rrelu,
        ref.rrelu_backward,
        points=(1, 1),
        inputs=(_rrelu(False), _rrelu(True, backward=True)),
    )[1],
    *_act(ref.relu6, ref.relu6_backward, kinks=(0.0, 6.0)),
    *_act(
        ref.hardtanh,
        ref.hardtanh_backward,
        ({}, {"min_val": -2.0, "max_val": 0.5}),
        kinks=(-1.0, 1.0),
    ),
    # at 0 the derivative is alpha (the negative side): alpha != 1 tells the sides apart
    *_act(
        ref.elu, ref.elu_backward, ({}, {"alpha": 0.5}), kinks=(0.0,), kink_options={"alpha": 0.5}
    ),
    *_act(ref.selu, ref.selu_backward, kinks=(0.0,)),
    *_act(ref.celu, ref.celu_backward, ({}, {"alpha": 2.0})),
    *_act(
        ref.softplus,
        ref.softplus_backward,
        ({}, {"beta": 2.0}, {"beta": 0.5, "threshold": 5.0}),
        overflows=True,
        # beta * x == threshold: the linear branch starts above it (at 5, not 20, the two
        # branches' slopes differ by more than the tolerance)
        kinks=(10.0, -10.0),
        kink_options={"beta": 0.5, "threshold": 5.0},
    ),
    *_act(ref.gelu, ref.gelu_backward, ({}, {"approximate": "tanh"})),
    *_act(ref.silu, ref.silu_backward),
    *_act(ref.swish, ref.swish_backward, ({}, {"beta": 1.7})),
    *_act(ref.mish, ref.mish_backward),
    *_pair(ref.glu, ref.glu_backward, _gated),
    *_pair(ref.swiglu, ref.swiglu_backward, _gated),
    *_act(
        ref.softmax,
        ref.softmax_backward,
        ({"dim": -1}, {"dim": 0, "temperature": 2.0}),
        overflows=True,
    ),
    *_act(
        ref.log_softmax,
        ref.log_softmax_backward,
        ({"dim": -1}, {"dim": 0}, {"dim": -1, "temperature": 0.5}, {"dim": 1, "dtype": "float32"}),
        overflows=True,
    ),
]

#: Options no graded case sets, and why (tests/autograder/test_coverage.py).
UNGRADED_OPTIONS = {}
UNGRADED_OPTIONS["activations.softmax_backward.dtype"] = (
    "the forward's computation dtype: a float32 computation whose gradient returns in the "
    "input's float64 cannot be graded with either dtype's tolerance; dtype is graded in "
    "log_softmax and its backward"
)

#: Edges the statements name, and the predicate that finds one in a graded case's arguments
#: (tests/autograder/test_edges.py; see autograder/edges.py).
EDGES = {
    f"activations.{name}": {"at zero": has_value("input", 0.0)}
    for name in (
        "relu_backward",
        "leaky_relu_backward",
        "rrelu_backward",
        "elu_backward",
        "selu_backward",
    )
}
