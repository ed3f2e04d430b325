"""When quiet hours end, in the recipient's own time zone."""

from __future__ import annotations

import datetime
import zoneinfo

import pytest

from marketplace.notifications.models import QuietHours
from marketplace.notifications.services import quiet_hours_end

MOSCOW = zoneinfo.ZoneInfo("Europe/Moscow")
VLADIVOSTOK = zoneinfo.ZoneInfo("Asia/Vladivostok")


def at(hour: int, minute: int = 0, *, day: int = 10, tz=MOSCOW) -> datetime.datetime:
    return datetime.datetime(2026, 11, day, hour, minute, tzinfo=tz)


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        (at(23, 30), at(9, day=11)),  # late evening: until tomorrow morning
        (at(2, 15), at(9)),  # after midnight: until this morning
        (at(22, 0), at(9, day=11)),  # the first quiet minute
        (at(9, 0), None),  # quiet hours are over
        (at(14, 0), None),
        (at(21, 59), None),
    ],
)
def test_overnight_quiet_hours(now, expected):
    quiet = QuietHours(enabled=True, start_hour=22, end_hour=9)

    assert quiet_hours_end(quiet=quiet, tz=MOSCOW, now=now) == expected


@pytest.mark.parametrize(
    ("now", "expected"),
    [(at(13, 0), at(15)), (at(14, 59), at(15)), (at(15, 0), None), (at(12, 59), None)],
)
def test_daytime_quiet_hours(now, expected):
    quiet = QuietHours(enabled=True, start_hour=13, end_hour=15)

    assert quiet_hours_end(quiet=quiet, tz=MOSCOW, now=now) == expected


def test_quiet_hours_are_in_the_recipients_time_zone():
    quiet = QuietHours(enabled=True, start_hour=22, end_hour=9)
    moscow_afternoon = at(16)  # 23:00 in Vladivostok

    end = quiet_hours_end(quiet=quiet, tz=VLADIVOSTOK, now=moscow_afternoon)

    assert end == datetime.datetime(2026, 11, 11, 9, tzinfo=VLADIVOSTOK)


def test_switched_off_quiet_hours_never_hold():
    quiet = QuietHours(enabled=False, start_hour=22, end_hour=9)

    assert quiet_hours_end(quiet=quiet, tz=MOSCOW, now=at(23)) is None
