"""Known mistakes and their diagnosis (issue 18).

* the declarations: at least 40, each with a sentence, a "Common mistakes" entry on its
  chapter's page that shows it (a code cell), the reference's signature, a unique id;
* the diagnosis logic (autograder/diagnosis.py) on small hand-made situations;
* the measured accuracy, through official grading in the sandbox (the run shared with
  test_grading.py): over the buggy corpus plus one generated wrong variant per declared
  mistake, the share diagnosed with the right mistake (target >= 90 %), and over every correct
  and alternative-correct submission, the number of false diagnoses (must be 0).
"""

from __future__ import annotations

import ast
import inspect
import json
from pathlib import Path

import numpy as np
import pytest

from autograder import diagnosis, mistakes, registry
from autograder.compare import compare
from autograder.engine import CaseResult, expected_output, run_case
from autograder.feedback import check_exercise

from . import corpus_grading

ROOT = Path(__file__).resolve().parents[2]

#: What each buggy corpus submission must be diagnosed as, exercise by exercise (written from
#: the corpus files' own comments, not from the declarations). Exercises that lose points only
#: because they call a buggy function (info_nce, rrelu) have no entry: no mistake is declared
#: for them, so none is counted. A corpus file missing here counts every exercise it loses as
#: a miss.
CORPUS_EXPECT = {
    "00_backprop/divides_by_h": {"backprop.gradient_check": "central-difference-over-h"},
    "00_backprop/forward_difference": {"backprop.gradient_check": "forward-difference"},
    "00_backprop/ignores_wrt": {"backprop.gradient_check": "gradient-check-ignores-wrt"},
    "01_init/kaiming_mode_ignored": {"init.kaiming_uniform_": "kaiming-mode-ignored"},
    "01_init/lecun_called_xavier": {"init.lecun_normal_": "lecun-called-xavier"},
    "01_init/xavier_wrong_constant": {"init.xavier_normal_": "xavier-missing-2"},
    "02_norm/bn_backward_missing_term": {"norm.batch_norm_backward": "bn-backward-missing-term"},
    "02_norm/bn_minus_eps": {"norm.batch_norm": "bn-minus-eps"},
    "02_norm/bn_running_var_biased": {"norm.batch_norm": "bn-running-var-biased"},
    "02_norm/group_norm_divides_by_variance": {"norm.group_norm": "norm-divides-by-variance"},
    "03_activations/gelu_erf_without_sqrt2": {"activations.gelu": "gelu-erf-without-sqrt2"},
    "03_activations/leaky_relu_slope_on_positives": {
        "activations.leaky_relu": "leaky-relu-branches-swapped"
    },
    "03_activations/softmax_no_max_subtraction": {
        "activations.log_softmax": "softmax-overflow",
        "activations.softmax_backward": "softmax-backward-overflow",
        "activations.log_softmax_backward": "log-softmax-backward-overflow",
    },
    "04_losses/bce_positive_term_only": {"losses.binary_cross_entropy": "bce-positive-term-only"},
    "04_losses/ce_mean_over_classes": {"losses.cross_entropy": "ce-mean-over-classes"},
    "04_losses/kl_sign_error": {"losses.kl_div": "kl-sign"},
    "04_losses/nll_applies_log_again": {"losses.nll_loss_backward": "nll-applies-log-again"},
    "05_optimizers/adagrad_no_sqrt": {"optim.Adagrad": "adagrad-no-sqrt"},
    "05_optimizers/adam_no_bias_correction": {"optim.Adam": "adam-no-bias-correction"},
    "05_optimizers/cosine_annealing_off_by_one": {
        "lr_scheduler.CosineAnnealingLR": "cosine-off-by-one"
    },
    "05_optimizers/sgd_ema_momentum": {"optim.SGD": "sgd-ema-momentum"},
    "06_regularization/fgm_double_negative": {"regularization.fgm": "fgm-double-negative"},
    "06_regularization/l1_half_coefficient": {"regularization.l1_penalty": "l1-half-coefficient"},
    "06_regularization/smoothing_over_k_minus_1": {
        "regularization.label_smoothing": "smoothing-over-k-minus-1"
    },
    "07_metrics/f1_macro_harmonic_mean": {"metrics.f1_score": "f1-macro-harmonic-mean"},
    "07_metrics/f1_micro_macro_swapped": {"metrics.f1_score": "micro-macro-swapped"},
    "07_metrics/recall_is_precision": {"metrics.recall_score": "recall-is-precision"},
    "08_ensembles/ema_without_first_copy": {
        "ensembles.AveragedModel": "averaging-without-first-copy"
    },
    "08_ensembles/vote_ignores_tie_break": {"ensembles.vote": "vote-ignores-tie-break"},
    "08_ensembles/weighted_average_extra_one_over_t": {
        "ensembles.weighted_average_backward": "weighted-average-extra-one-over-t"
    },
    "10_shapes/conv_weight_grad_first_sample": {
        "shapes.conv2d_backward": "conv-weight-grad-one-sample"
    },
    "10_shapes/cover_forgets_bias": {"shapes.cover_count": "cover-forgets-bias"},
    "10_shapes/pool_ceil_without_padding_rule": {
        "shapes.pool_output_shape": "pool-ceil-window-in-padding"
    },
    "10_shapes/rf_jump_updated_first": {"shapes.receptive_field": "rf-jump-updated-first"},
}
TARGET_ACCURACY = 0.9


