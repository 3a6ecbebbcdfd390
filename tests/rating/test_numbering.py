"""appliance.numbering: dialled digits -> E.164 -> class, for Turkey, the Czech Republic and Norway (RAT-3)."""
from __future__ import annotations

import configparser

import phonenumbers
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from appliance.rating import numbering
from appliance.rating.numbering import (KINDS, NumberingPlan, Override, classify, classify_call, normalize,
                                        plan_from_options)
from conftest import REPO

TR_IZMIR = plan_from_options({"country": "TR", "access_codes": "9", "area_codes": "232",
                              "extensions": "[23][0-9]{2}"})
TR_ISTANBUL_0 = plan_from_options({"country": "TR", "access_codes": "0", "area_codes": "212, 216"})
TR_BARE = plan_from_options({"country": "TR", "area_codes": "0232"})
CZ_0 = plan_from_options({"country": "CZ", "access_codes": "0", "extensions": "[1-8][0-9]{2}"})
CZ_BARE = plan_from_options({"country": "CZ"})
NO_9 = plan_from_options({"country": "NO", "access_codes": "9", "extensions": "[1-8][0-9]{3}"})
NO_0 = plan_from_options({"country": "NO", "access_codes": "0"})
US_9 = plan_from_options({"country": "US", "access_codes": "9", "area_codes": "212"})
PLANS = [TR_IZMIR, TR_ISTANBUL_0, TR_BARE, CZ_0, CZ_BARE, NO_9, NO_0, US_9]


def check(plan, dialled, number, kind, country="", operator="", region="", direction="out"):
    assert normalize(dialled, plan, direction) == number
    c = classify_call(dialled, plan, direction)
    assert (c.number, c.kind, c.country, c.operator, c.region) == (number, kind, country, operator, region)
    assert c == classify(number, plan) or direction == "internal"
    assert c.e164 == (number if number.startswith("+") else "")


# ---------------------------------------------------------------- Turkey: 0 trunk prefix, 3-digit area codes

@pytest.mark.parametrize("dialled, number, kind, operator, region", [
    ("905321234567", "+905321234567", "mobile", "Turkcell", ""),
    ("9 0542 123 45 67#", "+905421234567", "mobile", "Vodafone", ""),
    ("9P05051234567", "+905051234567", "mobile", "Turk Telekom", ""),
    ("9,0555-123 45 67", "+905551234567", "mobile", "Turk Telekom", ""),
    ("902324123456", "+902324123456", "local", "", "Izmir"),
    ("94123456", "+902324123456", "local", "", "Izmir"),              # 7 digits: the home area code added
    ("4123456#", "+902324123456", "local", "", "Izmir"),              # ... also without the access code
    ("902121234567", "+902121234567", "long_distance", "", "Istanbul (Europe)"),
    ("902161234567", "+902161234567", "long_distance", "", "Istanbul (Anatolia)"),
    ("903121234567", "+903121234567", "long_distance", "", "Ankara"),
    ("902242123456", "+902242123456", "long_distance", "", "Bursa"),
    ("94441234", "+904441234", "long_distance", "", ""),              # 444: 7 digits, but not local
    ("904441234", "+904441234", "long_distance", "", ""),
    ("908502221234", "+908502221234", "long_distance", "", ""),
    ("908002112233", "+908002112233", "toll_free", "", ""),
    ("909001234567", "+909001234567", "premium", "", ""),
    ("9 00 49 30 1234567", "+49301234567", "international_fixed", "", "Berlin"),
    ("9 00 44 7400 123456 #", "+447400123456", "international_mobile", "Three", ""),
    ("9 00 1 212 555 1234", "+12125551234", "international_fixed", "", "New York, NY"),
    ("9 0090 532 123 45 67", "+905321234567", "mobile", "Turkcell", ""),   # own country code via 00
    ("+33612345678", "+33612345678", "international_mobile", "SFR", ""),
])
def test_turkey_izmir_access_code_9(dialled, number, kind, operator, region):
    country = "TR" if number.startswith("+90") else phonenumbers.region_code_for_number(
        phonenumbers.parse(number))
    check(TR_IZMIR, dialled, number, kind, country, operator, region)


