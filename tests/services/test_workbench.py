"""The 待办 workbench: each waiting item appears for the user who has to act, with a link, and goes away."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlmodel import select

from matchmaker.services import accounts, request_meetings, workbench
from matchmaker.services import requests as meeting_requests
from matchmaker.storage.models import RequestMeeting

SEU = "东南大学溧阳研究院"


def _todos(services, user):  # type: ignore[no-untyped-def]
    with services.session() as s:
        bench = workbench.workbench(s, accounts.actor_for(user))
    return {t.key: t for t in bench.todos}, bench.figures


def test_a_request_moves_through_each_sides_workbench_until_the_bureau_registers_the_contract(
    services, make
) -> None:
    company = make.company(name="溧阳工作台测试企业")
    sme = make.user("sme", company=company)
    researcher = make.user("researcher", institution=SEU)
    bureau = make.user("bureau")
    offer = make.offer(SEU, created_by=researcher.id)
    need = make.need(company)
    with services.transaction() as s:
        made = meeting_requests.create_request(
            s, accounts.actor_for(sme), offer.id, message="约谈", need_id=need.id
        )
    todos, _ = _todos(services, researcher)
    assert (todos["answer"].count, todos["answer"].items[0].href) == (1, f"/requests/inbox#request-{made.id}")

    with services.transaction() as s:
        meeting_requests.answer_request(s, accounts.actor_for(researcher), made.id, accept=True)
    todos, _ = _todos(services, researcher)
    assert (todos["answer"].count, todos["arrange"].count) == (0, 1)
    assert _todos(services, sme)[0]["arrange"].items[0].href == f"/requests/{made.id}"

    day = (request_meetings.local_now().date() + timedelta(days=1)).isoformat()
    with services.transaction() as s:
        request_meetings.propose(
            s, accounts.actor_for(sme), made.id, dates=[day], times=["20:00"], place="研究院", duration="60"
        )
    assert [_todos(services, u)[0]["confirm"].count for u in (researcher, sme)] == [1, 0]

    with services.transaction() as s:
        request_meetings.confirm(s, accounts.actor_for(researcher), made.id, option=f"{day}T20:00")
        meeting = s.exec(select(RequestMeeting)).one()
        meeting.starts_at = datetime.now(UTC) - timedelta(minutes=5)  # the meeting has begun
        s.add(meeting)
    todos, _ = _todos(services, sme)
    assert (todos["confirm"].count, todos["outcomes"].count) == (0, 1)

    with services.transaction() as s:
        request_meetings.record_outcome(s, accounts.actor_for(sme), made.id, outcome="签约")
    bureau_todos, figures = _todos(services, bureau)
    assert [(i.href, i.when) for i in bureau_todos["contracts"].items] == [
        (f"/contracts/new?request={made.id}", "约谈签约")
    ]
    assert [f.label for f in figures][:2] == ["今年登记合同", "今年成交额"]
    assert _todos(services, sme)[0]["outcomes"].count == 0


def test_every_role_has_a_workbench_with_links(services, make) -> None:
    for role in ("researcher", "sme", "organizer", "bureau", "admin"):
        user = (
            make.user(role, company=make.company() if role == "sme" else None)
            if role == "sme"
            else make.user(role)
        )
        todos, figures = _todos(services, user)
        assert todos and figures
        assert all(t.href.startswith("/") for t in todos.values())


def test_the_bureau_sees_plan_indicators_still_to_be_entered(services, make) -> None:
    bureau = make.user("bureau")
    with services.session() as s:
        due = workbench._indicators_due(s, datetime(2024, 3, 1).date())
    assert due and all(i.href == "/indicators" and i.when == "未填报：2021 年、2022 年、2023 年" for i in due)
    assert _todos(services, bureau)[0]["indicators"].href == "/indicators"


def test_failed_and_running_jobs_of_the_user_need_attention(services, make) -> None:
    from matchmaker.storage.models import Job

    bureau, other = make.user("bureau"), make.user("bureau")
    with services.transaction() as s:
        s.add(
            Job(
                kind="contract_import",
                title="合同导入：明细表.xlsx",
                owner_id=bureau.id,
                state="failed",
                error="文件损坏",
            )
        )
        s.add(Job(kind="contract_import", title="合同导入：二月.xlsx", owner_id=bureau.id, state="running"))
        s.add(Job(kind="contract_import", title="别人的导入", owner_id=other.id, state="failed"))
        s.add(Job(kind="contract_import", title="已完成的导入", owner_id=bureau.id, state="done"))
    todos, _ = _todos(services, bureau)
    assert [(i.text, i.when) for i in todos["jobs-failed"].items] == [("合同导入：明细表.xlsx", "文件损坏")]
    assert [i.text for i in todos["jobs-running"].items] == ["合同导入：二月.xlsx"]
    assert "jobs-failed" not in _todos(services, make.user("sme", company=make.company()))[0]
