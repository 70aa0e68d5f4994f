"""The reference-output cache must never serve one case's answer to another."""

import gc

import numpy as np

from autograder import engine, registry


def _exercise(exercise_id: str):
    return next(e for e in registry.all_exercises() if e.id == exercise_id)


def test_cache_entry_dies_with_its_case():
    """Entries keyed by object id must go with the object, or a later case allocated at the
    same address (e.g. drawn from another hidden seed) would get the stale answer."""
    ex = _exercise("metrics.f1_score")
    cases = ex.cases(hidden=True, hidden_seed="first")
    engine.expected_output(ex, cases[0])
    key = id(cases[0])
    assert key in engine._EXPECTED
    del cases
    gc.collect()
    assert key not in engine._EXPECTED


def test_hidden_seeds_give_their_own_expected_values():
    ex = _exercise("metrics.mean_absolute_error")
    for seed in ("a", "b", "a", "c"):
        for case in ex.cases(hidden=True, hidden_seed=seed):
            fresh = engine.run_case(ex, ex.reference, case)
            np.testing.assert_array_equal(engine.expected_output(ex, case), fresh)