# ------------------------------------------------------------------------- declarations


def test_at_least_forty_mistakes_across_every_chapter():
    declared = mistakes.all_mistakes()
    assert len(declared) >= 40
    # a milestone (a whole pipeline, chapter 09) reports the first part that differs instead
    chapters = {e.chapter for e in registry.all_exercises() if e.kind != "pipeline"}
    assert {m.chapter for m in declared} == chapters
    assert len({m.id for m in declared}) == len(declared)


@pytest.mark.parametrize("m", mistakes.all_mistakes(), ids=lambda m: m.id)
def test_declaration_is_complete(m):
    ex = registry.get(m.exercise)
    assert m.sentence.endswith(".") and 40 <= len(m.sentence) <= 400, m.sentence
    wrong = inspect.signature(m.wrong)
    right = inspect.signature(ex.reference)

    def shape(sig):  # a mistake about a default (adam-beta2-default) may change only that
        return [(p.name, p.kind, "default" in m.id or p.default) for p in sig.parameters.values()]

    assert shape(wrong) == shape(right), f"{m.id}: signature {wrong} is not the reference's {right}"
    assert m.link == f"chapters/{ex.chapter}/{m.page}.html#{m.anchor}"


def _common_mistakes_span(lines: list[str]) -> tuple[int, int]:
    """First and last line index of the "Common mistakes" section (code fences skipped)."""
    start = next(i for i, t in enumerate(lines) if t.lstrip("#").strip() == "Common mistakes")
    level = len(lines[start]) - len(lines[start].lstrip("#"))
    fenced = False
    for i in range(start + 1, len(lines)):
        text = lines[i]
        if text.startswith("```"):
            fenced = (text.strip() != "```") if not fenced else False
        hashes = len(text) - len(text.lstrip("#"))
        if not fenced and 0 < hashes <= level and text[hashes : hashes + 1] == " ":
            return start, i
    return start, len(lines)


def _top_level_names(source: str) -> set[str]:
    out = set()
    for node in ast.parse(source).body:
        if isinstance(node, ast.FunctionDef | ast.ClassDef):
            out.add(node.name)
        elif isinstance(node, ast.Assign):
            out |= {t.id for t in node.targets if isinstance(t, ast.Name)}
    return out


