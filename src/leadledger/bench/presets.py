"""The duties shipped for the three kinds of team of the source (W-1, W-2), installed per project.

Each line: (role, name in Chinese and English, cadence, n, time of day, counts, target, source).
A duty the app cannot count yet ships with no `counts`: it is listed, never ticked by hand (W-2). The
篇4 duties count the field log (decision 490).
"""

from __future__ import annotations

from datetime import time

from leadledger.engine import duties as d

CONSULTANT, MANAGER = "consultant", "manager"
MR, QR, YR = d.MONTHLY_REPORT, d.QUARTERLY_REPORT, d.YEARLY_REPORT  # W-3: counted once submitted
SV = "survey"  # W-5: counted once sent
WC, WV = d.WHOLESALERS_CALLED, d.WHOLESALERS_VISITED  # 篇4: owed to each wholesaler (decision 490)

Preset = tuple[str, str, str, str, int | None, time | None, str, int, str]

PRESETS: dict[str, tuple[Preset, ...]] = {
    "key_account": (  # 篇1: the key-account customer manager
        (CONSULTANT, "回访老客户", "Call back existing prospects", d.DAILY, None, None, d.CALLBACKS, 10, "篇1 3.1"),
        (CONSULTANT, "开发新客户", "Find new prospects", d.DAILY, None, None, d.NEW_PROSPECTS, 5, "篇1 3.1"),
        (CONSULTANT, "工作日志", "Work log", d.DAILY, None, None, "work_log", 1, "篇1 3.12"),
        (CONSULTANT, "周报与下周计划", "Weekly report and plan", d.WEEKLY, None, None, "weekly_report", 1, "篇1 3.16"),
        (CONSULTANT, "月度工作总结", "Monthly summary", d.MONTHLY, None, None, MR, 1, "篇1 3.22"),
        (CONSULTANT, "月度回款对账", "Monthly collection reconciliation", d.MONTHLY, None, None, "", 1, "篇1 3.23"),
        (CONSULTANT, "月度满意度调查", "Monthly satisfaction survey", d.MONTHLY, None, None, SV, 1, "篇1 3.27"),
        (CONSULTANT, "季度满意度调查", "Quarterly satisfaction survey", d.QUARTERLY, None, None, SV, 1, "篇1 3.33"),
        (CONSULTANT, "季度计划与考核", "Quarterly plan and appraisal", d.QUARTERLY, None, None, QR, 1, "篇1 3.35"),
        (CONSULTANT, "年度计划与考核", "Yearly plan and appraisal", d.YEARLY, None, None, YR, 1, "篇1 3.37"),
    ),
    "distribution": (  # 篇4 二: distribution to dealers, wholesalers and shops, counted from the field log
        (CONSULTANT, "检查经销商库存", "Check the dealer's stock", d.DAILY, None, None, d.STOCK_CHECK, 1, "篇4"),
        (CONSULTANT, "登记库存", "Log the stock", d.EVERY_N_DAYS, 5, None, d.STOCK_LOGGED, 1, "篇4"),
        (CONSULTANT, "电话联系二级批发商", "Call each secondary wholesaler", d.EVERY_N_DAYS, 3, None, WC, 1, "篇4"),
        (CONSULTANT, "拜访二级批发商", "Visit each secondary wholesaler", d.MONTHLY, None, None, WV, 1, "篇4"),
        (
            CONSULTANT,
            "零售巡店（每轮10家）",
            "Retail rounds of 10 shops",
            d.MONTHLY,
            None,
            None,
            d.RETAIL_ROUNDS,
            3,
            "篇4",
        ),
        (CONSULTANT, "旬度市场分析", "Ten-day market analysis", d.DEKAD, None, None, d.MARKET_ANALYSIS, 1, "篇4"),
        (
            MANAGER,
            "批发商月度例会",
            "Monthly wholesaler meeting",
            d.MONTHLY,
            None,
            None,
            d.WHOLESALER_MEETING,
            1,
            "篇4",
        ),
    ),
    "sales_office": (  # 篇5: a sales office's day
        (CONSULTANT, "晨会", "Morning meeting", d.DAILY, None, time(8, 30), "", 1, "篇5"),
        (CONSULTANT, "拓客", "Prospecting", d.DAILY, None, None, d.NEW_PROSPECTS, 5, "篇5"),
        (CONSULTANT, "夕会总结", "Evening summary", d.DAILY, None, time(17, 30), "work_log", 1, "篇5"),
    ),
}
