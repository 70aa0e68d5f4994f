"""scikit-learn's own metric tests, run against our functions (see ``sklearn_port``).

The installed scikit-learn's ``test_classification.py``, ``test_ranking.py`` and
``test_regression.py`` run with every ``sklearn.metrics`` function we implement replaced by
ours. Every ported test must pass, except those in ``NOT_APPLICABLE`` (each with its reason).
"""

from __future__ import annotations

import pytest

from tests.solutions import sklearn_port

pytestmark = pytest.mark.slow  # one pytest run of ~220 upstream cases (~15 s of CPU)

# Upstream tests that reach only our functions but test something we deliberately do not do.
NOT_APPLICABLE: dict[str, str] = {
    "test_hinge_loss_multiclass_no_consistent_pred_decision_shape": (
        "matches scikit-learn's message verbatim, including its missing space "
        "('1d arraywith'); ours reads '1d array with'"
    ),
    "test_log_loss_y_pred_deprecation": (
        "log_loss's y_pred= alias, deprecated in scikit-learn 1.9 (removed in 1.11): "
        "ours takes y_proba only"
    ),
    "test_d2_log_loss_score_y_pred_deprecation": (
        "d2_log_loss_score's y_pred= alias, deprecated in scikit-learn 1.9 (removed in 1.11): "
        "ours takes y_proba only, as log_loss"
    ),
    "test__check_targets": (
        "checks, in the same loop as the type merging, that a sparse multilabel target comes "
        "back as scipy CSR (.format == 'csr'): ours densifies sparse targets (numpy only)"
    ),
    "test__check_targets_sparse_inputs": (
        "same: a sparse multilabel target comes back dense; the TypeError for sparse "
        "binary/multiclass targets is matched"
    ),
    "test_confusion_matrix_at_thresholds_positional_args_deprecation": (
        "a positional pos_label, deprecated in scikit-learn 1.9: ours is keyword-only"
    ),
}


@pytest.fixture(scope="module")
def port(tmp_path_factory):
    return sklearn_port.run_port(tmp_path_factory.mktemp("port") / "report.json")


def test_every_ported_upstream_test_passes(port):
    failing = [
        nodeid
        for nodeid, outcome in port["ported"].items()
        if outcome == "failed" and nodeid.split("[")[0].split("::")[-1] not in NOT_APPLICABLE
    ]
    assert not failing, failing


def test_the_port_covers_the_metrics_we_have(port):
    """A broken substitution (nothing ported, or everything skipped) cannot pass silently."""
    counts = sklearn_port.summarize(port)
    assert counts["ported"] >= 195
    assert counts["nodes_passing"] >= 500
    ported_tests = {nodeid.split("::")[1].split("[")[0] for nodeid in port["ported"]}
    for name in (
        "test_confusion_matrix_dtype",
        "test_precision_recall_f1_score_binary",
        "test_roc_curve",
        "test_top_k_accuracy_score",
        "test_classification_report_multiclass",
        "test_calibration_curve",  # sklearn/tests/test_calibration.py
        "test_label_ranking_loss",
        "test_regression_metrics",
    ):
        assert name in ported_tests


def test_sklearn_invariance_tests_run_on_our_metrics(port):
    """test_common.py's invariances (symmetry, sample order, sample_weight, list vs array,
    string labels, NaN refusal...) run per metric for every metric of ours it names."""
    counts = sklearn_port.summarize(port)
    assert counts["common_cases"] >= 1500
    assert counts["common_passing"] >= 1400
    ported = {nodeid.split("::")[1] for nodeid in port["ported"] if "test_common" in nodeid}
    for case in (
        "test_binary_sample_weight_invariance[roc_auc_score]",
        "test_symmetric_metric[matthews_corrcoef_score]",
        "test_regression_sample_weight_invariance[mean_pinball_loss]",
        "test_format_invariance_with_1d_vectors[accuracy_score]",
    ):
        assert case in ported, case


def test_the_substitution_is_ours(tmp_path):
    """The plugin really puts our functions in sklearn.metrics (so a pass is ours)."""
    test = tmp_path / "test_probe.py"
    test.write_text(
        "import sklearn.metrics\n"
        "def test_probe():\n"
        "    assert sklearn.metrics.f1_score.__module__ == 'solutions.metrics'\n"
        "    from sklearn.metrics._classification import d2_brier_score\n"
        "    assert d2_brier_score.__module__ == 'solutions.metrics'\n"
        "    from sklearn.calibration import calibration_curve\n"
        "    assert calibration_curve.__module__ == 'solutions.metrics'\n"
    )
    import os
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-p",
            "tests.solutions.sklearn_port",
            "-q",
            "-p",
            "no:cacheprovider",
            "-o",
            "addopts=",
            str(test),
        ],
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(root)},
        capture_output=True,
        text=True,
        check=False,
    )
    assert "1 passed" in done.stdout, done.stdout + done.stderr