@pytest.mark.parametrize("m", mistakes.all_mistakes(), ids=lambda m: m.id)
def test_a_generated_variant_redefines_only_its_own_function(m):
    """The variant pasted after the chapter's correct notebook (as_submission) must leave the
    notebook's other definitions alone: a helper of the mistakes module named like one of the
    reference's (``_per_channel`` once) would break the correct functions that call it."""
    notebook = corpus_grading.solution(m.chapter)
    defined = set().union(
        *(
            _top_level_names("".join(c["source"]))
            for c in notebook["cells"]
            if c["cell_type"] == "code"
        )
    )
    function = registry.get(m.exercise).function
    clashes = _top_level_names(corpus_grading.variant_source(m)) & defined - {function}
    assert clashes == set()


@pytest.mark.parametrize("m", mistakes.all_mistakes(), ids=lambda m: m.id)
def test_link_target_is_a_common_mistakes_entry_that_shows_it(m):
    """The anchor is on the chapter page the link names, inside its "Common mistakes"
    section, followed by its text and, in that section, a code cell (numbers computed when
    the book is built; a few entries share one)."""
    page = ROOT / "chapters" / m.chapter / f"{m.page}.md"
    lines = page.read_text(encoding="utf-8").splitlines()
    start, end = _common_mistakes_span(lines)
    where = [i for i, t in enumerate(lines) if t.strip() == f"({m.anchor})="]
    assert where, f"{m.id}: no ({m.anchor})= in {page.relative_to(ROOT)}"
    line = where[0]
    assert start < line < end, f"({m.anchor})= is outside 'Common mistakes' of {page.name}"
    following = lines[line + 1 : end]
    assert following and following[0].strip(), f"({m.anchor})= is followed by nothing"
    assert any(t.startswith("```{code-cell}") for t in following), (
        f"({m.anchor})= is followed by no code cell in its section"
    )


def test_no_bundled_module_needs_the_wrong_code():
    """The bundle's modules import autograder.mistakes only inside functions that a bundle
    never runs (writing a bundle) or that fall back without it (diagnosis)."""
    from autograder.release import BUNDLED_MODULES

    assert not any(name.startswith("mistakes") for name in BUNDLED_MODULES)
    for name in BUNDLED_MODULES:
        tree = ast.parse((ROOT / "autograder" / name).read_text())
        top = [n for n in tree.body if isinstance(n, ast.Import | ast.ImportFrom)]
        names = {a.name for n in top for a in n.names} | {
            f"{n.module}" for n in top if isinstance(n, ast.ImportFrom)
        }
        assert not {"mistakes", "autograder.mistakes", "solutions"} & names, name


# --------------------------------------------------------------------------- the logic


def _run(exercise_id: str, student):
    """(exercise, cases, passed?, outputs) of ``student`` on every case, in-process."""
    ex = registry.get(exercise_id)
    cases, oks, gots = ex.cases(), [], []
    for c in cases:
        try:
            with np.errstate(all="ignore"):
                got = run_case(ex, student, c)
        except Exception:  # noqa: BLE001 - a raised case has no output
            oks.append(False)
            gots.append(diagnosis.ERROR)
            continue
        oks.append(compare(ex, expected_output(ex, c), got).ok)
        gots.append(got)
    return ex, cases, oks, gots


def _diagnose(ex, cases, oks, gots):
    return diagnosis.diagnose(ex, cases, oks, gots, lambda c: expected_output(ex, c))


def test_a_correct_function_is_never_diagnosed():
    ex, cases, oks, gots = _run("losses.kl_div", registry.get("losses.kl_div").reference)
    assert all(oks)
    assert _diagnose(ex, cases, oks, gots) == {}


def test_a_matching_mistake_names_its_failing_groups_and_no_passing_one():
    ex, cases, oks, gots = _run("losses.kl_div", mistakes.get("kl-batchmean-as-mean").wrong)
    found = _diagnose(ex, cases, oks, gots)
    failing = {(c.group, c.hidden) for c, ok in zip(cases, oks, strict=True) if not ok}
    assert failing and set(found) == failing  # the batchmean groups, public and hidden
    assert {k.id for k in found.values()} == {"kl-batchmean-as-mean"}
    assert len(failing) < len(ex.groups)


