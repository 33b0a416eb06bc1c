"""editions: local-time delivery moments, each zone's next 07:00, across DST."""

from __future__ import annotations

from datetime import UTC, datetime, time
from zoneinfo import ZoneInfo

from digest.editions import LocalDelivery, local_batches, local_send_time
from digest.models import Subscriber

SEVEN = time(7, 0)


def test_the_next_local_seven_in_each_zone() -> None:
    built = datetime(2026, 11, 27, 7, 0, tzinfo=UTC)
    london, new_york, tokyo = (
        ZoneInfo(z) for z in ("Europe/London", "America/New_York", "Asia/Tokyo")
    )
    assert local_send_time(SEVEN, london, built) == built  # due now, not tomorrow
    assert local_send_time(SEVEN, new_york, built) == datetime(2026, 11, 27, 12, tzinfo=UTC)
    assert local_send_time(SEVEN, tokyo, built) == datetime(2026, 11, 27, 22, tzinfo=UTC)
    # A firing built a few seconds late still counts as 07:00.
    assert local_send_time(SEVEN, london, built.replace(second=40)) == built


def test_a_local_time_that_dst_skips_is_sent_an_hour_later() -> None:
    new_york = ZoneInfo("America/New_York")
    spring = datetime(2026, 3, 8, 0, 0, tzinfo=new_york)
    moment = local_send_time(time(2, 30), new_york, spring).astimezone(new_york)
    assert (moment.day, moment.hour, moment.minute) == (8, 3, 30)


def test_recipients_are_batched_per_zone_with_the_default_zone_for_the_rest() -> None:
    built = datetime(2026, 11, 27, 7, 0, tzinfo=UTC)
    people = [
        Subscriber("a@x.com"),
        Subscriber("b@x.com", timezone="America/New_York"),
        Subscriber("c@x.com", timezone="Europe/London"),
        Subscriber("d@x.com", timezone="America/New_York"),
    ]
    batches = local_batches("e1", people, LocalDelivery(SEVEN, "Europe/London"), built)
    assert [(b.zone, b.emails) for b in batches] == [
        ("Europe/London", ("a@x.com", "c@x.com")),
        ("America/New_York", ("b@x.com", "d@x.com")),
    ]
