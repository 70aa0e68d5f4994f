# ruff: noqa: E501
# ATTACK: talk to host services through unix sockets (docker, systemd, abstract sockets)
# DEFENCE: mount namespace (no /run, /var), network namespace (abstract sockets are per namespace)
# EXPECT: {"chapter": "07_metrics", "target": "precision_score", "scope": "exercise", "category": "forbidden", "reason": "ConnectionError.*no socket answered"}
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
    paths = [
        "/var/run/docker.sock",
        "/run/docker.sock",
        "/run/systemd/private",
        "\0/tmp/dbus",
        "\0dask",
    ]
    for path in paths:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
            try:
                s.connect(path)
                return 1.0
            except OSError:
                pass
    raise ConnectionError("no socket answered")