def test_a_match_on_only_some_failing_cases_of_a_group_is_no_diagnosis():
    ex = registry.get("losses.kl_div")
    known = next(k for k in diagnosis.known_for(ex.id) if k.id == "kl-swapped-arguments")
    cases = [c for c in ex.cases() if c.group == "reduction" and not c.hidden]
    assert len(cases) >= 2
    swapped = [diagnosis.mistake_output(ex, known, c) for c in cases]
    gots = [swapped[0]] + [np.asarray(s) * 1.5 for s in swapped[1:]]  # another bug after
    assert _diagnose(ex, cases, [False] * len(cases), gots) == {}
    assert _diagnose(ex, cases, [False] * len(cases), swapped)[("reduction", False)] == known


def test_a_case_that_raised_is_never_explained():
    ex = registry.get("losses.kl_div")
    cases = ex.cases(hidden=False)
    assert _diagnose(ex, cases, [False] * len(cases), [diagnosis.ERROR] * len(cases)) == {}


def test_a_mistake_that_gives_the_right_answer_explains_nothing():
    ex = registry.get("losses.kl_div")
    cases = [c for c in ex.cases(hidden=False) if c.group != "reduction=batchmean"]
    right = [expected_output(ex, c) for c in cases]  # "failing" cases with the right output
    found = _diagnose(ex, cases, [False] * len(cases), right)
    assert "kl-batchmean-as-mean" not in {k.id for k in found.values()}


def test_check_names_the_mistake_with_its_sentence_and_link():
    m = mistakes.get("kl-swapped-arguments")
    report = check_exercise(registry.get("losses.kl_div"), m.wrong)
    text = " ".join(report.text().split())
    assert f"Known mistake ({m.id})" in text and m.sentence in text
    assert f"See Common mistakes: {m.link}" in text
    assert m.link == "chapters/04_losses/mistakes.html#mistake-kl-swapped"
    assert all(r.mistake == m.id for r in report.results if not r.ok)


def test_apply_marks_only_failing_cases():
    m = mistakes.get("kl-batchmean-as-mean")
    ex, cases, oks, gots = _run("losses.kl_div", m.wrong)
    results = [CaseResult(c.name, c.group, c.hidden, ok) for c, ok in zip(cases, oks, strict=True)]
    found = diagnosis.apply(ex, cases, results, gots, lambda c: expected_output(ex, c))
    assert (found["id"], found["sentence"], found["link"]) == (m.id, m.sentence, m.link)
    failing = {(c.group, c.hidden) for c, ok in zip(cases, oks, strict=True) if not ok}
    assert found["groups"] == found["failing_groups"] == len(failing)
    assert all(bool(r.mistake) == (not r.ok) for r in results)


def test_describe_turns_an_id_back_into_its_text():
    m = mistakes.get("adam-no-bias-correction")
    k = diagnosis.describe(m.id)
    assert (k.sentence, k.link, k.exercise) == (m.sentence, m.link, "optim.Adam")
    assert diagnosis.describe("no-such-mistake") is None and diagnosis.describe(None) is None


# ------------------------------------------------------------------ measured accuracy


def _diagnosed(result) -> dict[str, str | None]:
    return {e.id: (e.mistake or {}).get("id") for e in result.exercises}


@pytest.fixture(scope="module")
def measured(graded_everything):
    """(items, correct submissions, false diagnoses, everything graded); an item is
    (submission, exercise, expected mistake id, diagnosed id)."""
    graded = graded_everything[0]
    items = []
    for chapter, name, _, expect in corpus_grading.corpus():
        if not expect:
            continue
        key = f"{chapter}/{name}"
        result = graded[f"corpus/{key}"]
        wanted = CORPUS_EXPECT.get(key)
        for e in result.exercises:
            if e.points < e.max_points and (wanted is None or e.id in wanted):
                items.append(
                    (f"corpus/{key}", e.id, (wanted or {}).get(e.id), _diagnosed(result)[e.id])
                )
    for m in mistakes.all_mistakes():
        result = graded[f"variant/{m.id}"]
        items.append((f"variant/{m.id}", m.exercise, m.id, _diagnosed(result)[m.exercise]))
    correct = [r for name, r in graded.items() if name.startswith("solution/") or "/alt_" in name]
    false = [
        f"{r.name}: {e.id} -> {e.mistake['id']}" for r in correct for e in r.exercises if e.mistake
    ]
    return items, correct, false, graded


