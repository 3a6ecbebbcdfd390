"""CRM links: templates checked at start, values percent-encoded, no link when a field is missing; on the call page
and the person page."""
import pytest

from appliance import config, crm, store
from rec_helpers import seed
from web_helpers import logged_in
from webui.app import make_app


def test_fill_encodes_and_skips_missing_fields():
    assert crm.fill("https://crm/x?phone={number}&ext={extension}", number="+90 532", extension="201") == \
        "https://crm/x?phone=%2B90%20532&ext=201"
    assert crm.fill("https://crm/x?acct={account_code}", number="1") is None
    assert crm.fill("", number="1") is None
    assert crm.fill("https://crm/x/{number}", number="../../admin") == "https://crm/x/..%2F..%2Fadmin"


@pytest.mark.parametrize("ini, match", [("call_url = javascript:alert(1)//{number}", "not an http"),
                                        ("call_url = https://crm/{phone}", r"unknown field \{phone\}"),
                                        ("person_url = ftp://hr/{person}", "not an http")])
def test_bad_templates_are_refused_naming_the_option(ini, match):
    with pytest.raises(config.ConfigError, match=r"\[crm\] .*" + match):
        crm.read_settings(config.Config(text=f"[crm]\n{ini}\n"))


def test_call_and_person_pages_link_to_the_crm(tmp_path):
    seed(tmp_path, "[crm]\ncall_url = https://crm.example.com/find?phone={number}&who={person}\n"
                   "person_url = https://hr.example.com/people/{person}\n")
    app = make_app(tmp_path)
    try:
        client, _ = logged_in(app, "admin", "administrator", "all")
        cid = next(c["id"] for c in client.get("/api/calls").json if c["party"] == "0612345678")
        assert 'href="https://crm.example.com/find?phone=0612345678&amp;who=P1"' in client.get(f"/calls/{cid}").text
        people = client.get("/directory").text
        link = people.split('href="/directory/person/', 1)[1].split('"', 1)[0]
        assert 'href="https://hr.example.com/people/P' in client.get("/directory/person/" + link).text
    finally:
        store.close_db()
