"""Known mistakes of chapter 01 (initialization). Instructor material: see autograder/mistakes."""

import numpy as np

from autograder.mistakes import mistake
from solutions import init as _correct


def _fans(array):
    receptive = int(np.prod(array.shape[2:]))
    return array.shape[1] * receptive, array.shape[0] * receptive


def _fill_normal(array, std, generator):
    rng = generator if generator is not None else np.random.default_rng()
    array[...] = rng.normal(0.0, std, array.shape)
    return array


@mistake(
    "init.xavier_normal_",
    "xavier-missing-2",
    anchor="err-xavier-lecun",
    sentence="Xavier (Glorot) normal has variance 2 / (fan_in + fan_out): your variance is "
    "missing the 2.",
)
def xavier_normal___missing_2(array, gain=1.0, generator=None):
    fan_in, fan_out = _fans(array)
    return _fill_normal(array, gain * np.sqrt(1.0 / (fan_in + fan_out)), generator)


@mistake(
    "init.xavier_normal_",
    "xavier-wrong-fan",
    anchor="err-xavier-lecun",
    sentence="Xavier uses both fans, Var(W) = 2 / (fan_in + fan_out); 1 / fan_in alone is "
    "LeCun initialization.",
)
def xavier_normal___fan_in_only(array, gain=1.0, generator=None):
    fan_in, _ = _fans(array)
    return _fill_normal(array, gain * np.sqrt(1.0 / fan_in), generator)


@mistake(
    "init.lecun_normal_",
    "lecun-called-xavier",
    anchor="err-xavier-lecun",
    sentence="LeCun normal is N(0, 1 / fan_in); the variance 2 / (fan_in + fan_out) is Xavier's.",
)
def lecun_normal___xavier_variance(array, generator=None):
    fan_in, fan_out = _fans(array)
    return _fill_normal(array, np.sqrt(2.0 / (fan_in + fan_out)), generator)


@mistake(
    "init.kaiming_uniform_",
    "kaiming-mode-ignored",
    anchor="mistake-kaiming-mode",
    sentence="mode='fan_out' scales by the number of outputs (preserving the variance of the "
    "gradients in the backward pass): read fan_in or fan_out as mode says.",
)
def kaiming_uniform___mode_ignored(
    array, a=0, mode="fan_in", nonlinearity="leaky_relu", generator=None
):
    fan_in, _ = _fans(array)
    bound = _correct.calculate_gain(nonlinearity, a) * np.sqrt(3.0 / fan_in)
    rng = generator if generator is not None else np.random.default_rng()
    array[...] = rng.uniform(-bound, bound, array.shape)
    return array
