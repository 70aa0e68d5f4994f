# ruff: noqa: E501
# ATTACK: write a frame by hand on the result pipe whose .npy is a pickle (object dtype)
# DEFENCE: the manager loads .npy with allow_pickle=False and checks the header: the frame is refused, the child killed
# EXPECT: {"chapter": "07_metrics", "target": "precision_score", "scope": "exercise", "category": "invalid", "reason": "malformed result"}
import io
import json
import os
import stat
import struct

import numpy as np


class Payload:
    def __reduce__(self):
        return (exec, ("open('/tmp/pwned_npy', 'w').write('pwned')",))


def _pipes():
    for fd in range(3, 256):
        try:
            if stat.S_ISFIFO(os.fstat(fd).st_mode):
                yield fd
        except OSError:
            pass


def precision_score(
    y_true,
    y_pred,
    *,
    labels=None,
    pos_label=1,
    average="binary",
    sample_weight=None,
    zero_division="warn",
):
    buf = io.BytesIO()
    np.save(buf, np.array([Payload()], dtype=object), allow_pickle=True)
    header = json.dumps(
        {
            "id": "metrics.precision_score",
            "status": "ran",
            "signature": [],
            "cases": [{"name": "x", "output": {"__npy__": 0}}],
        }
    ).encode()
    parts = [header, buf.getvalue()]
    sizes = struct.pack(f"<{len(parts) + 1}Q", len(parts), *map(len, parts))
    frame = sizes + b"".join(parts)  # the count, each part's length, then the parts
    for fd in _pipes():
        os.write(fd, frame)
    os._exit(0)
