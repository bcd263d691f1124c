"""Role-aware navigation: one list, so every page a role needs is reachable and nothing else shows."""

from __future__ import annotations

from dataclasses import dataclass

ALL = ("researcher", "sme", "organizer", "bureau", "admin")


@dataclass(frozen=True)
class NavItem:
    label: str
    href: str
    roles: tuple[str, ...] = ALL


#: In the order of the work: offers, needs and requests, events and matching, contracts and statistics, admin.
NAV: list[NavItem] = [
    NavItem("首页", "/"),
    NavItem("专利成果", "/offers"),
    NavItem("我的成果", "/my/offers", ("researcher", "admin")),
    NavItem("批量导入", "/import/offers", ("researcher", "admin")),
    NavItem("收到的会谈请求", "/requests/inbox", ("researcher",)),
    NavItem("技术需求", "/needs", ("researcher", "sme", "organizer", "bureau", "admin")),
    NavItem("我的需求", "/my/needs", ("sme",)),
    NavItem("检索成果", "/search", ("sme",)),
    NavItem("我的会谈请求", "/my/requests", ("sme",)),
    NavItem("对接会", "/events", ("organizer", "admin")),
    NavItem("会谈后续", "/requests/accepted", ("organizer",)),
    NavItem("我的对接会", "/my/events", ("researcher", "sme")),
    NavItem("匹配评价", "/matches/judgements", ("organizer", "admin")),
    NavItem("开放许可", "/licences", ("researcher", "sme", "bureau", "admin")),
    NavItem("技术合同", "/contracts", ("bureau", "admin")),
    NavItem("合同导入", "/contracts/import", ("bureau", "admin")),
    NavItem("质押登记", "/pledges", ("bureau", "admin")),
    NavItem("需求导入", "/import/needs", ("bureau", "admin")),
    NavItem("企业名录导入", "/import/companies", ("bureau", "admin")),
    NavItem("统计看板", "/stats", ("bureau", "organizer", "admin")),
    NavItem("规划指标", "/indicators", ("bureau", "admin")),
    NavItem("定期通报", "/bulletins", ("bureau", "organizer", "admin")),
    NavItem("我的任务", "/jobs", ("researcher", "bureau", "organizer", "admin")),
    NavItem("账号管理", "/admin/users", ("admin",)),
    NavItem("单位与别名", "/admin/institutions", ("admin",)),
    NavItem("操作日志", "/admin/audit", ("admin", "bureau")),
]


def nav_for(role: str | None) -> list[NavItem]:
    if role is None:
        return []
    return [item for item in NAV if role in item.roles]
