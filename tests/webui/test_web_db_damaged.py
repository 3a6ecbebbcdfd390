"""A damaged callbox.db is a red line on the home page for whoever sees the whole box (issue 13, finding 8),
within the alert pass that finds it; the page opens for everyone, without the calls it cannot read."""
from __future__ import annotations

import pytest

from appliance import config, store
from appliance.alerts import check
from test_db_damage import damage_table, imported
from web_helpers import logged_in
from webui.app import make_app

CFG = "[pbx]\ntenant = default\ntimezone = Europe/Warsaw\n"


@pytest.fixture
def app(tmp_path):
    data = imported(tmp_path / "box")
    damage_table(data / "callbox.db", "leg")
    store.open_db(data / "callbox.db")
    try:
        check.evaluate(config.Config(text=CFG), data, sender=lambda action: None)   # the jobs process, each minute
    finally:
        store.close_db()
    yield make_app(data, config.Config(text=CFG))
    store.close_db()


def test_the_home_page_says_the_database_is_damaged_to_the_box_administrator(app):
    html = logged_in(app, "root", "administrator", "all")[0].get("/").text
    assert 'id="db-damaged"' in html and "is damaged" in html and "callbox db rebuild" in html


def test_a_tenant_administrator_does_not_get_the_box_status(app):
    html = logged_in(app, "tadmin", "administrator", "tenant")[0].get("/").text
    assert 'id="db-damaged"' not in html


def test_the_alerts_page_lists_the_database_condition_as_raised(app):
    html = logged_in(app, "root", "administrator", "all")[0].get("/alerts").text
    raised = html.split('<table class="raised">')[1].split("</table>")[0]
    assert "<code>db</code>" in raised and "is damaged" in raised
