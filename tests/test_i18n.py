"""The catalogues, and dates, numbers, money and cadences in each language of the site."""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from babel.messages.catalog import Catalog

from playbook.i18n import SOURCE_LANGUAGE, _, language, using
from playbook.i18n import formatting as fmt
from playbook.i18n.catalogues import LANGUAGES, extract_template, read_catalogue, translations
from playbook.schedule import parse_cadence

from .sites import REPO

TRANSLATED = [code for code in LANGUAGES if code != SOURCE_LANGUAGE]
PLACEHOLDER = re.compile(r"\{[a-z_]+\}|%\([a-z_]+\)[sd]")


@pytest.fixture(scope="module")
def template() -> Catalog:
    return extract_template(REPO)


def _strings(string: str | tuple[str, ...]) -> tuple[str, ...]:
    return string if isinstance(string, tuple) else (string,)


@pytest.mark.parametrize("code", TRANSLATED)
def test_every_extracted_message_is_translated(code: str, template: Catalog) -> None:
    catalogue = read_catalogue(code)
    untranslated = []
    for message in template:
        if not message.id:
            continue
        found = catalogue.get(message.id, context=message.context)
        if found is None or not all(_strings(found.string)):
            untranslated.append(message.id)
    assert not untranslated, f"run scripts/catalogues.py and translate in {code}: {untranslated}"


@pytest.mark.parametrize("code", TRANSLATED)
def test_catalogue_compiles_and_keeps_every_placeholder(code: str) -> None:
    catalogue = read_catalogue(code)
    assert not list(catalogue.check())
    for message in catalogue:
        if not message.id:
            continue
        wanted = set(PLACEHOLDER.findall(_strings(message.id)[-1]))
        for string in _strings(message.string):
            assert set(PLACEHOLDER.findall(string)) == wanted, (code, message.id, string)
    translations.cache_clear()
    assert translations(code).gettext("every day") != "every day"


def test_the_source_language_needs_no_catalogue() -> None:
    with using("en"):
        assert _("every day") == "every day"
        assert language() == "en"
    assert language() == SOURCE_LANGUAGE


def test_a_language_is_in_force_inside_its_block_only() -> None:
    with using("pl"):
        assert _("every day") == "codziennie"
        with using("vi"):
            assert _("every day") == "hằng ngày"
        assert _("every day") == "codziennie"
    assert _("every day") == "every day"


DAY = datetime(2026, 12, 23, 14, 0, tzinfo=ZoneInfo("Europe/Warsaw"))

FORMATTED = {
    "en": ("Wed 23 Dec 2026", "Wed 23 Dec 2026, 14:00", "12,500.50\xa0EUR", "1,234,567"),
    "pl": ("śr., 23 gru 2026", "śr., 23 gru 2026, 14:00", "12\xa0500,50\xa0EUR", "1\xa0234\xa0567"),
    "vi": (
        "Thứ 4, 23 thg 12, 2026",
        "14:00 Thứ 4, 23 thg 12, 2026",
        "12.500,50\xa0EUR",
        "1.234.567",
    ),
    "hu": (
        "2026. dec. 23., Sze",
        "2026. dec. 23., Sze 14:00",
        "12\xa0500,50\xa0EUR",
        "1\xa0234\xa0567",
    ),
    "zh": ("2026年12月23日周三", "2026年12月23日周三 14:00", "12,500.50\xa0EUR", "1,234,567"),
}


@pytest.mark.parametrize("code", LANGUAGES)
def test_dates_numbers_and_money_follow_cldr(code: str) -> None:
    shown_day, shown_moment, shown_money, shown_number = FORMATTED[code]
    with using(code):
        assert fmt.day(DAY) == shown_day
        assert fmt.moment(DAY) == shown_moment
        assert fmt.money(Decimal("12500.50"), "EUR") == shown_money
        assert fmt.number(1234567) == shown_number


def test_money_keeps_the_digits_its_currency_has() -> None:
    with using("vi"):
        assert fmt.money(Decimal("1500000"), "VND") == "1.500.000\xa0VND"


@pytest.mark.parametrize(
    ("code", "shown"),
    [("en", "4 hours"), ("pl", "4 godziny"), ("vi", "4 tiếng"), ("hu", "4 óra"), ("zh", "4小时")],
)
def test_durations_are_whole_units(code: str, shown: str) -> None:
    with using(code):
        assert fmt.duration(timedelta(hours=4)) == shown


def test_polish_month_names_stand_in_the_genitive_as_in_a_date() -> None:
    with using("pl"):
        assert fmt.long_day(date(2026, 9, 4)) == "4 września 2026"
        assert fmt.day_in_words(date(2026, 9, 4)) == "4 września 2026"
        assert fmt.month_name(3) == "marca"
        assert fmt.clock(time(9, 0)) == "09:00"


