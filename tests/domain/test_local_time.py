from datetime import UTC, datetime

from matchmaker.domain.local_time import LOCAL_ZONE, local_time


def test_a_stored_utc_time_reads_as_beijing_wall_clock_time() -> None:
    assert local_time(datetime(2026, 12, 31, 16, 30, tzinfo=UTC)) == datetime(2027, 1, 1, 0, 30)


def test_a_naive_stored_time_means_utc() -> None:
    assert local_time(datetime(2026, 6, 1, 2, 0)) == datetime(2026, 6, 1, 10, 0)


def test_no_time_stays_none() -> None:
    assert local_time(None) is None


def test_the_zone_is_liyangs() -> None:
    assert LOCAL_ZONE.key == "Asia/Shanghai"
