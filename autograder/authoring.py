"""Helpers that keep chapter registries short: standard case groups and forward/backward pairs.

Groups (each earns an equal share of the points):
public ``basic`` (small float64 arrays), ``float32`` (dtype must be preserved), one group per
option variant; hidden ``shapes`` (other ranks and sizes), ``extreme`` (|x| up to 1e4, where
naive formulas overflow) and the variants again on new data.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence

import numpy as np

from autograder.registry import Case, CaseFactory, Exercise, Gen, Rng, case, exercise

PUBLIC_SHAPES = ((7,), (3, 4))
HIDDEN_SHAPES = ((2, 3, 4), (1,), (16, 5))


def _variant_name(kw: dict) -> str:
    return ",".join(f"{k}={v}" for k, v in kw.items())


def float_inputs(
    *,
    variants: Sequence[dict] = ({},),
    scale: float = 3.0,
    domain: tuple[float, float] | None = None,
    extreme: float | None = 1e4,
    float32: bool = True,
) -> tuple[CaseFactory, CaseFactory]:
    """(public, hidden) factories for a function of one float array (elementwise or along
    an axis): ``f(x, **variant)``. ``domain`` draws uniformly from (low, high) instead of a
    normal with ``scale``; ``extreme`` is the magnitude of the hidden extreme group (None: no
    such group)."""
    default, *others = [dict(v) for v in variants]

    def draw(g: Gen, shape, dtype=np.float64, magnitude=None):
        if domain is not None and magnitude is None:
            return g.uniform(*shape, low=domain[0], high=domain[1], dtype=dtype)
        return g.normal(*shape, scale=magnitude or scale, dtype=dtype)

    def public(g: Gen) -> Iterable[Case]:
        for shape in PUBLIC_SHAPES:
            yield case("basic", draw(g, shape), **default)
        if float32:
            yield case("float32", draw(g, (3, 5), np.float32), **default)
        for kw in others:
            yield case(_variant_name(kw), draw(g, (4, 3)), **kw)

    def hidden(g: Gen) -> Iterable[Case]:
        for shape in HIDDEN_SHAPES:
            yield case("shapes", draw(g, shape), **default)
        if extreme is not None:
            big = draw(g, (4, 6), magnitude=extreme)
            big[0, :2] = (-extreme, extreme)
            yield case("extreme", big, **default)
            if float32:
                yield case("extreme", big.astype(np.float32), **default)
        for kw in others:
            yield case(_variant_name(kw), draw(g, (2, 5, 3)), **kw)

    return public, hidden


def with_grad_output(forward: Callable, factory: CaseFactory) -> CaseFactory:
    """Turn forward cases into backward cases: prepend a random ``grad_output`` shaped (and
    typed) like the reference forward's output."""

    def live(value):  # a seeded generator marker as the generator the driver will make
        return np.random.default_rng(value.seed) if isinstance(value, Rng) else value

    def make(g: Gen) -> Iterable[Case]:
        for c in factory(g):
            out = forward(*map(live, c.args), **{k: live(v) for k, v in c.kwargs.items()})
            outs = out if isinstance(out, tuple) else (out,)
            grads = tuple(
                g.normal(
                    *np.shape(o),
                    dtype=np.asarray(o).dtype
                    if np.issubdtype(np.asarray(o).dtype, np.floating)
                    else np.float64,
                )
                for o in outs
            )
            yield Case(c.group, grads + c.args, c.kwargs, steps=c.steps)

    return make


def pair(
    forward: Callable,
    backward: Callable,
    *,
    points: tuple[int, int],
    inputs: tuple[CaseFactory, CaseFactory],
    **options,
) -> list[Exercise]:
    """The forward exercise and its ``_backward`` exercise on the same inputs. If the forward
    is a worked example (shown in the book), only the backward is an exercise."""
    import importlib

    module = importlib.import_module(forward.__module__)
    out = []
    if forward.__name__ not in getattr(module, "__worked_examples__", ()):
        out.append(
            exercise(forward, points=points[0], public=inputs[0], hidden=inputs[1], **options)
        )
    out.append(
        exercise(
            backward,
            points=points[1],
            public=with_grad_output(forward, inputs[0]),
            hidden=with_grad_output(forward, inputs[1]),
            kind="backward",
            forward=forward,
            properties=("backward matches central differences of your own forward",),
            **options,
        )
    )
    return out
