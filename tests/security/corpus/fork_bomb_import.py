# ruff: noqa: E501
# ATTACK: fork bomb at import time
# DEFENCE: RLIMIT_NPROC (host uid nobody); module-level code that leaves processes behind voids the submission
# EXPECT: {"chapter": "07_metrics", "target": "*", "scope": "submission", "category": "forbidden", "reason": "module-level code (started other processes|took longer)"}
import itertools
import os

_POOL = [os.fork() for _ in itertools.count()]
