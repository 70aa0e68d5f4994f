"""Grading on a Dask cluster: ``autograder grade ... --dask tcp://scheduler:8786``.

Each task grades a small batch of submissions on a Dask worker with exactly the local
sandboxed path (:func:`autograder.grade.grade_submissions`, one warm sandbox per task) and
returns plain JSON (``SubmissionResult.to_json()``): the parent rebuilds the results from
that JSON and writes the gradebook. The hidden-case seed is sent from the parent so every
worker grades the same hidden cases, and a worker running another grader version is refused.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable

from autograder.engine import CaseResult, ExerciseResult
from autograder.extract import Submission
from autograder.grade import SubmissionResult, chapter_of
from autograder.registry import HIDDEN_SEED_ENV
from autograder.version import __version__


def submission_to_json(sub: Submission) -> dict:
    return {
        "name": sub.name,
        "statements": sub.statements,
        "defined": sorted(sub.defined),
        "syntax_errors": [dict(e, names=sorted(e["names"])) for e in sub.syntax_errors],
        "error": sub.error,
        "sha256": sub.sha256,
    }


def submission_from_json(data: dict) -> Submission:
    return Submission(
        name=data["name"],
        statements=data["statements"],
        defined=set(data["defined"]),
        syntax_errors=[dict(e, names=set(e["names"])) for e in data["syntax_errors"]],
        error=data["error"],
        sha256=data["sha256"],
    )


def result_from_json(data: dict) -> SubmissionResult:
    """A :class:`SubmissionResult` rebuilt from its ``to_json()`` (for reports)."""
    exercises = [
        ExerciseResult(
            e["id"],
            e["function"],
            e["points"],
            e["max_points"],
            [
                CaseResult(
                    c["name"],
                    c["group"],
                    c["hidden"],
                    c["ok"],
                    c["reason"],
                    mistake=c.get("mistake", ""),
                )
                for c in e["cases"]
            ],
            e["status"],
            e["reason"],
            e.get("mistake"),
        )
        for e in data["exercises"]
    ]
    return SubmissionResult(
        data["submission"],
        data["chapter"],
        exercises,
        list(data["notes"]),
        data["error"],
        data.get("status", "graded"),
    )


def grade_batch(batch: list[dict], options: dict) -> dict:
    """Runs ON A DASK WORKER: grade ``batch`` (submission JSON) in the local sandbox.
    Returns ``{"grader_version", "sandbox", "results": [SubmissionResult JSON]}``."""
    from autograder.grade import grade_submissions

    subs = [submission_from_json(s) for s in batch]
    results, layers = grade_submissions(subs, **options)
    # A JSON round trip guarantees that only plain data travels back.
    return json.loads(
        json.dumps(
            {
                "grader_version": __version__,
                "sandbox": layers,
                "results": [r.to_json() for r in results],
            }
        )
    )


def _failed_batch(subs: list[Submission], chapter: str | None, exc: BaseException) -> dict:
    """What a batch whose task failed on the cluster (its worker died more often than the
    scheduler allows: ``KilledWorker``, a lost connection) returns: one ``infrastructure``
    result per submission (no score stored; the next run grades them)."""
    why = f"the Dask task grading it failed ({type(exc).__name__})"
    return {
        "grader_version": __version__,
        "sandbox": {},
        "results": [
            SubmissionResult(
                s.name, chapter_of(s, chapter), status="infrastructure", error=why
            ).to_json()
            for s in subs
        ],
    }


def grade_on_dask(
    address,
    subs: list[Submission],
    *,
    chapter: str | None = None,
    sandbox: bool = True,
    timeout: float | None = None,
    hidden_seed: str | None = None,
    batch_size: int | None = None,
    on_result: Callable[[int, SubmissionResult], None] | None = None,
    progress: Callable[[], None] | None = None,
) -> tuple[list[SubmissionResult], dict]:
    """Grade ``subs`` on the Dask cluster at ``address`` (a scheduler address or a
    ``distributed.Client``/``LocalCluster``); results in input order, as the local pool."""
    from distributed import Client, as_completed

    own_client = not isinstance(address, Client)
    client = Client(address) if own_client else address
    futures: dict = {}
    try:
        n_workers = max(1, len(client.scheduler_info().get("workers", {})))
        if batch_size is None:  # a few tasks per worker: balance vs one sandbox start per task
            batch_size = max(1, min(8, len(subs) // (4 * n_workers)))
        options = {
            "chapter": chapter,
            "workers": 1,
            "sandbox": sandbox,
            "timeout": timeout,
            "hidden_seed": hidden_seed
            if hidden_seed is not None
            else os.environ.get(HIDDEN_SEED_ENV, ""),
        }
        batches = [
            list(range(i, min(i + batch_size, len(subs)))) for i in range(0, len(subs), batch_size)
        ]
        for idx in batches:
            fut = client.submit(
                grade_batch,
                [submission_to_json(subs[i]) for i in idx],
                options,
                pure=False,
            )
            futures[fut] = idx
        out: list[SubmissionResult | None] = [None] * len(subs)
        layers: dict = {}
        for fut in as_completed(list(futures)):
            try:
                payload = fut.result()
            except Exception as exc:  # noqa: BLE001 - the task died (KilledWorker...): no score
                payload = _failed_batch([subs[i] for i in futures[fut]], chapter, exc)
            if payload["grader_version"] != __version__:
                raise RuntimeError(
                    f"a Dask worker runs grader version {payload['grader_version']}, this is "
                    f"{__version__}: install the same version on every worker"
                )
            layers.update(payload["sandbox"])
            for i, data in zip(futures[fut], payload["results"], strict=True):
                out[i] = result_from_json(data)
                if on_result:
                    on_result(i, out[i])
                if progress:
                    progress()
        return [r for r in out if r is not None], layers
    except BaseException:  # interrupted, or the gradebook cannot be written: stop the tasks
        client.cancel(list(futures))
        raise
    finally:
        if own_client:
            client.close()
