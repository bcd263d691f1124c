"""Contract-import preview at scale, the twin of bench/import_offers.py: an N-row .xlsx as another version of the
registration system exports it (认定登记号, 技术合同名称, 卖方（受托方）…, amounts in 万元 said only in a note row,
date cells, a totals row), then time reading + column detection + preview and measure peak memory.

    .venv/bin/python bench/import_contracts.py [--rows 10000] [--seed 7]

Target (issue 14): 10,000 rows previewed in at most 5 s, including column detection, on the 2-core machine.
The wall time depends on the machine's load (printed with ``uptime``); the process CPU time is what the wall
time would be on an idle machine, since the preview is one thread.
"""

from __future__ import annotations

import argparse
import io
import os
import random
import subprocess
import time
import tracemalloc
from collections import Counter
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import openpyxl

from matchmaker.domain.identifiers import credit_code_check_char, org_code_check_char
from matchmaker.domain.institutions import InstitutionNormalizer, load_institutions
from matchmaker.importing.contracts import ExistingContracts, preview_contracts
from matchmaker.importing.report import ContractImportReport
from matchmaker.importing.sheets import read_sheet
from matchmaker.services.reference import load_reference

ROOT = Path(__file__).resolve().parents[1]
HEADERS = (
    "序号", "认定登记号", "技术合同名称", "合同类别", "卖方（受托方）", "买方（委托方）", "买方社会信用代码", "合同金额",
    "技术交易金额", "签约日期", "认定日期", "所属镇街",
)  # fmt: skip
TYPES = ("技术开发（委托）", "技术开发（合作）", "技术转让（专利权）", "技术许可", "技术咨询", "技术服务")
SELLERS = (
    "东南大学溧阳研究院",
    "东大溧阳研究院",
    "南航天目湖校区",
    "重庆大学溧阳研究院",
    "南京航空航天大学天目湖校区",
)
SUBJECTS = ("锂电池", "储能电站", "光伏组件", "无人机", "电机", "茶叶", "污水", "配电网", "碳纤维", "机器人")
WORKS = ("工艺开发", "性能测试", "结构优化", "控制算法", "技术咨询", "运维服务", "检测方法", "系统集成")
TOWNS = ("溧城", "昆仑街道", "天目湖", "埭头镇", "上黄", "戴埠镇", "别桥镇", "南渡镇")
BAD_ROW_SHARE = 0.01


def credit_code(rng: random.Random) -> str:
    body = "".join(rng.choice("0123456789ABCDEFGHJKLMNPQRTUWXY") for _ in range(8))
    first17 = f"91320481{body}{org_code_check_char(body)}"
    return first17 + credit_code_check_char(first17)


def generate(rows: int, seed: int) -> bytes:
    rng = random.Random(seed)
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["技术合同认定登记汇总表（基准测试）"])
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(HEADERS))
    sheet.append(["金额单位：万元"])
    sheet.append(list(HEADERS))
    for index in range(rows):
        signed = date(2021, 1, 1) + timedelta(days=rng.randint(0, 1800))
        amount = Decimal(rng.randint(10, 50_000)).scaleb(-2)  # 0.10–500.00 万元
        code = credit_code(rng)
        if rng.random() < BAD_ROW_SHARE:
            code = code[:-1] + ("0" if code[-1] != "0" else "1")
        sheet.append(
            [
                index + 1,
                f"{signed.year}320481{index + 1:06d}",
                f"{rng.choice(SUBJECTS)}{rng.choice(WORKS)}",
                rng.choice(TYPES),
                rng.choice(SELLERS),
                f"溧阳市{rng.choice(SUBJECTS)}科技有限公司{index % 300}",
                code,
                amount,
                amount if rng.random() < 0.7 else None,
                signed,
                signed + timedelta(days=rng.randint(1, 60)),
                rng.choice(TOWNS),
            ]
        )
    sheet.append(["合计"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def uptime() -> str:
    return subprocess.run(["uptime"], capture_output=True, text=True, check=False).stdout.strip()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()

    normalizer = InstitutionNormalizer(load_institutions(ROOT / "seed" / "institutions.json"))
    towns = load_reference(ROOT / "seed").towns
    started = time.perf_counter()
    data = generate(args.rows, args.seed)
    print(
        f"generated {args.rows} rows: {len(data) / 1024 / 1024:.1f} MB .xlsx in {time.perf_counter() - started:.1f} s"
    )

    def run() -> tuple[float, float, float, ContractImportReport]:
        t0, cpu0 = time.perf_counter(), time.process_time()
        sheet = read_sheet(data, "bench.xlsx", max_bytes=max(len(data), 10 * 1024 * 1024))
        t1 = time.perf_counter()
        report = preview_contracts(sheet, normalizer=normalizer, towns=towns, existing=ExistingContracts())
        return t1 - t0, time.perf_counter() - t1, time.process_time() - cpu0, report

    read_s, preview_s, cpu_s, report = run()
    statuses = Counter(r.status for r in report.results)
    print(
        f"rows: {len(report.results)}  valid: {statuses['valid']}  error: {statuses['error']}  "
        f"duplicate: {statuses['duplicate']}  total {report.total_yuan:,.2f} 元"
    )
    amount = next(c for c in report.columns if c.field == "amount_yuan")
    print(f"amount column: {amount.letter}「{amount.header}」 — {amount.reason}")
    print(f"read .xlsx:                     {read_s:6.2f} s  ({args.rows / read_s:8.0f} rows/s)")
    print(f"detect + validate + dedupe:     {preview_s:6.2f} s  ({args.rows / preview_s:8.0f} rows/s)")
    print(f"preview total:                  {read_s + preview_s:6.2f} s  target ≤ 5 s")
    print(
        f"preview CPU time:               {cpu_s:6.2f} s  (load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores)"
    )
    print(f"uptime: {uptime()}")
    tracemalloc.start()
    run()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(f"peak Python allocations during preview (tracemalloc): {peak / 1024 / 1024:.1f} MB")


if __name__ == "__main__":
    main()
