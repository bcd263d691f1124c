"""The write policy, checked in one place."""

from __future__ import annotations

import pytest

from matchmaker.domain.errors import PermissionDenied
from matchmaker.services.permissions import POLICY, Actor, allowed, authorize

researcher = Actor(id=1, username="r", role="researcher", institution_id=10)
sme = Actor(id=2, username="s", role="sme", company_id=20)
bureau = Actor(id=3, username="b", role="bureau")
admin = Actor(id=4, username="a", role="admin")


def test_researcher_may_edit_only_offers_of_their_own_institution() -> None:
    assert allowed(researcher, "offer.edit", 10) is True
    assert allowed(researcher, "offer.edit", 11) is False


def test_sme_may_edit_only_needs_of_their_company() -> None:
    assert allowed(sme, "need.edit", 20) is True
    assert allowed(sme, "need.edit", 21) is False
    assert allowed(researcher, "need.edit", 20) is False


def test_only_bureau_and_admin_manage_contracts() -> None:
    assert [allowed(a, "contract.manage") for a in (researcher, sme, bureau, admin)] == [
        False,
        False,
        True,
        True,
    ]


def test_admin_may_do_every_listed_action() -> None:
    assert all(allowed(admin, action, 999) for action in POLICY)


def test_unknown_action_is_refused_even_for_admin() -> None:
    assert allowed(admin, "offer.delete_everything") is False


def test_authorize_raises_a_chinese_message() -> None:
    with pytest.raises(PermissionDenied) as info:
        authorize(researcher, "offer.edit", 11)
    assert info.value.message == "只能修改本单位的专利成果"


def test_anonymous_actor_is_asked_to_log_in() -> None:
    with pytest.raises(PermissionDenied) as info:
        authorize(None, "offer.create", 10)
    assert info.value.message == "请先登录"
