# ruff: noqa  (a student submission: names come from the rest of the notebook)
# Alternative correct implementation: standard normal scaled afterwards. Full marks.
# EXPECT: {}
import numpy as np


def xavier_normal_(array, gain=1.0, generator=None):
    fan_in, fan_out = fans(array)
    rng = generator if generator is not None else np.random.default_rng()
    z = rng.standard_normal(array.shape).astype(array.dtype)
    array[...] = z * (gain * (2.0 / (fan_in + fan_out)) ** 0.5)
    return array


def fans(array):
    receptive = int(np.prod(array.shape[2:]))
    return array.shape[1] * receptive, array.shape[0] * receptive
