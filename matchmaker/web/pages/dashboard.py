"""统计看板 and 规划指标: turnover against the plan, breakdowns, funnel, indicators; report exports.

Charts are SVG drawn on the server (nothing from a CDN, and they print), each beside a table of its numbers.
The report export is built from the same ``stats.dashboard`` object as the page, so its totals are the page's
to the 分.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any
from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from matchmaker.domain.errors import ValidationFailed
from matchmaker.domain.money import fen_to_yuan, format_yi, yuan_to_yi
from matchmaker.services import indicators, pledges, stats
from matchmaker.services.permissions import allowed
from matchmaker.web import charts
from matchmaker.web.exports import table_response
from matchmaker.web.ids import parse_id
from matchmaker.web.pages.contracts import fen
from matchmaker.web.security import form_str, read_form, require_actor
from matchmaker.web.templating import flash, render

CHART_WIDTH, CHART_HEIGHT, CHART_PAD = 720, 240, 40
REPORT_HEADERS = ["类别", "项目", "合同数", "合同成交额（元）", "合同成交额（亿元）", "技术交易额（元）"]


def yi(amount_fen: int, places: int = 4) -> str:
    return format_yi(fen_to_yuan(amount_fen), places)


def yi_number(amount_fen: int) -> Decimal:
    """亿元 as a number for exports (Excel sums it), four places like the page."""
    return yuan_to_yi(fen_to_yuan(amount_fen), 4)


def goal_charts(goal: stats.Goal) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The cumulative turnover against the straight-line path by month, and the same by year for the table."""
    months = [f"{m // 100}-{m % 100:02d}" for m, _, _ in goal.path]
    spec = charts.line(
        months,
        [
            ("累计成交额", [done for _, done, _ in goal.path], False),
            ("直线目标路径", [target for _, _, target in goal.path], True),
        ],
        "累计成交额与目标路径",
    )
    year_end = {m // 100: (done, target) for m, done, target in goal.path}  # the last month of each year
    rows = []
    for year, (done, target) in sorted(year_end.items()):
        rows.append(
            {
                "year": year,
                "amount": charts.yi_text(goal.by_year_fen.get(year, 0)),
                "done": charts.yi_text(done),
                "target": charts.yi_text(target),
                "share": charts.percent_text(
                    Decimal(done) * 100 / goal.target_fen if goal.target_fen else None
                ),
            }
        )
    return spec, rows


def breakdown_chart(rows: list[Any], title: str, noun: str = "份") -> dict[str, Any]:
    counts = [int(getattr(r, "contracts", None) or getattr(r, "pledges", 0) or 0) for r in rows]
    return charts.bars([r.label for r in rows], [r.amount_fen for r in rows], counts, title, noun)


def share_texts(rows: list[Any]) -> list[str]:
    total = sum(r.amount_fen for r in rows) or 1
    return [charts.percent_text(Decimal(r.amount_fen) * 100 / total) for r in rows]


def indicator_chart(plan: indicators.PlanProgress) -> dict[str, Any]:
    rows = plan.rows
    return charts.progress(
        [r.indicator.name for r in rows],
        [r.attainment.percent for r in rows],
        [
            f"{charts.quantity_text(r.attainment.actual, r.indicator.unit)} / 目标 "
            f"{charts.quantity_text(r.target, r.indicator.unit)} {r.indicator.unit}，"
            f"完成 {charts.percent_text(r.attainment.percent)}"
            for r in rows
        ],
        "规划指标完成比例",
    )


def default_period(session: Any, today: date) -> tuple[int, int]:
    """The period the page opens on: the current plan period while it runs, else this year."""
    current = stats.turnover_plan(session)
    if current is not None and current[0].start_year <= today.year <= current[0].end_year:
        return current[0].start_year, today.year
    return today.year, today.year


def _filters(request: Request) -> stats.StatsFilters:
    ref = request.app.state.services.reference
    return stats.parse_filters(request.query_params, fields=ref.contract_fields, towns=ref.towns)


def report_rows(board: stats.Dashboard) -> list[tuple[Any, ...]]:
    """The statistics report: the same figures as the page, in 元 and 亿元."""
    rows: list[tuple[Any, ...]] = [("筛选条件", board.filters.label(), "", "", "", "")]
    t = board.totals
    rows.append(
        (
            "合计",
            "所选范围",
            t.contracts,
            fen_to_yuan(t.amount_fen),
            yi_number(t.amount_fen),
            fen_to_yuan(t.technology_amount_fen),
        )
    )
    if board.goal:
        g = board.goal
        rows.append(
            (
                "规划目标",
                f"{g.plan_name}（{g.start_year}–{g.end_year}）目标",
                "",
                fen_to_yuan(g.target_fen),
                yi_number(g.target_fen),
                "",
            )
        )
        rows.append(
            ("规划目标", "规划期累计成交额", g.contracts, fen_to_yuan(g.done_fen), yi_number(g.done_fen), "")
        )
        rows.append(("规划目标", "完成比例（%）", "", "", g.share_percent, ""))
        if g.pace_fen is not None:
            rows.append(
                (
                    "规划目标",
                    f"剩余 {g.years_remaining} 年每年需完成",
                    "",
                    fen_to_yuan(g.pace_fen),
                    yi_number(g.pace_fen),
                    "",
                )
            )
    for by, title in stats.BREAKDOWNS.items():
        for r in board.breakdowns[by]:
            rows.append(
                (
                    f"按{title}",
                    r.label,
                    r.contracts,
                    fen_to_yuan(r.amount_fen),
                    yi_number(r.amount_fen),
                    fen_to_yuan(r.technology_amount_fen),
                )
            )
    p = board.pledges
    rows.append(
        (
            "知识产权质押融资",
            "所选年份合计（项）",
            p.total.pledges,
            fen_to_yuan(p.total.amount_fen),
            yi_number(p.total.amount_fen),
            "",
        )
    )
    for by, title in pledges.BREAKDOWNS.items():
        for part in p.breakdowns[by]:
            rows.append(
                (
                    f"质押融资按{title}",
                    part.label,
                    part.pledges,
                    fen_to_yuan(part.amount_fen),
                    yi_number(part.amount_fen),
                    "",
                )
            )
    for step in board.funnel:
        rows.append(("转化漏斗", step.label, step.count, "", "", ""))
    rows.append(
        (
            "转化漏斗",
            "关联合同成交额",
            "",
            fen_to_yuan(board.funnel_amount_fen),
            yi_number(board.funnel_amount_fen),
            "",
        )
    )
    return rows


def dashboard_page(request: Request) -> Response:
    require_actor(request, ("bureau", "organizer", "admin"))
    services = request.app.state.services
    ref = services.reference
    errors: dict[str, str] = {}
    if not {"year_from", "year_to", "period"} & set(request.query_params):
        with services.session() as session:
            year_from, year_to = default_period(session, date.today())
        rest = "".join(f"&{k}={quote(v)}" for k, v in request.query_params.items())
        return RedirectResponse(f"/stats?year_from={year_from}&year_to={year_to}{rest}", status_code=303)
    try:
        filters = _filters(request)
    except ValidationFailed as exc:
        errors, filters = exc.by_field(), stats.StatsFilters()
    with services.session() as session:
        board = stats.dashboard(session, filters, date.today())
        known = {(board.goal.start_year, board.goal.end_year): board.goal.by_year_fen} if board.goal else {}
        plans = indicators.plans(session, date.today(), known)
    fmt = request.query_params.get("export")
    if fmt in ("xlsx", "csv") and not errors:
        return table_response(fmt, "技术合同统计报告", REPORT_HEADERS, report_rows(board))
    query = "&".join(f"{k}={v}" for k, v in request.query_params.items() if k != "export")
    return render(
        request,
        "dashboard/stats.html",
        {
            "board": board,
            "goal": board.goal,
            "goal_chart": goal_charts(board.goal) if board.goal else None,
            "charts": {
                by: breakdown_chart(rows, f"按{title}")
                for by, rows in board.breakdowns.items()
                for title in [stats.BREAKDOWNS[by]]
            },
            "shares": {by: share_texts(rows) for by, rows in board.breakdowns.items()},
            "titles": stats.BREAKDOWNS,
            "pledge_charts": {
                by: breakdown_chart(rows, f"质押融资按{pledges.BREAKDOWNS[by]}", "项")
                for by, rows in board.pledges.breakdowns.items()
            },
            "pledge_shares": {by: share_texts(rows) for by, rows in board.pledges.breakdowns.items()},
            "pledge_titles": pledges.BREAKDOWNS,
            "funnel_chart": charts.funnel(
                [s.label for s in board.funnel], [s.count for s in board.funnel], "转化漏斗"
            ),
            "indicator_chart": indicator_chart(plans[0]) if plans else None,
            "c": charts,
            "plan": plans[0] if plans else None,
            "fields": ref.contract_fields,
            "towns": ref.towns,
            "years": list(range(2021, date.today().year + 1)),
            "errors": errors,
            "base": "/stats?" + query,
            "fen": fen,
            "yi": yi,
            "form": request.query_params,
        },
        status_code=422 if errors else 200,
    )


def indicator_page(request: Request) -> Response:
    actor = require_actor(request, ("bureau", "organizer", "admin"))
    services = request.app.state.services
    errors: dict[str, str] = {}
    form: dict[str, str] = {}
    if request.method == "POST":
        data = read_form(request)
        form = {k: form_str(data, k) for k in ("indicator_id", "year", "value")}
        indicator_id = parse_id(form["indicator_id"]) or 0
        try:
            with services.transaction() as session:
                row = indicators.set_value(session, actor, indicator_id, form["year"], form["value"])
            flash(request, f"已保存 {row.year} 年实际值 {row.value}")
            return RedirectResponse("/indicators", status_code=303)
        except ValidationFailed as exc:
            errors = exc.by_field()
    with services.session() as session:
        plans = indicators.plans(session, date.today())
    fmt = request.query_params.get("export")
    if fmt in ("xlsx", "csv"):
        rows = [
            (
                p.plan.name,
                r.indicator.category,
                r.indicator.name,
                r.indicator.unit,
                r.kind_label,
                r.indicator.target,
                r.attainment.actual,
                r.attainment.as_of_year,
                r.attainment.percent,
            )
            for p in plans
            for r in p.rows
        ]
        return table_response(
            fmt,
            "规划指标完成情况",
            ["规划", "类别", "指标", "单位", "口径", "目标", "实际", "截至年份", "完成比例（%）"],
            rows,
        )
    return render(
        request,
        "dashboard/indicators.html",
        {
            "plans": plans,
            "errors": errors,
            "form": form,
            "can_manage": allowed(actor, "indicator.manage"),
        },
        status_code=422 if errors else 200,
    )


routes = [
    Route("/stats", dashboard_page),
    Route("/indicators", indicator_page, methods=["GET", "POST"]),
]
