# ruff: noqa  (a student submission: names come from the rest of the notebook)
# Leaky ReLU with the branches swapped: the slope scales the positive inputs. Every case has
# both signs, so every group fails: 0 of 1. rrelu in evaluation mode is this leaky_relu
# with slope (lower + upper) / 2, so rrelu keeps only its training groups (3 of 8 since the
# float32 training group was added).
# EXPECT: {"activations.leaky_relu": 0, "activations.rrelu": 0.375}
import numpy as np


def leaky_relu(input, negative_slope=0.01):
    return np.where(input > 0, negative_slope * input, input)