@pytest.mark.parametrize("dialled, number, kind", [
    ("9112", "112", "emergency"), ("112", "112", "emergency"), ("9155", "155", "emergency"),
    ("110", "110", "emergency"), ("9182", "182", "short_code"),
    ("215", "215", "internal"), ("399#", "399", "internal"), ("*72", "*72", "short_code"),
])
def test_turkey_short_numbers_and_extensions(dialled, number, kind):
    check(TR_IZMIR, dialled, number, kind, "TR")


@pytest.mark.parametrize("dialled, number, kind, region", [
    ("005321234567", "+905321234567", "mobile", ""),
    ("00212 123 45 67", "+902121234567", "local", "Istanbul (Europe)"),
    ("00216 123 45 67", "+902161234567", "local", "Istanbul (Anatolia)"),   # both sides of Istanbul are home
    ("01234567", "+902121234567", "local", "Istanbul (Europe)"),            # the first area code is prepended
    ("00232 412 34 56", "+902324123456", "long_distance", "Izmir"),
    ("000 49 30 1234567", "+49301234567", "international_fixed", "Berlin"),
    ("0112", "112", "emergency", ""),
    ("05321234567", "+905321234567", "mobile", ""),                         # printed without the access code
])
def test_turkey_istanbul_access_code_0(dialled, number, kind, region):
    c = classify_call(dialled, TR_ISTANBUL_0)
    assert (c.number, c.kind, c.region) == (number, kind, region)


@pytest.mark.parametrize("dialled, number, kind", [
    ("5321234567", "+905321234567", "mobile"), ("05321234567", "+905321234567", "mobile"),
    ("905321234567", "+905321234567", "mobile"), ("+90 532 123 45 67", "+905321234567", "mobile"),
    ("2324123456", "+902324123456", "local"), ("4123456", "+902324123456", "local"),
    ("00493012345678", "+493012345678", "international_fixed"),
    ("Anonymous", "Anonymous", "unknown"), ("", "", "unknown"), ("  ", "", "unknown"),
])
def test_turkey_incoming_caller_ids(dialled, number, kind):
    c = classify_call(dialled, TR_BARE, "in")
    assert (c.number, c.kind) == (number, kind)


# ---------------------------------------------------------------- Czech Republic: no trunk prefix, no area codes

@pytest.mark.parametrize("dialled, number, kind, operator, region", [
    ("0 224 123 456", "+420224123456", "local", "", "Prague"),
    ("0581123456", "+420581123456", "local", "", "Olomouc Region"),      # no long distance: decision, docstring
    ("0595 123 456#", "+420595123456", "local", "", "Moravian-Silesian Region"),
    ("0601123456", "+420601123456", "mobile", "O2", ""),
    ("0603123456", "+420603123456", "mobile", "T-Mobile", ""),
    ("0775123456", "+420775123456", "mobile", "Vodafone", ""),
    ("0721123456", "+420721123456", "mobile", "O2", ""),
    ("0800123456", "+420800123456", "toll_free", "", ""),
    ("0900123456", "+420900123456", "premium", "", ""),
    ("0841123456", "+420841123456", "long_distance", "", ""),            # shared cost: national rate
    ("0 00 421 905 123 456", "+421905123456", "international_mobile", "Orange", ""),
    ("0 00 49 30 1234567", "+49301234567", "international_fixed", "", "Berlin"),
    ("000 90 532 123 45 67", "+905321234567", "international_mobile", "Turkcell", ""),
])
def test_czech_republic_access_code_0(dialled, number, kind, operator, region):
    country = phonenumbers.region_code_for_number(phonenumbers.parse(number))
    check(CZ_0, dialled, number, kind, country, operator, region)


