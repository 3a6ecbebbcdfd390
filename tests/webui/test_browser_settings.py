"""Issue 20: a numbering setting and a mail setting changed on /settings in a real browser: the page says what
restarts to read them, callbox.ini has them (its comments kept), the page shows them. Real web process, headless
Debian chromium."""
from __future__ import annotations

import pytest

from browser_helpers import Recorder, log_in, nav_to, seed, web_process

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def site(tmp_path_factory, browser):
    data = tmp_path_factory.mktemp("browser-settings")
    seed(data)
    ini = data / "callbox.ini"
    ini.write_text("# the Warsaw office\n" + ini.read_text(encoding="utf-8"), encoding="utf-8")
    with web_process(data) as url:
        yield url, browser, ini


def test_a_numbering_and_a_mail_setting_changed_on_the_page(site):
    url, browser, ini = site
    context = browser.new_context(viewport={"width": 1366, "height": 800}, ignore_https_errors=True)
    page = context.new_page()
    seen = Recorder(page)
    log_in(page, url, "admin")
    nav_to(page, "/settings")
    page.wait_for_url(url + "/settings")
    numbers = page.locator("form[action='/settings/save']:has(input[name=section][value=numbers])")
    page.locator("details.settings-edit:has(input[value=numbers]) summary").click()
    numbers.locator("input[name=country]").fill("PL")
    numbers.locator("input[name=access_codes]").fill("0")
    numbers.locator("button[type=submit]").click()
    page.wait_for_selector("#numbers ~ p.banner.ok")
    assert "Restarting to read it: the worker, background jobs." in page.locator("p.banner.ok").inner_text()
    assert "PL" in page.locator("dl.cards").first.inner_text()

    page.goto(url + "/settings?lang=tr")
    page.locator("details.settings-edit:has(input[value=mail]) summary").click()
    mail = page.locator("form[action='/settings/save']:has(input[name=section][value=mail])")
    mail.locator("input[name=host]").fill("smtp.example.com")
    mail.locator("input[name=from_address]").fill("Callbox <callbox@example.com>")
    mail.locator("select[name=security]").select_option("starttls")
    mail.locator("button[type=submit]").click()
    page.wait_for_selector("#mail ~ p.banner.ok")
    banner = page.locator("p.banner.ok").inner_text()
    assert "Okumak için yeniden başlatılıyor: arka plan işleri." in banner, banner
    assert "smtp.example.com:587" in page.content()
    text = ini.read_text(encoding="utf-8")
    assert text.startswith("# the Warsaw office\n[pbx]\n")
    assert "[numbers]\ncountry = PL\naccess_codes = 0\n" in text
    assert "host = smtp.example.com" in text and "from_address = Callbox <callbox@example.com>" in text
    assert seen.errors == []
    context.close()
