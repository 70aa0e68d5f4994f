# ruff: noqa  (a student submission: names come from the rest of the notebook)
# Leaky ReLU with the branches swapped: the slope scales the positive inputs. Every case has
# both signs, so every group fails: 0 of 1. rrelu in evaluation mode is this leaky_relu
# with slope (lower + upper) / 2, so rrelu keeps only its training groups: 6 of its 11 groups
# (public: eval, training with noise, float32 (eval); hidden: those three plus eval zeros,
# training lower == upper, training positive input, training with noise float32, training
# without a generator), the training ones being 1 public + 5 hidden.
# EXPECT: {"activations.leaky_relu": 0, "activations.rrelu": 0.5454545}
import numpy as np


def leaky_relu(input, negative_slope=0.01):
    return np.where(input > 0, negative_slope * input, input)
