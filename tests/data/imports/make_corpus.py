"""Write the import corpus: files made the way other offices and other system versions make them.

Run ``.venv/bin/python tests/data/imports/make_corpus.py`` to regenerate; the files are committed too. Every
name, number and amount is fictional; application numbers and credit codes carry correct check characters
unless a row is meant to fail. Outcomes are in ``expected.json`` (read by the tests) and README.md.
"""

from __future__ import annotations

import csv
import io
from datetime import date
from decimal import Decimal
from pathlib import Path

import openpyxl
from openpyxl.styles import Font

from matchmaker.domain.identifiers import credit_code_check_char, org_code_check_char, patent_check_char

HERE = Path(__file__).resolve().parent


def app(digits: str) -> str:
    """A valid application number for 12 digits."""
    return f"{digits}.{patent_check_char(digits)}"


def bad_app(digits: str) -> str:
    right = patent_check_char(digits)
    wrong = "1" if right != "1" else "2"
    return f"{digits}.{wrong}"


def code(org8: str) -> str:
    """A valid 统一社会信用代码 of a Liyang enterprise whose organisation code body is ``org8``."""
    first17 = f"91320481{org8}{org_code_check_char(org8)}"
    return first17 + credit_code_check_char(first17)


def bad_code(org8: str) -> str:
    """The same code with a wrong last check character (a typo the preview names)."""
    valid = code(org8)
    return valid[:17] + ("0" if valid[17] != "0" else "1")


def save(workbook: openpyxl.Workbook, name: str) -> None:
    buffer = io.BytesIO()
    workbook.save(buffer)
    (HERE / name).write_bytes(buffer.getvalue())


# 1. A patent-database export: other wording for every column, statuses and prices as such systems write them.
def offers_patent_database() -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "检索结果"
    ws.append(["专利检索导出（东南大学溧阳研究院）"])
    ws.merge_cells("A1:I1")
    ws.append(["导出时间：2026-11-30；共 10 条"])
    ws.append(
        [
            "发明名称",
            "申请号",
            "法律状态/事件",
            "参考价格",
            "可转化方式",
            "专利权人（申请人）",
            "产业",
            "成熟度等级",
            "第一发明人",
        ]
    )
    ws["A3"].font = Font(bold=True)
    rows = [
        [
            "一种硅碳负极预锂化方法",
            app("202310000001"),
            "授权",
            "20~30",
            "转让+许可",
            "东南大学",
            "锂电池产业",
            "TRL-5",
            "王平",
        ],
        [
            "一种储能电站热失控早期预警方法",
            app("202310000002"),
            "实质审查的生效",
            "价格面议",
            "独占许可；合作开发",
            "东南大学溧阳研究院",
            "储能领域",
            "6级",
            "李强",
        ],
        [
            "一种配电台区三相不平衡治理装置",
            app("202320000003"),
            "未缴年费专利权终止",
            "50万",
            "技术转让",
            "东大溧阳研究院",
            "电网",
            "TRL7",
            "赵敏",
        ],
        [
            "一种水稻秸秆还田机",
            app("202320000004"),
            "专利权维持",
            "１５",
            "转让",
            "东南大学",
            "农业",
            "第4级",
            "周宁",
        ],
        [
            "一种可降解缓释微球",
            app("202210000005"),
            "视为撤回",
            "约40万",
            "合作开发",
            "东南大学",
            "医药",
            "3",
            "吴静",
        ],
        [
            "一种锂电极片辊压在线测厚方法",
            bad_app("202310000006"),
            "授权",
            "30",
            "转让",
            "东南大学",
            "锂电",
            "5",
            "陈晨",
        ],
        [
            "一种光伏组件清洗机器人",
            app("202320000007"),
            "待查",
            "25",
            "转让",
            "东南大学",
            "光伏",
            "5",
            "孙亮",
        ],
        [
            "一种硅碳负极预锂化方法（重复登记）",
            app("202310000001"),
            "授权",
            "20~30",
            "转让",
            "东南大学",
            "锂电池产业",
            "5",
            "王平",
        ],
        [
            "一种钠离子电池正极材料",
            app("202310000009"),
            "公开",
            "10-20万元",
            "作价入股/合作开发",
            "东南大学",
            "新材料产业",
            "TRL 4",
            "钱进",
        ],
        [
            "一种电池包液冷板",
            app("202320000010"),
            "有权",
            "",
            "普通许可",
            "东南大学",
            "动力电池行业",
            "",
            "郑好",
        ],
    ]
    for row in rows:
        ws.append(row)
    save(wb, "offers_patent_database.xlsx")


