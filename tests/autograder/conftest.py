import pytest

from . import postgres


@pytest.fixture(scope="session")
def postgres_server():
    """One real PostgreSQL server per test process (see tests/autograder/postgres.py)."""
    with postgres.server() as url:
        yield url


@pytest.fixture
def postgres_url(postgres_server):
    """A new empty database on that server."""
    return postgres.new_database(postgres_server)
