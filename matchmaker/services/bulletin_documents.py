"""A bulletin as a Word document (python-docx) with its charts as PNG images (matplotlib, drawn offline).

Both are drawn from the frozen figures only, so the document of an issued bulletin never changes. Chinese text in
charts needs a CJK font: the Noto CJK fonts of Debian's ``fonts-noto-cjk`` (installed with the browser tests and
in the image); without one the charts would print boxes, so drawing refuses with a sentence instead.
"""

from __future__ import annotations

import io
from functools import lru_cache
from typing import Any

from matchmaker.domain.errors import MatchmakerError
from matchmaker.domain.money import fen_to_yuan

CJK_FAMILIES = ("Noto Sans CJK SC", "Noto Sans CJK JP", "Noto Serif CJK SC", "WenQuanYi Zen Hei")
CHARTS = {
    "turnover_field": ("技术合同成交额（按技术领域，万元）", "turnover", "field"),
    "turnover_town": ("技术合同成交额（按镇街，万元）", "turnover", "town"),
    "pledges_bank": ("知识产权质押融资（按质权人，万元）", "pledges", "bank"),
}
TURNOVER_TITLES = {"field": "技术领域", "town": "镇（街道）", "institution": "卖方单位", "type": "合同类型"}
PLEDGE_TITLES = {"bank": "质权人", "field": "所属领域", "town": "镇（街道）"}


def yuan_text(amount_fen: int) -> str:
    return f"{fen_to_yuan(amount_fen):,.2f} 元"


@lru_cache(maxsize=1)
def _font() -> str:
    from matplotlib import font_manager

    for family in CJK_FAMILIES:
        try:
            font_manager.findfont(font_manager.FontProperties(family=family), fallback_to_default=False)
        except ValueError:
            continue
        return family
    raise MatchmakerError("服务器没有安装中文字体（如 fonts-noto-cjk），无法绘制通报图表")


def chart_png(figures: dict[str, Any], name: str) -> bytes:
    """One horizontal bar chart of a breakdown (top 10), in 万元."""
    if name not in CHARTS:
        raise MatchmakerError("没有这张图表")
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot as plt

    title, part, by = CHARTS[name]
    rows = figures[part]["by"].get(by, [])[:10]
    plt.rcParams["font.family"] = _font()
    fig, ax = plt.subplots(figsize=(7, 0.45 * max(len(rows), 2) + 1), dpi=120)
    labels = [str(r[0]) for r in rows][::-1]
    values = [float(fen_to_yuan(r[2]) / 10_000) for r in rows][
        ::-1
    ]  # drawing only; tables carry exact figures
    ax.barh(labels, values, color="#1f5fa8")
    for y, value in enumerate(values):
        ax.text(value, y, f" {value:,.2f}", va="center", fontsize=8)
    ax.set_title(title, fontsize=11)
    ax.spines[["top", "right"]].set_visible(False)
    if not rows:
        ax.text(0.5, 0.5, "本期无数据", ha="center", va="center", transform=ax.transAxes)
    fig.tight_layout()
    out = io.BytesIO()
    fig.savefig(out, format="png")
    plt.close(fig)
    return out.getvalue()


def docx_bytes(title: str, figures: dict[str, Any], issued_on: str) -> bytes:
    """The bulletin as .docx: headline figures, indicator table, breakdown tables, charts, events, attribution."""
    from docx import Document
    from docx.oxml.ns import qn
    from docx.shared import Cm, Pt

    doc = Document()
    normal = doc.styles["Normal"]
    normal.font.name = "宋体"
    normal.font.size = Pt(10.5)
    normal.element.rPr.rFonts.set(qn("w:eastAsia"), "宋体")
    doc.add_heading(title, level=0)
    period = figures["period"]
    doc.add_paragraph(f"统计期：{period['date_from']} 至 {period['date_to']}　发布日期：{issued_on}")
    t, p, a = figures["turnover"], figures["pledges"], figures["attribution"]
    doc.add_heading("一、总体情况", level=1)
    doc.add_paragraph(
        f"本期登记技术合同 {t['contracts']} 份，合同成交额 {yuan_text(t['amount_fen'])}，技术交易额 "
        f"{yuan_text(t['technology_amount_fen'])}；专利权质押登记 {p['pledges']} 项，质押融资额 {yuan_text(p['amount_fen'])}。"
    )

    def table(headers: list[str], rows: list[list[Any]]) -> None:
        grid = doc.add_table(rows=1, cols=len(headers))
        grid.style = "Table Grid"
        for cell, text in zip(grid.rows[0].cells, headers):
            cell.text = text
        for row in rows:
            cells = grid.add_row().cells
            for cell, value in zip(cells, row):
                cell.text = str(value)

    doc.add_heading("二、规划指标完成情况", level=1)
    doc.add_paragraph(figures["indicators"]["plan"])
    table(
        ["指标", "口径", "目标", "实际", "完成进度"],
        [
            [r["name"], r["kind"], f"{r['target']} {r['unit']}",
             f"{r['actual']} {r['unit']}（{r['as_of_year']}）" if r["actual"] is not None else "未填报",
             f"{r['percent']}%" if r["percent"] is not None else "—"]
            for r in figures["indicators"]["rows"]
        ],
    )  # fmt: skip
    doc.add_heading("三、技术合同成交额", level=1)
    for by, heading in TURNOVER_TITLES.items():
        doc.add_paragraph(f"按{heading}", style="Heading 3")
        table([heading, "合同数", "合同成交额"], [[r[0], r[1], yuan_text(r[2])] for r in t["by"][by]])
    for name in ("turnover_field", "turnover_town"):
        doc.add_picture(io.BytesIO(chart_png(figures, name)), width=Cm(15))
    doc.add_heading("四、知识产权质押融资", level=1)
    for by, heading in PLEDGE_TITLES.items():
        doc.add_paragraph(f"按{heading}", style="Heading 3")
        table([heading, "登记数", "担保债权数额"], [[r[0], r[1], yuan_text(r[2])] for r in p["by"][by]])
    doc.add_picture(io.BytesIO(chart_png(figures, "pledges_bank")), width=Cm(15))
    e = figures["events"]
    doc.add_heading("五、对接活动", level=1)
    doc.add_paragraph(
        f"举办对接会 {e['held']} 场，安排会谈 {e['meetings']} 场，到场 {e['attended']} 场，达成意向 {e['intent']} 场、签约 {e['signed']} 场。"
    )
    for line in e["names"]:
        doc.add_paragraph(line, style="List Bullet")
    doc.add_heading("六、平台促成的转化", level=1)
    table(
        ["来源", "数量", "合同成交额"],
        [
            ["关联平台会谈或成果的合同", a["linked_contracts"], yuan_text(a["linked_fen"])],
            ["其中来自对接会会谈", a["meeting_contracts"], yuan_text(a["meeting_fen"])],
            [
                "开放许可（已登记合同 / 取得许可）",
                f"{a['licence_contracts']} / {a['licences']}",
                yuan_text(a["licence_fen"]),
            ],
        ],
    )
    table(["转化环节", "数量"], [[label, count] for label, count in figures["funnel"]])
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()
