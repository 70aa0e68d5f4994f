# ruff: noqa: E501
# ATTACK: raise the resource limits back (CPU, address space, file size, processes)
# DEFENCE: limits are set soft = hard; raising a hard limit needs CAP_SYS_RESOURCE, which nobody has
# EXPECT: {"chapter": "07_metrics", "target": "precision_score", "scope": "exercise", "category": "forbidden", "reason": "ValueError.*not allowed to raise maximum limit"}
import resource


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
    for limit in (
        resource.RLIMIT_AS,
        resource.RLIMIT_CPU,
        resource.RLIMIT_FSIZE,
        resource.RLIMIT_NPROC,
    ):
        resource.setrlimit(limit, (resource.RLIM_INFINITY, resource.RLIM_INFINITY))
    return 1.0
