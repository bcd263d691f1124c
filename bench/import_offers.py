"""Offer-import preview at scale: generate an N-row .xlsx like a technology-transfer office's export, then time
reading + preview and measure peak memory.

    .venv/bin/python bench/import_offers.py [--rows 10000] [--seed 7] [--keep FILE]

Then commits the valid rows through the import service (one transaction) into a fresh SQLite file under a
temporary directory, and previews the same file again against the stored offers (the re-import case).

The header is worded as a patent database exports it (发明名称, 专利申请号码, 法律状态/事件, 参考价格, 可转化方式,
产业 …) and the values are spelt as offices spell them (授权, 实质审查的生效, 转让+许可, 20~30, TRL-5 …), so the
figure includes column detection (wording and content) and value normalisation.

Target (issue 14): 10,000 rows previewed in at most 5 s, including column detection, on the 2-core machine.
"""

from __future__ import annotations

import argparse
import io
import os
import random
import resource
import subprocess
import tempfile
import time
import tracemalloc
from collections import Counter
from datetime import date
from pathlib import Path

import openpyxl

from matchmaker.bootstrap import build
from matchmaker.domain.identifiers import patent_check_char
from matchmaker.domain.institutions import InstitutionNormalizer, load_institutions
from matchmaker.domain.offers import OfferDraft
from matchmaker.importing.offers import ExistingOffers, preview_offers
from matchmaker.importing.report import ImportReport
from matchmaker.importing.sheets import read_sheet
from matchmaker.services import offer_import
from matchmaker.services.permissions import Actor
from matchmaker.services.seeding import seed_reference
from matchmaker.settings import Settings
from matchmaker.storage.migrate import upgrade

ROOT = Path(__file__).resolve().parents[1]
FIELDS = (
    "新能源",
    "绿色储能",
    "智能电网",
    "智能装备",
    "动力电池",
    "新材料",
    "航空航天",
    "电子信息",
    "现代农业",
    "生物医药",
    "节能环保",
)
HEADERS = (
    "序号", "发明名称", "专利申请号码", "专利类型", "法律状态/事件", "申请日", "IPC分类号", "第一发明人", "专利权人（申请人）",
    "可转化方式", "参考价格", "成熟度等级", "产业", "联系人", "联系电话", "摘要",
)  # fmt: skip
STATUSES = ("有效", "授权", "专利权维持", "实质审查的生效", "公开", "未缴年费专利权终止", "视为撤回")
FIELD_SPELLINGS = ("{}", "{}产业", "{}领域")
# Title parts: no word is a subsequence of another in its list, so generated titles are distinct inventions.
QUALIFIERS = (
    "高倍率",
    "低温型",
    "长寿命",
    "固态",
    "柔性",
    "智能化",
    "模块化",
    "轻量化",
    "高安全",
    "耐腐蚀",
    "自适应",
    "多通道",
)
OBJECTS = (
    "锂离子电池正极", "钠离子电池负极", "储能变流器", "光伏逆变器", "风电齿轮箱", "无人机机翼", "电机定子", "茶叶揉捻机",
    "白芹清洗机", "污泥干化炉", "碳纤维预浸料", "石墨烯散热膜", "液冷充电枪", "微电网控制器", "青虾育苗池",
)  # fmt: skip
ASPECTS = ("材料", "结构", "系统", "组件", "涂层", "电路", "算法", "工艺", "装置", "模组")
ENDINGS = (
    "及其制备方法",
    "的控制方法",
    "的检测方法",
    "的设计方法",
    "及应用",
    "的生产工艺",
    "的在线监测方法",
    "的优化方法",
)
INSTITUTIONS = (
    "东南大学溧阳研究院",
    "东大溧阳研究院",
    "南京航空航天大学天目湖校区",
    "南航天目湖校区",
    "重庆大学溧阳研究院",
)
SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
)
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红鹏飞宇浩晨睿博文嘉欣林晓东"
MODES = ("转让", "独占许可", "排他许可", "普通许可", "作价入股", "合作开发")
IPC_BY_FIELD = {
    "新能源": "H02S 50/15",
    "绿色储能": "H02J 3/32",
    "智能电网": "H02J 3/38",
    "智能装备": "B25J 9/16",
    "动力电池": "H01M 10/0525",
    "新材料": "C01B 32/184",
    "航空航天": "B64C 3/18",
    "电子信息": "H04W 84/18",
    "现代农业": "A01G 22/05",
    "生物医药": "A61K 9/16",
    "节能环保": "C02F 1/58",
}
BAD_ROW_SHARE = 0.01


def _number(rng: random.Random, serial: int, type_digit: str) -> tuple[str, int]:
    year = rng.randint(2012, 2024)
    digits = f"{year}{type_digit}{serial:07d}"
    return f"{rng.choice(('', 'CN', 'ZL'))}{digits}.{patent_check_char(digits)}", year