# 2. Merged owner cells, a hidden ID column, a hidden first sheet, a totals row and a footnote.
def offers_merged_hidden() -> None:
    wb = openpyxl.Workbook()
    hidden = wb.active
    hidden.title = "填表说明"
    hidden.append(["本表由成果转化办公室填写，价格单位为万元"])
    hidden.sheet_state = "hidden"
    ws = wb.create_sheet("成果清单")
    ws.append(["重庆大学溧阳研究院 2026 年可转化成果汇总表"])
    ws.merge_cells("A1:G1")
    ws.append([])
    ws.append(["内部编号", "权利人", "成果名称", "专利号", "专利类别", "报价（万元）", "所属领域"])
    data = [
        [
            "CQ-01",
            "重庆大学溧阳研究院",
            "一种永磁同步电机无位置传感器控制方法",
            app("202410000011"),
            "发明专利",
            80,
            "智能装备",
        ],
        ["CQ-02", None, "一种智慧路灯集中控制器", app("202420000012"), "实用新型专利", 12, "电子信息"],
        ["CQ-03", None, "一种储能变流器并网控制方法", app("202410000013"), "发明", "面议", "绿色储能"],
        [
            "CQ-04",
            "南航天目湖校区",
            "一种无人机复合材料机臂",
            app("202420000014"),
            "实用新型",
            20,
            "航空航天",
        ],
        ["CQ-05", None, "一种无人机电池快换机构", app("202420000015"), "外观设计", 8, "航空航天"],
    ]
    for row in data:
        ws.append(row)
    ws.merge_cells("B4:B6")
    ws.merge_cells("B7:B8")
    ws.append(["合计", None, None, None, None, 120, None])
    ws.append(["注：报价为意向价格，可面议"])
    ws.column_dimensions["A"].hidden = True
    save(wb, "offers_merged_hidden.xlsx")


# 3. A GBK csv as Chinese Excel saves it, with patent types written in full and other separators.
def offers_gbk_csv() -> None:
    rows = [
        ["成果名称", "专利号", "专利类型", "状态", "单位", "转化方式", "报价（万元）", "所属行业"],
        [
            "一种芹菜保鲜方法",
            app("202310000021"),
            "发明专利",
            "有效",
            "东南大学",
            "转让/普通许可",
            "5",
            "现代农业",
        ],
        [
            "一种茶园采摘机械手",
            app("202320000022"),
            "实用新型专利",
            "授权",
            "东南大学",
            "转让、作价入股",
            "8",
            "农业",
        ],
        [
            "一种茶叶杀青温控装置",
            app("202320000023"),
            "实用新型",
            "在审",
            "东南大学",
            "排他许可",
            "面议",
            "现代农业产业",
        ],
        [
            "一种青虾养殖水质监测浮标",
            app("202320000024"),
            "实用新型",
            "实审",
            "东南大学",
            "卖断",
            "6",
            "现代农业",
        ],
    ]
    text = io.StringIO()
    csv.writer(text, lineterminator="\r\n").writerows(rows)
    (HERE / "offers_gbk.csv").write_bytes(text.getvalue().encode("gbk"))


# 4. Headers no synonym lists: the title column needs the mapping step (the browser test uses this file).
def offers_needs_mapping() -> None:
    rows = [
        ["序号", "项目", "编号", "归属单位", "简要说明"],
        ["1", "机器视觉焊缝检测方法", app("202410000031"), "南京航空航天大学天目湖校区", "基于深度学习"],
        ["2", "AGV激光导航定位方法", app("202410000032"), "南航天目湖校区", "适用于车间"],
        ["3", "卷绕机张力控制方法", app("202410000033"), "南京航空航天大学", "锂电装备"],
    ]
    text = io.StringIO()
    csv.writer(text, lineterminator="\n").writerows(rows)
    (HERE / "offers_needs_mapping.csv").write_text(text.getvalue(), encoding="utf-8-sig")


