# ruff: noqa: E501
# ATTACK: os._exit(0) in the middle of grading (pretend everything finished)
# DEFENCE: a missing result frame is an early exit for this exercise; a fresh child grades the rest
# EXPECT: {"chapter": "03_activations", "target": "relu_backward", "scope": "exercise", "category": "crash", "reason": "exited early"}
import os


def relu_backward(grad_output, input):
    os._exit(0)
