# ruff: noqa: E501
# ATTACK: an infinite loop at import time (a module-level assignment that never finishes)
# DEFENCE: CPU-time limit on the module-level code (re-run once)
# EXPECT: {"chapter": "07_metrics", "target": "*", "scope": "submission", "category": "timeout", "reason": "module-level code took longer than the time limit"}
import itertools

_WARMUP = sum(1 for _ in itertools.count())