# 5. Another version of the registration system: other wording, amounts in 万元 (said in a note row), date cells.
def contracts_other_version() -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["技术合同认定登记汇总表（2025 年度）"])
    ws.merge_cells("A1:J1")
    ws.append(["金额单位：万元"])
    ws.append(
        [
            "认定登记号",
            "技术合同名称",
            "合同类别",
            "卖方（受托方）",
            "买方（委托方）",
            "买方社会信用代码",
            "合同金额",
            "技术交易金额",
            "签约日期",
            "认定日期",
        ]
    )
    buyer = code("MA1XA001")
    rows = [
        [
            "2025320481000101",
            "高镍正极材料包覆工艺开发",
            "技术开发（委托）",
            "东南大学溧阳研究院",
            "溧阳甲新能源有限公司",
            buyer,
            Decimal("12.5"),
            Decimal(10),
            date(2025, 3, 1),
            date(2025, 3, 20),
        ],
        [
            "2025320481000102",
            "储能电站运维咨询",
            "技术咨询",
            "重庆大学溧阳研究院",
            "溧阳乙储能有限公司",
            code("MA1XA002"),
            3,
            None,
            date(2025, 4, 2),
            date(2025, 4, 18),
        ],
        [
            "2025320481000103",
            "无人机机臂结构优化",
            "技术服务",
            "南航天目湖校区",
            "溧阳丙航空有限公司",
            code("MA1XA003"),
            Decimal("8.25"),
            Decimal("8.25"),
            date(2025, 5, 6),
            date(2025, 5, 30),
        ],
        [
            "2025320481000104",
            "电机控制算法许可",
            "技术许可",
            "重庆大学",
            "溧阳丁电机有限公司",
            bad_code("MA1XA004"),
            20,
            20,
            date(2025, 6, 1),
            date(2025, 6, 15),
        ],
        [
            "2025320481000105",
            "茶叶加工工艺",
            "技术推广",
            "东南大学",
            "溧阳戊茶业有限公司",
            code("MA1XA005"),
            2,
            2,
            date(2025, 6, 8),
            date(2025, 6, 20),
        ],
        [
            "2025320481000101",
            "高镍正极材料包覆工艺开发（重复）",
            "技术开发",
            "东南大学溧阳研究院",
            "溧阳甲新能源有限公司",
            buyer,
            Decimal("12.5"),
            Decimal(10),
            date(2025, 3, 1),
            date(2025, 3, 20),
        ],
    ]
    for row in rows:
        ws.append(row)
    ws.append(["合计", None, None, None, None, None, Decimal("45.75"), None, None, None])
    save(wb, "contracts_other_version.xlsx")


# 6. A csv with a unit row under the header, spaced registration numbers and dates written in words.
def contracts_unit_row() -> None:
    rows = [
        [
            "登记编号",
            "项目名称",
            "类型",
            "卖方",
            "买方",
            "统一社会信用代码",
            "成交额",
            "签订时间",
            "登记时间",
            "所在镇",
        ],
        ["", "", "", "", "", "", "（元）", "", "", ""],
        [
            "2024 320481 000201",
            "锂电池回收湿法冶金工艺",
            "技术转让（专利权）",
            "东南大学",
            "溧阳己资源有限公司",
            code("MA1XA006"),
            "1,200,000.00",
            "2024年5月4日",
            "2024年5月20日",
            "上黄镇",
        ],
        [
            "2024 320481 000202",
            "光伏逆变器测试服务",
            "技术服务",
            "重庆大学溧阳研究院",
            "溧阳庚光电有限公司",
            code("MA1XA007"),
            "86,500元",
            "2024/6/1",
            "2024/6/3",
            "溧城",
        ],
        [
            "2024 320481 000203",
            "智能电表远程抄表系统开发",
            "技术开发（合作）",
            "南京航空航天大学天目湖校区",
            "溧阳辛电气有限公司",
            code("MA1XA008"),
            "-5000",
            "2024-07-01",
            "2024-07-09",
            "昆仑街道",
        ],
    ]
    text = io.StringIO()
    csv.writer(text, lineterminator="\n").writerows(rows)
    (HERE / "contracts_unit_row.csv").write_text(text.getvalue(), encoding="utf-8")