@pytest.mark.slow
@pytest.mark.xdist_group("corpus")
def test_diagnosis_accuracy_over_the_corpus_and_the_variants(measured):
    items = measured[0]
    right = [i for i in items if i[2] is not None and i[2] == i[3]]
    corpus = [i for i in items if i[0].startswith("corpus/")]
    variants = [i for i in items if i[0].startswith("variant/")]
    share = len(right) / len(items)
    print(
        f"\ndiagnosis: {len(right)} of {len(items)} right ({100 * share:.1f} %); corpus "
        f"{sum(i in right for i in corpus)}/{len(corpus)}, variants "
        f"{sum(i in right for i in variants)}/{len(variants)}"
    )
    assert share >= TARGET_ACCURACY, [i for i in items if i not in right]
    assert len(corpus) >= 36 and len(variants) == len(mistakes.all_mistakes())


@pytest.mark.slow
@pytest.mark.xdist_group("corpus")
def test_no_false_diagnosis_on_correct_submissions(measured):
    _, correct, false, _ = measured
    print(f"\nfalse diagnoses: {len(false)} over {len(correct)} correct submissions")
    assert len(correct) >= len(registry.chapters()) + 5
    assert false == []


@pytest.mark.slow
@pytest.mark.xdist_group("corpus")
def test_no_diagnosis_on_a_passing_case_or_a_full_mark_exercise(measured):
    bad = []
    for r in measured[3].values():
        for e in r.exercises:
            if e.mistake and e.points == e.max_points:
                bad.append(f"{r.name}: {e.id} has full marks and a diagnosis")
            bad += [f"{r.name}: {e.id}/{c.name}" for c in e.cases if c.ok and c.mistake]
    assert bad == []


@pytest.mark.slow
@pytest.mark.xdist_group("corpus")
def test_the_grading_json_carries_the_diagnosis_on_hidden_cases_too(measured):
    m = mistakes.get("kl-swapped-arguments")
    data = json.loads(json.dumps(measured[3][f"variant/{m.id}"].to_json()))
    kl = next(e for e in data["exercises"] if e["id"] == "losses.kl_div")
    assert (kl["mistake"]["id"], kl["mistake"]["link"]) == (m.id, m.link)
    assert all(c.get("mistake") == m.id for c in kl["cases"] if not c["ok"])
    assert any(c["hidden"] and c.get("mistake") == m.id for c in kl["cases"])


def test_gradescope_output_names_the_mistake_in_each_part():
    from autograder.export import gradescope_results

    m = mistakes.get("kl-swapped-arguments")
    cases = [
        {"name": n, "group": "basic", "hidden": h, "ok": False, "reason": "wrong", "mistake": m.id}
        for n, h in (("basic-1", False), ("hidden-basic-1", True))
    ]
    ex = {
        "id": m.exercise,
        "function": "kl_div",
        "points": 0.0,
        "max_points": 1,
        "status": "graded",
        "reason": "basic-1: wrong",
        "mistake": diagnosis.describe(m.id).to_json(),
        "cases": cases,
    }
    data = gradescope_results(
        [{"submission": "s.ipynb", "error": "", "notes": [], "exercises": [ex]}]
    )
    parts = [t for t in data["tests"] if t["name"].startswith(m.exercise)]
    assert len(parts) == 2
    for t in parts:
        assert f"Known mistake ({m.id}): {m.sentence} See Common mistakes: {m.link}" in t["output"]
