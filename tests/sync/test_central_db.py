"""[central] database: what is refused before anything connects, and the SQLite-only SQL rewritten for PostgreSQL."""
import pytest

from appliance import paths
from appliance.store import central_db


def test_a_password_in_the_url_or_another_scheme_is_refused(tmp_path):
    with pytest.raises(central_db.CentralDbError, match="password_file"):
        central_db.open_central("postgresql://callbox:secret@127.0.0.1:5432/hq", "", tmp_path)
    with pytest.raises(central_db.CentralDbError, match="expected postgresql://"):
        central_db.open_central("mysql://callbox@127.0.0.1/hq", "", tmp_path)


def test_the_password_file_must_be_private(tmp_path):
    pw = tmp_path / "pw"
    pw.write_text("x\n")
    pw.chmod(0o644)
    with pytest.raises(paths.SecretFileError, match="chmod 600"):
        central_db.open_central("postgresql://callbox@127.0.0.1:1/hq", "pw", tmp_path)


def test_an_unreachable_server_is_a_config_error_naming_it(tmp_path):
    with pytest.raises(central_db.CentralDbError, match="127.0.0.1:1/hq"):
        central_db.open_central("postgresql://callbox@127.0.0.1:1/hq", "", tmp_path)
    central_db.use_sqlite()


def test_sqlite_sql_is_rewritten_for_postgresql(monkeypatch):
    monkeypatch.setattr(central_db, "is_postgres", lambda: True)
    text = ("SELECT CAST(strftime('%Y%m', ((start_utc + utc_offset) / 86400) * 86400, 'unixepoch') AS INTEGER), "
            "((start_utc + utc_offset) % 86400), SUM(CASE WHEN cost IS NULL OR cost = '' THEN 0 ELSE "
            "CAST(ROUND(CAST(cost AS REAL) * 1000000) AS INTEGER) END) FROM central_call WHERE tenant IN (?, ?)")
    assert central_db.sql(text) == (
        "SELECT CAST(to_char(to_timestamp(((start_utc + utc_offset) / 86400) * 86400) AT TIME ZONE 'UTC', 'YYYYMM') "
        "AS INTEGER), ((start_utc + utc_offset) %% 86400), SUM(CASE WHEN cost IS NULL OR cost = '' THEN 0 ELSE "
        "CAST(ROUND(CAST(cost AS NUMERIC) * 1000000) AS BIGINT) END) FROM central_call WHERE tenant IN (%s, %s)")


def test_a_question_mark_in_a_quoted_literal_stays_text(monkeypatch):
    """Reports' direction tests for IP Office's "?NAME" party with substr(party, 1, 1) = '?': on PostgreSQL that ?
    is text, not a parameter (it was, and a central's report by direction failed with an IndexError)."""
    monkeypatch.setattr(central_db, "is_postgres", lambda: True)
    text = "SELECT 'it''s ?', party LIKE '5%' FROM central_call WHERE substr(party, 1, 1) = '?' AND branch = ?"
    assert central_db.sql(text) == (
        "SELECT 'it''s ?', party LIKE '5%%' FROM central_call WHERE substr(party, 1, 1) = '?' AND branch = %s")
