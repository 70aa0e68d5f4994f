# ruff: noqa  (a student submission: names come from the rest of the notebook)
# ERRATA (init): "N(0, 1/n) is Xavier" confusion, the other way round: LeCun normal sampled
# with the Xavier variance 2/(fan_in + fan_out). Every shape tested differs. All groups.
# EXPECT: {"init.lecun_normal_": 0}
import numpy as np


def lecun_normal_(array, generator=None):
    fan_in, fan_out = fans(array)
    rng = generator if generator is not None else np.random.default_rng()
    array[...] = rng.normal(0.0, np.sqrt(2.0 / (fan_in + fan_out)), array.shape)
    return array


def fans(array):
    receptive = int(np.prod(array.shape[2:]))
    return array.shape[1] * receptive, array.shape[0] * receptive
