# ruff: noqa  (a student submission: names come from the rest of the notebook)
# Kaiming uniform that ignores mode="fan_out": loses that group (public + hidden), 2 of 8.
# EXPECT: {"init.kaiming_uniform_": 2.25}
import numpy as np


def kaiming_uniform_(array, a=0, mode="fan_in", nonlinearity="leaky_relu", generator=None):
    fan_in, _ = fans(array)
    bound = calculate_gain(nonlinearity, a) * np.sqrt(3.0 / fan_in)
    rng = generator if generator is not None else np.random.default_rng()
    array[...] = rng.uniform(-bound, bound, array.shape)
    return array


def fans(array):
    receptive = int(np.prod(array.shape[2:]))
    return array.shape[1] * receptive, array.shape[0] * receptive
