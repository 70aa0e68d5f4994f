# ruff: noqa: E501
# ATTACK: crash the interpreter with a segmentation fault (ctypes write through a null pointer)
# DEFENCE: the child dies alone; the manager reports the signal and forks a fresh child for the remaining exercises
# EXPECT: {"chapter": "03_activations", "target": "gelu", "scope": "exercise", "category": "crash", "reason": "segmentation fault"}
import ctypes
import os
import signal


def gelu(input, approximate="none"):
    ctypes.memset(0, 1, 64)
    os.kill(os.getpid(), signal.SIGSEGV)  # in case page 0 is mapped
