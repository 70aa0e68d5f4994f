# ruff: noqa  (a student submission: names come from the rest of the notebook)
# ERRATA (init): Xavier normal with Var = 1/(fan_in + fan_out) (the 2 is missing). All groups.
# EXPECT: {"init.xavier_normal_": 0}
import numpy as np


def xavier_normal_(array, gain=1.0, generator=None):
    fan_in, fan_out = fans(array)
    std = gain * np.sqrt(1.0 / (fan_in + fan_out))
    rng = generator if generator is not None else np.random.default_rng()
    array[...] = rng.normal(0.0, std, array.shape)
    return array


def fans(array):
    receptive = int(np.prod(array.shape[2:]))
    return array.shape[1] * receptive, array.shape[0] * receptive
