# ruff: noqa: E501
# ATTACK: kill the parent at import time
# DEFENCE: as kill_parent
# EXPECT: {"chapter": "07_metrics", "target": "*", "scope": "submission", "category": "crash", "reason": "killed or stopped the grading process"}
import os
import signal

_ = os.kill(os.getppid(), signal.SIGKILL)