@pytest.mark.parametrize("dialled, number, kind", [
    ("0112", "112", "emergency"), ("0155", "155", "emergency"), ("0158", "158", "emergency"),
    ("0150", "150", "emergency"), ("01180", "1180", "short_code"), ("112", "112", "emergency"),
    ("201", "201", "internal"),
])
def test_czech_short_numbers_and_extensions(dialled, number, kind):
    check(CZ_0, dialled, number, kind, "CZ")


def test_czech_numbers_have_no_trunk_prefix():
    assert classify_call("224123456", CZ_BARE).kind == "local"
    assert classify_call("800123456", CZ_BARE).kind == "toll_free"
    # A 0 in front is not a trunk prefix to strip: without an access code this is not a Czech number.
    assert classify_call("0800123456", CZ_BARE).kind == "unknown"
    assert classify_call("00421905123456", CZ_BARE).kind == "international_mobile"


# ---------------------------------------------------------------- Norway: 8 digits, no area codes

@pytest.mark.parametrize("dialled, number, kind, operator, region", [
    ("922123456", "+4722123456", "local", "", "Oslo"),
    ("9 55 12 34 56", "+4755123456", "local", "", "Hordaland"),
    ("973123456", "+4773123456", "local", "", "Sør-Trøndelag"),
    ("941234567", "+4741234567", "mobile", "telia", ""),
    ("948123456", "+4748123456", "mobile", "telenor norge", ""),
    ("991234567", "+4791234567", "mobile", "chilimobil", ""),
    ("91234567", "+4791234567", "mobile", "chilimobil", ""),     # 9xxxxxxx printed without the access code
    ("98123456#", "+4798123456", "mobile", "telia", ""),
    ("980012345", "+4780012345", "toll_free", "", ""),
    ("982012345", "+4782012345", "premium", "", ""),
    ("981512345", "+4781512345", "long_distance", "", ""),
    ("9 00 46 8 123 456 78", "+46812345678", "international_fixed", "", "Stockholm"),
    ("9 0044 20 7123 4567", "+442071234567", "international_fixed", "", "London"),
])
def test_norway_access_code_9(dialled, number, kind, operator, region):
    country = phonenumbers.region_code_for_number(phonenumbers.parse(number))
    check(NO_9, dialled, number, kind, country, operator, region)


@pytest.mark.parametrize("plan, dialled, number, kind", [
    (NO_9, "9110", "110", "emergency"), (NO_9, "9112", "112", "emergency"), (NO_9, "9113", "113", "emergency"),
    (NO_9, "113", "113", "emergency"), (NO_9, "91881", "1881", "short_code"), (NO_9, "2001", "2001", "internal"),
    (NO_0, "0110", "110", "emergency"), (NO_0, "091234567", "+4791234567", "mobile"),
    (NO_0, "022123456", "+4722123456", "local"), (NO_0, "00046812345678", "+46812345678", "international_fixed"),
    (NO_0, "002800", "+4702800", "long_distance"),
])
def test_norway_short_numbers_extensions_and_access_code_0(plan, dialled, number, kind):
    c = classify_call(dialled, plan)
    assert (c.number, c.kind) == (number, kind)


# ---------------------------------------------------------------- other plans, directions, overrides

@pytest.mark.parametrize("dialled, number, kind, country", [
    ("912125551234", "+12125551234", "local", "US"),
    ("913105551234", "+13105551234", "long_distance", "US"),
    ("95551234", "+12125551234", "local", "US"),
    ("918765551234", "+18765551234", "international_mobile", "JM"),   # +1 is shared: Jamaica is abroad
    ("9011442071234567", "+442071234567", "international_fixed", "GB"),
    ("9911", "911", "emergency", "US"),
])
def test_another_country_works_from_metadata_alone(dialled, number, kind, country):
    c = classify_call(dialled, US_9)
    assert (c.number, c.kind, c.country) == (number, kind, country)


def test_an_internal_call_is_internal_whatever_the_digits():
    assert classify_call("112", TR_IZMIR, "internal").kind == "internal"
    assert classify_call("9 112", TR_IZMIR, "internal").number == "9112"
    assert classify_call("112", TR_IZMIR, "out").kind == "emergency"


