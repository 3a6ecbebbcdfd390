"""A re-rate asked on the web (/tariffs, appliance/rating/asked.py): the web leaves the request, the worker prices
the stored calls again when it has no new lines to read, as `callbox rerate` does (billed periods kept), and leaves
its result for the page."""

from test_billed import doubled_turkcell
from test_pipeline import run_cli
from test_pricing import CONFIG, calls, priced_site

from appliance import config, store
from appliance.ingest.worker import Worker
from appliance.paths import Paths
from appliance.rating import asked


def worker_step(data, text: str = CONFIG) -> None:
    cfg = config.Config(text=text)
    cfg.set("pbx", "driver", "avaya_ipoffice")
    worker = Worker(Paths(data), cfg)
    try:
        assert worker.step() == 0          # nothing new to read: the worker does what was asked
    finally:
        store.close_db()


def test_the_worker_prices_the_calls_again_keeping_billed_periods_and_says_so(tmp_path, capsys):
    data, ini = priced_site(tmp_path, capsys)
    rc, _, err = run_cli(capsys, "period", "close", "--data", str(data), "--config", str(ini),
                         "--since", "2024-04-01", "--until", "2024-04-05")
    assert rc == 0, err
    doubled_turkcell(tmp_path, capsys, data)
    assert calls(capsys, data, ini)["5"]["cost"] == "0.65"     # the old price until priced again
    asked.ask(data, None, "ayşe")
    assert asked.pending(data)["by"] == "ayşe"
    worker_step(data)
    assert asked.pending(data) is None
    last = asked.last(data)
    assert (last["calls"], last["billed_kept"], last["by"]) == (1, 4, "ayşe")
    assert last["billed_periods"][0].startswith("default 2024-04-01") and last["done_utc"] >= last["asked_utc"]
    after = calls(capsys, data, ini)
    assert (after["1"]["cost"], after["5"]["cost"]) == ("0.95", "1.30")   # billed: kept; Saturday: the new price
    worker_step(data)                      # asked once, done once
    assert asked.last(data)["done_utc"] == last["done_utc"]


def test_a_re_rate_since_a_day_leaves_the_earlier_calls(tmp_path, capsys):
    data, ini = priced_site(tmp_path, capsys)
    doubled_turkcell(tmp_path, capsys, data)
    asked.ask(data, 1712350800, "ayşe")    # 2024-04-06 00:00 in Istanbul: the Saturday call only
    worker_step(data)
    assert asked.last(data)["calls"] == 1
    after = calls(capsys, data, ini)
    assert (after["1"]["cost"], after["5"]["cost"]) == ("0.95", "1.30")


def test_without_a_numbering_plan_the_request_is_answered_with_the_reason(tmp_path, capsys):
    data, ini = priced_site(tmp_path, capsys)
    asked.ask(data, None, "ayşe")
    worker_step(data, "[pbx]\ntimezone = Europe/Istanbul\n")
    last = asked.last(data)
    assert last["error"] == "no_numbering" and "country" in last["detail"] and asked.pending(data) is None
    assert calls(capsys, data, ini)["1"]["cost"] == "0.95"


def test_a_re_rate_that_classifies_again_reads_the_numbering_plan_anew(tmp_path, capsys):
    """After a change of [numbers] (here the country, as if it had been set wrong), only a re-rate with reclassify
    sees it, as `callbox rerate --reclassify`."""
    data, ini = priced_site(tmp_path, capsys)
    before = calls(capsys, data, ini)["1"]
    moved = CONFIG.replace("country = TR", "country = PL").replace("area_codes = 232\n", "")
    asked.ask(data, None, "ayşe")
    worker_step(data, moved)
    assert calls(capsys, data, ini)["1"]["kind"] == before["kind"]     # the stored classification is reused
    asked.ask(data, None, "ayşe", reclassify=True)
    worker_step(data, moved)
    assert asked.last(data)["reclassify"] is True
    assert calls(capsys, data, ini)["1"]["kind"] != before["kind"] == "mobile"
