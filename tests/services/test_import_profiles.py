"""Import profiles: a confirmed mapping is saved and applied automatically to the next file of that source."""

from __future__ import annotations

import pytest

from matchmaker.domain.errors import NotFound
from matchmaker.services import accounts, import_profiles, offer_import
from matchmaker.services.import_profiles import Decisions
from matchmaker.services.permissions import Actor

SEU = "东南大学溧阳研究院"
FILE = (
    "成果,编号,归属,备注\n"
    "储能电池热管理方法,202310198211.X,东南大学,x\n"
    "芹菜保鲜方法,202310196836.2,东大溧阳研究院,y\n"
).encode()


@pytest.fixture
def seu(make) -> Actor:  # type: ignore[no-untyped-def]
    return accounts.actor_for(make.user("researcher", institution=SEU))


def test_a_confirmed_mapping_is_applied_to_the_next_file_without_asking(services, seu) -> None:
    first = offer_import.preview(services, seu, FILE, "a.csv")
    assert (first.missing, first.results) == (("专利名称",), ())

    decisions = Decisions({"title": "成果"})
    mapped = offer_import.preview(services, seu, FILE, "a.csv", decisions=decisions)
    assert (len(mapped.valid_drafts), mapped.profile) == (2, None)
    with services.transaction() as session:
        import_profiles.save_profile(
            session, seu, "offer", "东南大学成果清单", Decisions(dict(mapped.mapping))
        )

    again = offer_import.preview(services, seu, FILE, "b.csv")

    assert (len(again.valid_drafts), again.profile) == (2, "东南大学成果清单")
    title = next(c for c in again.columns if c.field == "title")
    assert title.reason == "按导入方案「东南大学成果清单」：「成果」"


def test_a_profile_is_not_applied_to_a_file_without_its_columns(services, seu) -> None:
    with services.transaction() as session:
        import_profiles.save_profile(session, seu, "offer", "别的来源", Decisions({"title": "项目题目"}))

    report = offer_import.preview(services, seu, FILE, "a.csv")

    assert (report.profile, report.missing) == (None, ("专利名称",))


def test_an_unknown_profile_name_is_refused_naming_the_ones_there_are(services, seu) -> None:
    with services.transaction() as session:
        import_profiles.save_profile(session, seu, "offer", "甲", Decisions({"title": "成果"}))

    with pytest.raises(NotFound) as caught:
        offer_import.preview(services, seu, FILE, "a.csv", profile="乙")

    assert caught.value.message == "没有名为「乙」的专利成果导入方案（已有：甲）"