def test_overrides_fix_kind_operator_and_region_longest_prefix_first():
    plan = plan_from_options({"country": "TR", "area_codes": "232", "access_codes": "9", "overrides": """
        # company short codes and a mobile range phonenumbers does not know yet
        +90444 = local
        +90561 = kind=mobile; operator=Yeni Operatör
        +9050 = operator=Türk Telekom
        +90505 = operator=Türk Telekom Mobil
        1880 = short_code; region=Genel Müdürlük
    """})
    assert classify_call("94441234", plan).kind == "local"
    new = classify_call("905611234567", plan)
    assert (new.number, new.kind, new.operator, new.country, new.number_type) == (
        "+905611234567", "mobile", "Yeni Operatör", "TR", "UNKNOWN")
    assert classify_call("905611234567", TR_IZMIR).kind == "unknown"
    assert classify_call("905011234567", plan).operator == "Türk Telekom"
    assert classify_call("905051234567", plan).operator == "Türk Telekom Mobil"
    assert classify_call("905321234567", plan).operator == "Turkcell"
    company = classify_call("91880", plan)
    assert (company.number, company.kind, company.region, company.country) == (
        "1880", "short_code", "Genel Müdürlük", "TR")
    assert classify_call("91880", TR_IZMIR).kind == "unknown"


def test_a_plan_can_be_built_directly_with_a_mapping_of_overrides():
    plan = NumberingPlan("no", access_codes=("9",), overrides={"+4781": Override(kind="local")})
    assert plan.country == "NO" and plan.overrides == (("+4781", Override(kind="local")),)
    assert classify_call("981512345", plan).kind == "local"
    assert hash(plan) == hash(NumberingPlan("NO", ("9",), overrides={"+4781": Override("local")}))


def test_region_and_operator_names_in_the_sites_language():
    plan = plan_from_options({"country": "TR", "area_codes": "232", "language": "tr"})
    assert classify_call("02324123456", plan).region == "İzmir"


@pytest.mark.parametrize("options, message", [
    ({"country": "TR", "area_codes": "232", "colour": "blue"}, "colour: unknown option"),
    ({"area_codes": "232"}, "country: required"),
    ({"country": "XX"}, "country: 'XX' is not an ISO 3166"),
    ({"country": "Turkey"}, "country: 'Turkey'"),
    ({"country": "TR"}, "area_codes: TR numbers have area codes"),
    ({"country": "NO", "area_codes": "22"}, "area_codes: NO has no area codes"),
    ({"country": "TR", "area_codes": "izmir"}, "area_codes: 'izmir' is not 1-5 digits"),
    ({"country": "CZ", "access_codes": "9, x"}, "access_codes: 'x' is not 1-5 digits"),
    ({"country": "CZ", "extensions": "[1-"}, "extensions: '[1-' is not a regular expression"),
    ({"country": "CZ", "language": "Czech"}, "language: 'Czech'"),
    ({"country": "CZ", "overrides": "+420800 = cheap"}, "overrides: line 1 ('+420800 = cheap'): kind 'cheap'"),
    ({"country": "CZ", "overrides": "\n+420800\n"}, "overrides: line 2 ('+420800'): expected PREFIX ="),
    ({"country": "CZ", "overrides": "800x = local"}, "overrides: line 1 ('800x = local'): prefix '800x'"),
    ({"country": "CZ", "overrides": "+420 = local\n+420 = mobile"},
     "line 2 ('+420 = mobile'): prefix +420 is given twice"),
    ({"country": "CZ", "overrides": "+420 = colour=red"}, "'colour=red' is not kind=..."),
    ({"country": "CZ", "overrides": "+420 ="}, "nothing after '='"),
])
def test_bad_options_name_the_key(options, message):
    with pytest.raises(ValueError) as e:
        plan_from_options(options)
    assert message in str(e.value)


