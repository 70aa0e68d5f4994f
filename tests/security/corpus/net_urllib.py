# ruff: noqa: E501
# ATTACK: HTTP request with urllib (download the answers, upload the inputs)
# DEFENCE: network namespace
# EXPECT: {"chapter": "07_metrics", "target": "precision_score", "scope": "exercise", "category": "forbidden", "reason": "URLError|OSError"}
import urllib.request


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
    with urllib.request.urlopen("http://93.184.215.14/answers.json", timeout=2) as r:
        return float(r.read())
