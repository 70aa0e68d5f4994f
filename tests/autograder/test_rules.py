"""Every rule the grader enforces is stated with the exercise, and the grader does what the
statement says it accepts or refuses."""

import json

import numpy as np
import pytest

from autograder import engine, registry
from autograder.compare import compare
from autograder.notebooks import ROOT

EXERCISES = registry.all_exercises()


def _grade(ex, fn, cases=None):
    results = []
    for c in cases or ex.cases():
        try:
            results.append(engine.judge(ex, c, engine.run_case(ex, fn, c)))
        except Exception as exc:  # noqa: BLE001 - a failing submission
            results.append(engine.judge(ex, c, error=type(exc).__name__))
    return results


@pytest.mark.parametrize("chapter", registry.chapters())
def test_every_statement_states_its_graded_rules(chapter):
    nb = json.loads((ROOT / "chapters" / chapter / "exercises.ipynb").read_text())
    text = "\n".join("".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "markdown")
    for ex in registry.exercises_for_chapter(chapter):
        assert ex.rules, ex.id
        for rule in ex.rules:
            assert rule in text, f"{ex.id}: rule not in the notebook: {rule[:60]}"


def test_rules_say_what_each_kind_enforces():
    by_kind = {}
    for ex in EXERCISES:
        by_kind.setdefault(ex.kind, ex)
    assert "IN PLACE" in " ".join(by_kind["optimizer"].rules)
    assert "in place" in " ".join(by_kind["inplace"].rules)
    assert "same array" in " ".join(by_kind["initializer"].rules)
    assert "param_groups" in " ".join(by_kind["scheduler"].rules)
    assert "signature order" in " ".join(by_kind["backward"].rules)
    ce = " ".join(registry.get("losses.cross_entropy").rules)
    assert "`weight=None`" in ce and "float32 in, float32 out" in ce
    assert "rtol 0.0002" in ce  # the float32 tolerance, as DEFAULT_RTOL says


def test_a_number_may_be_a_python_float_a_numpy_scalar_or_a_0d_array():
    ex = registry.get("losses.l1_loss")
    c = next(c for c in ex.cases() if c.group == "basic")
    expected = engine.expected_output(ex, c)
    assert np.ndim(expected) == 0
    value = float(expected)
    for got in (value, np.float64(value), np.array(value), np.float32(value)):
        assert compare(ex, expected, got).ok, type(got)


def test_a_list_where_an_array_is_expected_is_refused_with_what_to_return():
    ex = registry.get("activations.sigmoid")
    c = ex.cases()[0]
    expected = engine.expected_output(ex, c)
    verdict = compare(ex, expected, expected.tolist())
    assert not verdict.ok and "np.asarray" in verdict.reason


def test_a_float32_array_result_must_stay_float32():
    ex = registry.get("activations.sigmoid")
    c = next(c for c in ex.cases() if c.group == "float32")
    expected = engine.expected_output(ex, c)
    assert expected.dtype == np.float32
    verdict = compare(ex, expected, expected.astype(np.float64))
    assert not verdict.ok and "float precision" in verdict.reason


def test_an_optimizer_must_update_the_given_arrays_in_place():
    from solutions import optim

    class Rebinding(optim.SGD):
        """Right values, but new arrays: the caller's arrays never move."""

        def step(self, grads):
            for group in self.param_groups:
                group["params"] = [
                    p - group["lr"] * g for p, g in zip(group["params"], grads, strict=True)
                ]

    ex = registry.get("optim.SGD")
    cases = [c for c in ex.cases() if c.kwargs == {"lr": 0.1, "momentum": 0.9}]
    assert not any(r.ok for r in _grade(ex, Rebinding, cases))
    assert all(r.ok for r in _grade(ex, optim.SGD, cases))


def test_running_statistics_must_be_updated_in_place():
    from solutions import norm

    def rebinding(input, running_mean=None, running_var=None, *args, **kwargs):
        copies = [None if a is None else a.copy() for a in (running_mean, running_var)]
        return norm.instance_norm(input, *copies, *args, **kwargs)

    ex = registry.get("norm.instance_norm")
    cases = [c for c in ex.cases() if c.group == "running stats"]
    assert cases and not any(r.ok for r in _grade(ex, rebinding, cases))
    assert all(r.ok for r in _grade(ex, norm.instance_norm, cases))


def test_rrelu_uses_noise_in_the_inputs_dtype_and_works_without_a_generator():
    """The statement of rrelu (and rrelu_backward) says the noise is used in the input's
    dtype and that training needs no generator; independent wrong versions lose points."""
    from solutions import activations

    def noise_dtype_kept(
        input, lower=1 / 8, upper=1 / 3, training=False, generator=None, noise=None
    ):
        x = np.asarray(input)
        if training and noise is not None:
            return np.where(x > 0, x, x * np.asarray(noise))  # float32 * float64 -> float64
        return activations.rrelu(x, lower, upper, training, generator, noise)

    def needs_a_generator(
        input, lower=1 / 8, upper=1 / 3, training=False, generator=None, noise=None
    ):
        if training and noise is None:
            slopes = generator.uniform(lower, upper, size=np.shape(input))
            return np.where(np.asarray(input) > 0, input, slopes * input)
        return activations.rrelu(input, lower, upper, training, generator, noise)

    ex = registry.get("activations.rrelu")
    for wrong, group in [
        (noise_dtype_kept, "training with noise, float32"),
        (needs_a_generator, "training, no generator"),
    ]:
        cases = [c for c in ex.cases() if c.group == group]
        assert cases and not any(r.ok for r in _grade(ex, wrong, cases)), group
        assert all(r.ok for r in _grade(ex, activations.rrelu, cases))
    # the forward of the mixed-dtype case keeps float32
    c = next(c for c in ex.cases() if c.group == "training with noise, float32")
    assert c.kwargs["noise"].dtype == np.float64
    assert engine.expected_output(ex, c).dtype == np.float32