@pytest.mark.parametrize("path", sorted((REPO / "provisioning" / "examples").glob("numbering-*.ini")),
                         ids=lambda p: p.name)
def test_the_example_plans_load_and_do_what_their_comments_say(path):
    parser = configparser.ConfigParser(interpolation=None, default_section="__none__")
    parser.read(path, encoding="utf-8")
    plan = plan_from_options(dict(parser["numbers"]))
    expected = {"TR": [("9 444 12 34", "local"), ("9 412 34 56", "local"), ("9 0212 123 45 67", "long_distance"),
                       ("215", "internal"), ("1880", "short_code")],
                "CZ": [("0 224 123 456", "local"), ("0 00 421 905 123 456", "international_mobile")],
                "NO": [("912 34 567", "mobile"), ("9 912 34 567", "mobile"), ("9 113", "emergency")]}
    for dialled, kind in expected[plan.country]:
        assert classify_call(dialled, plan).kind == kind, dialled
    if plan.country == "TR":
        assert classify_call("1880", plan).region == "Genel Müdürlük yardım masası"


# ---------------------------------------------------------------- caching

def test_results_are_cached_per_plan():
    first = classify_call("903121234567", TR_IZMIR)
    assert classify_call("903121234567", TR_IZMIR) is first
    ankara = plan_from_options({"country": "TR", "access_codes": "9", "area_codes": "312"})
    assert classify_call("903121234567", ankara).kind == "local" and first.kind == "long_distance"


def test_a_full_cache_is_emptied_and_answers_stay_right(monkeypatch):
    monkeypatch.setattr(numbering, "_CACHE_MAX", 3)
    plan = plan_from_options({"country": "NO"})
    for i in range(10):
        assert classify_call(f"2212345{i}", plan).kind == "local"
        assert classify(f"+474812345{i}", plan).kind == "mobile"
    assert max(len(plan._caches.classified), *(len(d) for d in plan._caches.calls.values())) <= 3


# ---------------------------------------------------------------- properties

DIAL_CHARS = "0123456789+*#Pp ,-()"
FUZZ = settings(max_examples=300, deadline=None, derandomize=True, database=None)


@FUZZ
@given(dialled=st.one_of(st.text(alphabet=DIAL_CHARS, max_size=24), st.text(max_size=24)),
       plan=st.sampled_from(PLANS), direction=st.sampled_from(["in", "out", "internal", "bogus"]))
def test_normalize_and_classify_never_raise(dialled, plan, direction):
    number = normalize(dialled, plan, direction)
    assert isinstance(number, str)
    c = classify(number, plan)
    assert c.kind in KINDS and c.number == number
    assert classify_call(dialled, plan, direction).kind in KINDS
    if number.startswith("+") and c.kind != "unknown":
        assert normalize(number, plan, direction) == number        # E.164 is a fixed point


@FUZZ
@given(prefix=st.sampled_from(["530", "532", "535", "542", "544", "505", "506", "555", "501"]),
       rest=st.integers(0, 9_999_999))
def test_every_way_of_dialling_a_turkish_mobile_gives_one_number(prefix, rest):
    national = f"{prefix}{rest:07d}"
    e164 = "+90" + national
    forms = [f"90{national}", f"9 0 {prefix} {rest:07d}#", f"9P0090{national}",
             f"0{national}", national, e164]
    for form in forms:
        c = classify_call(form, TR_IZMIR)
        assert (c.number, c.kind) == (e164, "mobile"), form
    assert classify_call(f"00{national}", TR_ISTANBUL_0).number == e164


@FUZZ
@given(first=st.sampled_from("4923"), rest=st.integers(0, 9_999_999))
def test_norwegian_numbers_read_the_same_with_or_without_access_code_9(first, rest):
    number = f"{first}{rest:07d}"
    parsed = phonenumbers.parse(number, "NO")
    if not phonenumbers.is_valid_number(parsed):
        return
    assert normalize("9" + number, NO_9) == normalize(number, NO_9) == f"+47{number}"