# The golden table: each cadence shape, as each language says it.
CADENCES = {
    "every monday at 09:00": {
        "en": "every Monday at 09:00",
        "pl": "w każdy poniedziałek o 09:00",
        "vi": "thứ Hai hằng tuần lúc 9:00",
        "hu": "minden hétfőn 9:00-kor",
        "zh": "每周一 09:00",
    },
    "every wednesday at 16:00": {
        "en": "every Wednesday at 16:00",
        "pl": "w każdą środę o 16:00",
        "vi": "thứ Tư hằng tuần lúc 16:00",
        "hu": "minden szerdán 16:00-kor",
        "zh": "每周三 16:00",
    },
    "monthly on day 15": {
        "en": "on the 15th of every month at 09:00",
        "pl": "15. dnia każdego miesiąca o 09:00",
        "vi": "ngày 15 hằng tháng lúc 9:00",
        "hu": "minden hónap 15. napján 9:00-kor",
        "zh": "每月的15日 09:00",
    },
    "last friday of each quarter at 14:00": {
        "en": "the last Friday of each quarter at 14:00",
        "pl": "ostatni piątek każdego kwartału o 14:00",
        "vi": "thứ Sáu cuối cùng của mỗi quý lúc 14:00",
        "hu": "minden negyedév utolsó péntekén 14:00-kor",
        "zh": "每季度的最后一个星期五 14:00",
    },
    "monthly on day 31": {
        "en": "on the 31st of every month (the last day in shorter months) at 09:00",
        "pl": "31. dnia każdego miesiąca (w krótszych miesiącach ostatniego dnia miesiąca) o 09:00",
        "vi": "ngày 31 hằng tháng (tháng nào ngắn hơn thì vào ngày cuối tháng) lúc 9:00",
        "hu": "minden hónap 31. napján (a rövidebb hónapokban a hónap utolsó napján) 9:00-kor",
        "zh": "每月的31日（较短的月份则为当月最后一天） 09:00",
    },
    "the first working day of each month at 10:00": {
        "en": "the first working day of every month at 10:00",
        "pl": "pierwszy dzień roboczy każdego miesiąca o 10:00",
        "vi": "ngày làm việc đầu tiên hằng tháng lúc 10:00",
        "hu": "minden hónap első munkanapján 10:00-kor",
        "zh": "每月的第一个工作日 10:00",
    },
    "FREQ=MONTHLY;BYMONTH=1,4,7,10;BYDAY=MO;BYMONTHDAY=4,5,6,7,8,9,10;BYHOUR=9": {
        "en": "the Monday after the first Friday of each quarter at 09:00",
        "pl": "poniedziałek po pierwszym piątku każdego kwartału o 09:00",
        "vi": "thứ Hai sau thứ Sáu đầu tiên của mỗi quý lúc 9:00",
        "hu": "minden negyedév első péntekje utáni hétfőn 9:00-kor",
        "zh": "每季度的第一个星期五之后的星期一 09:00",
    },
    "FREQ=WEEKLY;BYDAY=MO,TH;BYHOUR=9": {
        "en": "every Monday and Thursday at 09:00",
        "pl": "w poniedziałki i czwartki o 09:00",
        "vi": "thứ Hai và thứ Năm hằng tuần lúc 9:00",
        "hu": "minden hétfőn és csütörtökön 9:00-kor",
        "zh": "每周一和周四 09:00",
    },
    "FREQ=YEARLY;BYMONTH=12;BYDAY=2WE;BYHOUR=10;UNTIL=20281231": {
        "en": "the second Wednesday of December at 10:00, until 31 December 2028",
        "pl": "druga środa grudnia o 10:00, do 31 grudnia 2028",
        "vi": "thứ Tư thứ hai của tháng 12 lúc 10:00, đến hết 31 tháng 12 2028",
        "hu": "december második szerdáján 10:00-kor, 2028. december 31. napig",
        "zh": "十二月的第二个星期三 10:00，至2028年12月31日止",
    },
    "once per person": {
        "en": "once for each new person, counted from their start date",
        "pl": "jednorazowo dla każdej nowej osoby, licząc od jej pierwszego dnia pracy",
        "vi": "một lần cho mỗi người mới, tính từ ngày bắt đầu làm việc",
        "hu": "egyszer minden új munkatársnak, a kezdés napjától számítva",
        "zh": "每位新成员一次，从其入职之日起计算",
    },
}
STARTING = {
    "every 2 weeks on monday": {
        "en": "every 2 weeks on Monday at 09:00, from 4 September 2026",
        "pl": "co 2 tygodnie w poniedziałki o 09:00, od 4 września 2026",
        "vi": "thứ Hai, cứ 2 tuần một lần lúc 9:00, từ 4 tháng 9 2026",
        "hu": "2 hetente hétfőn 9:00-kor, 2026. szeptember 4. naptól kezdve",
        "zh": "每2周的周一 09:00，自2026年9月4日起",
    },
    "every 5 weeks on friday": {
        "en": "every 5 weeks on Friday at 09:00, from 4 September 2026",
        "pl": "co 5 tygodni w piątki o 09:00, od 4 września 2026",
        "vi": "thứ Sáu, cứ 5 tuần một lần lúc 9:00, từ 4 tháng 9 2026",
        "hu": "5 hetente pénteken 9:00-kor, 2026. szeptember 4. naptól kezdve",
        "zh": "每5周的周五 09:00，自2026年9月4日起",
    },
}


@pytest.mark.parametrize(
    ("phrase", "code", "words"),
    [(p, code, words) for p, by in CADENCES.items() for code, words in by.items()],
)
def test_cadence_in_words(phrase: str, code: str, words: str) -> None:
    with using(code):
        assert parse_cadence(phrase).words() == words


@pytest.mark.parametrize(
    ("phrase", "code", "words"),
    [(p, code, words) for p, by in STARTING.items() for code, words in by.items()],
)
def test_cadence_with_a_start_and_plural_weeks(phrase: str, code: str, words: str) -> None:
    with using(code):
        assert parse_cadence(phrase, date(2026, 9, 4)).words() == words
