"""Fixed vocabularies of the brief. Values are the Chinese strings users see and the database stores.

Industry fields and towns are *not* here: they are reference data in ``seed/``.
"""

from __future__ import annotations

from typing import Final

ROLES: Final = ("researcher", "sme", "organizer", "bureau", "admin")
ROLE_LABELS: Final = {
    "researcher": "科研人员",
    "sme": "企业技术人员",
    "organizer": "对接会组织者",
    "bureau": "知识产权局",
    "admin": "管理员",
}

PATENT_TYPES: Final = ("发明", "实用新型", "外观设计")
# Type digit (5th digit of a 12-digit application number) → patent type. 8 is a PCT application entering the
# Chinese national phase as an invention, 9 the same for a utility model.
PATENT_TYPE_BY_DIGIT: Final = {"1": "发明", "2": "实用新型", "3": "外观设计", "8": "发明", "9": "实用新型"}
LEGAL_STATUSES: Final = ("有效", "审中", "失效")
TRANSFER_MODES: Final = ("转让", "独占许可", "排他许可", "普通许可", "作价入股", "合作开发")
OFFER_STATUSES: Final = ("草稿", "发布", "已转化", "撤回")
OFFER_TRANSITIONS: Final = {
    "草稿": ("发布",),
    "发布": ("已转化", "撤回"),
    "撤回": ("草稿",),
    "已转化": (),
}

#: Offers on the market: the matcher ranks them, SMEs ask for meetings on them, organizers pair them.
PUBLISHED_OFFER_STATUSES: Final = ("发布",)
#: Offers anyone signed in may read: those on the market and those already transferred (kept as a record).
PUBLIC_OFFER_STATUSES: Final = ("发布", "已转化")

#: Who sits at an event table: a researcher (an offer's side), a company, or a bank or guarantor (质权人) in a
#: 银企对接 session; the scheduler treats every kind but company as the table's host side.
PARTICIPANT_KIND_LABELS: Final = {"researcher": "科研人员", "company": "企业代表", "bank": "金融机构"}

COOP_MODES: Final = ("转让", "许可", "作价入股", "合作开发", "技术咨询")
NEED_STATUSES: Final = ("开放", "对接中", "已解决", "关闭")
NEED_TRANSITIONS: Final = {
    "开放": ("对接中", "关闭"),
    "对接中": ("已解决", "关闭", "开放"),
    "已解决": (),
    "关闭": (),
}

#: Needs still looking for a solution: matched, offered to organizers, nameable in a meeting request.
OPEN_NEED_STATUSES: Final = ("开放", "对接中")

CONTRACT_TYPES: Final = ("技术开发", "技术转让", "技术许可", "技术咨询", "技术服务")

EVENT_STATUSES: Final = ("筹备", "已发布", "已结束")
ATTENDANCE: Final = ("到场", "缺席")
MEETING_OUTCOMES: Final = ("意向", "签约", "无果")
PREFERENCES: Final = ("必须见", "愿意见", "不见")
DECLINE_REASONS: Final = ("技术不匹配", "阶段太早", "预算不符", "已转让", "其他")
REQUEST_STATES: Final = ("待回复", "已接受", "已拒绝")
JUDGEMENT_LABELS: Final = ("好匹配", "不相关")
