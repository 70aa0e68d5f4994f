"""Grading on a Dask cluster (a real ``distributed.LocalCluster`` with worker processes)
gives exactly the local pool's results, and the CLI's ``--dask`` writes the same gradebook."""

from __future__ import annotations

import json

import pytest

from autograder import cluster, extract, notebooks
from autograder.grade import grade_submissions
from autograder.gradebook import Gradebook

from .test_cli_workflow import CHAPTER, run_cli, write_submissions

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def local_cluster():
    from distributed import LocalCluster

    with LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
    ) as lc:
        yield lc


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    root = tmp_path_factory.mktemp("dask") / "subs"
    write_submissions(root)
    return root


def test_submissions_survive_the_json_round_trip(folder):
    for sub in extract.load(folder):
        back = cluster.submission_from_json(json.loads(json.dumps(cluster.submission_to_json(sub))))
        assert back == sub


def test_dask_results_equal_the_local_run(local_cluster, folder):
    subs = extract.load(folder)
    local, _ = grade_submissions(subs, workers=1)
    seen = []
    remote, layers = cluster.grade_on_dask(
        local_cluster.scheduler_address,
        subs,
        batch_size=2,
        on_result=lambda i, r: seen.append(i),
    )
    assert [r.to_json() for r in remote] == [r.to_json() for r in local]
    assert sorted(seen) == list(range(len(subs)))
    assert "namespaces" in layers
    assert any(r.points > 0 for r in remote) and any(r.points == 0 for r in remote)


def test_cli_dask_writes_the_same_gradebook(local_cluster, folder, tmp_path):
    local_url = f"sqlite:///{tmp_path / 'local.db'}"
    dask_url = f"sqlite:///{tmp_path / 'dask.db'}"
    run_cli("grade", folder, "--db", local_url, "--json")
    code, out = run_cli(
        "grade", folder, "--db", dask_url, "--json", "--dask", local_cluster.scheduler_address
    )
    assert code == 0 and len(json.loads(out)["submissions"]) == 5

    def table(url):
        with Gradebook(url) as book:
            return [
                (r.student_id, r.exercise_id, r.score, r.status, r.reason, r.cases)
                for r in book.rows("0.1.0")
            ]

    assert table(dask_url) == table(local_url)
    # resumable on Dask too
    code, out = run_cli(
        "grade", folder, "--db", dask_url, "--json", "--dask", local_cluster.scheduler_address
    )
    again = json.loads(out)
    assert len(again["skipped"]) == 5 and all(s["stored"] for s in again["submissions"])


def test_a_worker_with_another_grader_version_is_refused(local_cluster, monkeypatch):
    sub = extract.parse(
        "x.ipynb", notebooks.dumps(notebooks.student_notebook(CHAPTER)).encode(), ".ipynb"
    )
    monkeypatch.setattr(cluster, "__version__", "0.0.0-parent")
    with pytest.raises(RuntimeError, match="grader version"):
        cluster.grade_on_dask(local_cluster.scheduler_address, [sub])