# 7. The bureau's 企业技术需求征集表: title and instructions, other wording, new companies, one bad code.
def needs_bureau_form() -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["溧阳市企业技术需求征集表"])
    ws.merge_cells("A1:L1")
    ws.append(["填报说明：每行填写一项需求；预算单位为万元"])
    ws.merge_cells("A2:L2")
    ws.append(
        [
            "序号",
            "企业（单位）名称",
            "统一社会信用代码",
            "所在镇（街道）",
            "所属行业",
            "技术需求名称",
            "主要技术难题",
            "预期目标",
            "拟投入资金（万元）",
            "期望合作方式",
            "截止时间",
            "联系人",
            "手机",
        ]
    )
    rows = [
        [
            1,
            "溧阳壬电池有限公司",
            code("MA1XB001"),
            "昆仑",
            "锂电池",
            "电芯化成时间缩短",
            "化成工序耗时长，占用设备",
            "化成时间缩短30%",
            "50-100",
            "合作开发+技术转让",
            date(2028, 12, 31),
            "王工",
            "13800000001",
        ],
        [
            2,
            "溧阳壬电池有限公司",
            code("MA1XB001"),
            "昆仑",
            "锂电池",
            "极片毛刺在线检测",
            "分切后毛刺漏检",
            "检出率99%",
            "面议",
            "技术咨询",
            date(2028, 6, 30),
            "王工",
            "13800000001",
        ],
        [
            3,
            "溧阳癸农业科技有限公司",
            code("MA1XB002"),
            "天目湖",
            "农业",
            "茶园病虫害识别",
            "人工巡园效率低",
            "识别准确率90%",
            "20",
            "合作开发",
            "2028-03-31",
            "李工",
            "13800000002",
        ],
        [
            4,
            "溧阳子机械有限公司",
            bad_code("MA1XB003"),
            "南渡镇",
            "智能装备",
            "焊接机器人离线编程",
            "小批量换型慢",
            "换型时间减半",
            "30~60",
            "合作开发",
            date(2028, 1, 1),
            "赵工",
            "13800000003",
        ],
        [
            5,
            "溧阳丑材料有限公司",
            code("MA1XB004"),
            "",
            "新材料",
            "涂层附着力提升",
            "涂层脱落",
            "附着力1级",
            "40",
            "合作开发",
            date(2028, 1, 1),
            "钱工",
            "13800000004",
        ],
        [
            6,
            "溧阳壬电池有限公司",
            code("MA1XB001"),
            "昆仑",
            "锂电池",
            "电芯化成时间缩短",
            "同一需求再报",
            "化成时间缩短30%",
            "50-100",
            "合作开发",
            date(2028, 12, 31),
            "王工",
            "13800000001",
        ],
    ]
    for row in rows:
        ws.append(row)
    save(wb, "needs_bureau_form.xlsx")


# 8. A company directory as a town office keeps it: other headers, towns without 镇/街道, fields with 产业.
def companies_directory() -> None:
    rows = [
        ["单位名称", "统一代码", "镇街", "行业", "主营业务"],
        ["溧阳寅储能科技有限公司", code("MA1XC001"), "天目湖", "储能产业", "储能系统集成"],
        ["溧阳卯光伏有限公司", code("MA1XC002"), "溧阳市埭头镇", "光伏", "光伏组件"],
        ["溧阳辰精密机械有限公司", code("MA1XC003"), "别桥镇", "智能制造", "精密零部件"],
        ["溧阳巳生物有限公司", bad_code("MA1XC004"), "社渚镇", "生物医药", "原料药"],
        ["溧阳午环保有限公司", code("MA1XC005"), "火星镇", "环保", "污水处理"],
        ["溧阳寅储能科技有限公司（分公司）", code("MA1XC001"), "天目湖", "储能", "储能系统集成"],
    ]
    text = io.StringIO()
    csv.writer(text, lineterminator="\r\n").writerows(rows)
    (HERE / "companies_directory.csv").write_bytes(text.getvalue().encode("gbk"))


# 9. Content finds what the header does not say: codes under 「号码」, the owner under 「来源」.
def offers_by_content() -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["题目", "号码", "来源", "类型", "备注"])
    for n, (title, digits) in enumerate(
        [
            ("一种电解水制氢催化剂", "202410000041"),
            ("一种氢燃料电池双极板", "202410000042"),
            ("一种风电叶片除冰装置", "202420000043"),
        ]
    ):
        ws.append(
            [
                title,
                app(digits),
                "东南大学" if n != 1 else "重庆大学溧阳研究院",
                "发明" if digits[4] == "1" else "实用新型",
                "",
            ]
        )
    save(wb, "offers_by_content.xlsx")


if __name__ == "__main__":
    offers_patent_database()
    offers_merged_hidden()
    offers_gbk_csv()
    offers_needs_mapping()
    contracts_other_version()
    contracts_unit_row()
    needs_bureau_form()
    companies_directory()
    offers_by_content()
