import pytest

from . import corpus_grading, postgres


@pytest.fixture(scope="session")
def postgres_server():
    """One real PostgreSQL server per test process (see tests/autograder/postgres.py)."""
    with postgres.server() as url:
        yield url


@pytest.fixture
def postgres_url(postgres_server):
    """A new empty database on that server."""
    return postgres.new_database(postgres_server)


@pytest.fixture(scope="session")
def graded_everything():
    """Solutions, stubs, the corpus and the known-mistake variants, graded once in the
    sandbox (see tests/autograder/corpus_grading.py): {name: SubmissionResult}, layers."""
    return corpus_grading.grade_everything()