def generate(rows: int, seed: int) -> bytes:
    """An .xlsx with a merged title row, a blank row, the header and ``rows`` offers (about 1% bad)."""
    rng = random.Random(seed)
    titles = [f"一种{q}{o}{a}{e}" for q in QUALIFIERS for o in OBJECTS for a in ASPECTS for e in ENDINGS]
    if rows > len(titles):
        raise SystemExit(f"at most {len(titles)} distinct titles; ask for fewer rows")
    rng.shuffle(titles)
    # A normal (not write-only) workbook, so the file has what Excel writes: shared strings, a <dimension>
    # and a merged title cell; openpyxl's write-only inline strings would make reading unrealistically slow.
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "可转化专利"
    sheet.append(["溧阳三院所可转化专利清单（基准测试）"])
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(HEADERS))
    sheet.append([])
    sheet.append(list(HEADERS))
    for index in range(rows):
        field = rng.choice(FIELDS)
        type_digit = rng.choice("1112")
        number, year = _number(rng, index + 1, type_digit)
        price: object = rng.choice((rng.randint(5, 500), f"{rng.randint(5, 500)}万", "价格面议", "20~30"))
        trl: object = rng.choice((rng.randint(1, 9), f"TRL-{rng.randint(1, 9)}", f"{rng.randint(1, 9)}级"))
        title = titles[index]
        if rng.random() < BAD_ROW_SHARE:
            bad = rng.choice(("check", "title", "trl"))
            if bad == "check":
                number = number[:-1] + ("0" if number[-1] != "0" else "1")
            elif bad == "title":
                title = ""
            else:
                trl = 12
        inventors = "、".join(
            rng.choice(SURNAMES) + "".join(rng.sample(GIVEN, 2)) for _ in range(rng.randint(2, 5))
        )
        sheet.append(
            [
                index + 1,
                title,
                number,
                "发明专利" if type_digit == "1" else "实用新型",
                rng.choice(STATUSES),
                date(year, rng.randint(1, 12), rng.randint(1, 28)),
                IPC_BY_FIELD[field],
                inventors,
                rng.choice(INSTITUTIONS),
                rng.choice(("、", "+", "；")).join(rng.sample(MODES, rng.randint(1, 3))),
                price,
                trl,
                rng.choice(FIELD_SPELLINGS).format(field),
                rng.choice(SURNAMES) + rng.choice(GIVEN),
                f"0519-8{rng.randint(1000000, 9999999)}",
                f"本发明公开了{title.removeprefix('一种')}，提高了效率并降低了成本，适用于溧阳相关产业的中小企业。",
            ]
        )
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def commit_and_reimport(report: ImportReport[OfferDraft], data: bytes) -> tuple[float, int, float, int]:
    """Commit the valid rows through the import service into a fresh SQLite file under a temporary directory (as
    the CLI does, as the operator), then preview the same file again through the service, which now reads every
    stored offer as ``existing``. Returns (commit seconds, offers stored, re-preview seconds, rows still valid)."""
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(
            database_url=f"sqlite:///{tmp}/bench.db",
            secret_key="bench",
            var_dir=Path(tmp),
            max_upload_bytes=max(len(data), 10 * 1024 * 1024),
        )
        services = build(settings)
        upgrade(services.engine)
        with services.transaction() as session:
            seed_reference(session, settings.seed_dir)
        t0 = time.perf_counter()
        result = offer_import.commit(services, Actor.system(), report)
        t1 = time.perf_counter()
        again = offer_import.preview(services, Actor.system(), data, "bench.xlsx")
        t2 = time.perf_counter()
        services.engine.dispose()
    return t1 - t0, result.committed, t2 - t1, len(again.valid_drafts)


def uptime() -> str:
    """The load beside every figure (COMMON.md): the output of ``uptime``."""
    return subprocess.run(["uptime"], capture_output=True, text=True, check=False).stdout.strip()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--keep", type=Path, help="also write the generated .xlsx here")
    args = parser.parse_args()

    normalizer = InstitutionNormalizer(load_institutions(ROOT / "seed" / "institutions.json"))
    started = time.perf_counter()
    data = generate(args.rows, args.seed)
    generated = time.perf_counter() - started
    if args.keep:
        args.keep.write_bytes(data)
    print(f"generated {args.rows} rows: {len(data) / 1024 / 1024:.1f} MB .xlsx in {generated:.1f} s")

    def run() -> tuple[float, float, float, ImportReport[OfferDraft]]:
        t0, cpu0 = time.perf_counter(), time.process_time()
        sheet = read_sheet(data, "bench.xlsx", max_bytes=max(len(data), 10 * 1024 * 1024))
        t1 = time.perf_counter()
        report = preview_offers(sheet, normalizer=normalizer, fields=FIELDS, existing=ExistingOffers())
        return t1 - t0, time.perf_counter() - t1, time.process_time() - cpu0, report

    read_s, validate_s, cpu_s, report = run()
    total_s = read_s + validate_s
    statuses = Counter(r.status for r in report.results)
    print(
        f"rows: {len(report.results)}  valid: {statuses['valid']}  error: {statuses['error']}  "
        f"duplicate: {statuses['duplicate']}"
    )
    print(f"read .xlsx:        {read_s:6.2f} s  ({args.rows / read_s:8.0f} rows/s)")
    print(f"validate + dedupe: {validate_s:6.2f} s  ({args.rows / validate_s:8.0f} rows/s)")
    print(f"preview total:     {total_s:6.2f} s  ({args.rows / total_s:8.0f} rows/s)  target ≤ 5 s")
    print(f"uptime: {uptime()}")
    # CPU time of this process: what the wall time would be on an otherwise idle machine (preview is one thread).
    print(
        f"preview CPU time:  {cpu_s:6.2f} s  (load average now {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores)"
    )

    tracemalloc.start()
    run()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(f"peak Python allocations during preview (tracemalloc): {peak / 1024 / 1024:.1f} MB")

    commit_s, committed, again_s, again_valid = commit_and_reimport(report, data)
    print(
        f"commit (one transaction, fresh SQLite): {commit_s:6.2f} s  ({committed / commit_s:8.0f} rows/s)  "
        f"{committed} offers stored"
    )
    print(
        f"re-import preview against {committed} stored offers: {again_s:6.2f} s  "
        f"({args.rows / again_s:8.0f} rows/s)  valid: {again_valid}"
    )
    print(
        f"peak resident set of the process (getrusage): {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.1f} MB"
    )


if __name__ == "__main__":
    main()
