# ruff: noqa: E501
# ATTACK: connect to every TCP port on 127.0.0.1 and ::1 (the grader's, a Jupyter or Dask scheduler's)
# DEFENCE: seccomp refuses sockets other than AF_UNIX (EPERM); behind it the network namespace: the sandbox's loopback is its own, the host's ports do not exist there
# EXPECT: {"chapter": "07_metrics", "target": "precision_score", "scope": "exercise", "category": "forbidden", "reason": "PermissionError.*Operation not permitted|ConnectionError.*no port answered|timed out after"}
import socket


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
    for family, host in ((socket.AF_INET, "127.0.0.1"), (socket.AF_INET6, "::1")):
        for port in range(1, 65536):
            with socket.socket(family, socket.SOCK_STREAM) as s:
                s.settimeout(0.05)
                if s.connect_ex((host, port)) == 0:
                    s.sendall(b"pwned")
                    return float(port)
    raise ConnectionError("no port answered")
