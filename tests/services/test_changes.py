"""One after-commit notification for offers and needs (services/changes.py, delivered by Services.transaction)."""

import pytest

from matchmaker.services.changes import announce


def test_listeners_hear_a_change_only_once_it_is_committed(services) -> None:
    heard = []
    services.listeners.need.append(lambda need_id, change: heard.append((need_id, change)))

    with services.transaction() as session:
        announce(session, "need", [7, 8], "updated")
        during = list(heard)

    assert (during, heard) == ([], [(7, "updated"), (8, "updated")])


def test_a_rolled_back_change_tells_nobody(services) -> None:
    heard = []
    services.listeners.offer.append(lambda offer_id, change: heard.append((offer_id, change)))

    with pytest.raises(RuntimeError), services.transaction() as session:
        announce(session, "offer", [3], "created")
        raise RuntimeError("写入失败")

    assert heard == []


def test_offer_listeners_do_not_hear_needs_and_a_failing_listener_does_not_stop_the_others(services) -> None:
    offers_heard, needs_heard = [], []

    def broken(_record_id: int, _change: str) -> None:
        raise ValueError("索引出错")

    services.listeners.offer.append(lambda offer_id, change: offers_heard.append(offer_id))
    services.listeners.need.extend([broken, lambda need_id, change: needs_heard.append(need_id)])

    with services.transaction() as session:
        announce(session, "need", [5], "status")

    assert (offers_heard, needs_heard) == ([], [5])
