# ruff: noqa: E501
# ATTACK: fork bomb at import time
# DEFENCE: seccomp refuses fork (EPERM): the statement fails, a note says so, and nothing else depends on it; behind it RLIMIT_NPROC and the rule that module-level code leaving processes voids the submission
# EXPECT: {"chapter": "07_metrics", "target": "*", "scope": "graded", "category": "forbidden", "reason": "-", "note": "PermissionError.*Operation not permitted"}
import itertools
import os

_POOL = [os.fork() for _ in itertools.count()]
