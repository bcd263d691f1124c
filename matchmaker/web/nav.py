"""Role-aware navigation: one list, so every page a role needs is reachable and nothing else shows."""

from __future__ import annotations

from dataclasses import dataclass

ALL = ("researcher", "sme", "organizer", "bureau", "admin")


@dataclass(frozen=True)
class NavItem:
    label: str
    href: str
    roles: tuple[str, ...] = ALL
    group: str = ""


@dataclass(frozen=True)
class NavGroup:
    """One entry of the top bar: a link, or a menu of links under ``label`` when it holds several."""

    label: str
    items: tuple[NavItem, ...]


#: A role with more entries than this sees them grouped in menus, so the bar fits one row at 1366 px.
FLAT_LIMIT = 10
GROUPS = {
    "offers": "成果与需求",
    "meet": "会谈与对接会",
    "stats": "合同与统计",
    "import": "导入与任务",
    "admin": "系统管理",
}


#: In the order of the work: offers, needs and requests, events and matching, contracts and statistics, admin.
NAV: list[NavItem] = [
    NavItem("首页", "/"),
    NavItem("专利成果", "/offers", group="offers"),
    NavItem("我的成果", "/my/offers", ("researcher", "admin"), group="offers"),
    NavItem("批量导入", "/import/offers", ("researcher", "admin"), group="import"),
    NavItem("收到的会谈请求", "/requests/inbox", ("researcher",), group="meet"),
    NavItem("技术需求", "/needs", ("researcher", "sme", "organizer", "bureau", "admin"), group="offers"),
    NavItem("我的需求", "/my/needs", ("sme",), group="offers"),
    NavItem("检索成果", "/search", ("sme",), group="offers"),
    NavItem("我的会谈请求", "/my/requests", ("sme",), group="meet"),
    NavItem("对接会", "/events", ("organizer", "admin"), group="meet"),
    NavItem("会谈后续", "/requests/accepted", ("organizer",), group="meet"),
    NavItem("我的对接会", "/my/events", ("researcher", "sme"), group="meet"),
    NavItem("匹配评价", "/matches/judgements", ("organizer", "admin"), group="meet"),
    NavItem("开放许可", "/licences", ("researcher", "sme", "bureau", "admin"), group="offers"),
    NavItem("技术合同", "/contracts", ("bureau", "admin"), group="stats"),
    NavItem("合同导入", "/contracts/import", ("bureau", "admin"), group="import"),
    NavItem("质押登记", "/pledges", ("bureau", "admin"), group="stats"),
    NavItem("需求导入", "/import/needs", ("bureau", "admin"), group="import"),
    NavItem("企业名录导入", "/import/companies", ("bureau", "admin"), group="import"),
    NavItem("统计看板", "/stats", ("bureau", "organizer", "admin"), group="stats"),
    NavItem("规划指标", "/indicators", ("bureau", "admin"), group="stats"),
    NavItem("定期通报", "/bulletins", ("bureau", "organizer", "admin"), group="stats"),
    NavItem("我的任务", "/jobs", ("researcher", "bureau", "organizer", "admin"), group="import"),
    NavItem("账号管理", "/admin/users", ("admin",), group="admin"),
    NavItem("单位与别名", "/admin/institutions", ("admin",), group="admin"),
    NavItem("操作日志", "/admin/audit", ("admin", "bureau"), group="admin"),
]


def nav_for(role: str | None) -> list[NavItem]:
    if role is None:
        return []
    return [item for item in NAV if role in item.roles]


def nav_groups(role: str | None) -> list[NavGroup]:
    """The top bar for a role: each entry on its own while they fit, else grouped into menus (in NAV order,
    a group placed where its first entry stands)."""
    items = nav_for(role)
    if len(items) <= FLAT_LIMIT:
        return [NavGroup(item.label, (item,)) for item in items]
    out: list[NavGroup] = []
    seen: dict[str, int] = {}
    for item in items:
        if not item.group:
            out.append(NavGroup(item.label, (item,)))
        elif item.group in seen:
            group = out[seen[item.group]]
            out[seen[item.group]] = NavGroup(group.label, (*group.items, item))
        else:
            seen[item.group] = len(out)
            out.append(NavGroup(GROUPS[item.group], (item,)))
    return [g if len(g.items) > 1 else NavGroup(g.items[0].label, g.items) for g in out]


def section(role: str | None, path: str) -> NavItem | None:
    """The navigation entry a page belongs to (longest matching prefix), for its breadcrumbs."""
    best: NavItem | None = None
    for item in nav_for(role):
        inside = item.href != "/" and (path == item.href or path.startswith(item.href.rstrip("/") + "/"))
        if inside and (best is None or len(item.href) > len(best.href)):
            best = item
    return best
