"""The sync tests' servers: one real PostgreSQL for the session (tests/servers/pg_server.py), started on first use."""
import pytest

import pg_server


@pytest.fixture(scope="session")
def postgres():
    server = pg_server.start()
    yield server
    server.close()


@pytest.fixture(params=["sqlite", "postgresql"])
def engine(request):
    """The central's engine: its own SQLite database, or a fresh database on the session's PostgreSQL."""
    return request.getfixturevalue("postgres") if request.param == "postgresql" else None
