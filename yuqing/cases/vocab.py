"""The procedure's vocabulary (design.md): states, findings, report kinds, levels, responsibilities.

Plain Python, no Django import. The transition table lives in :mod:`yuqing.cases.flow`.
"""

from __future__ import annotations

# Case states (处置案件), in the order of the plan's procedure (二).
NEW = "new"
NOTIFIED = "notified"
VERIFYING = "verifying"
REPORTED = "reported"
PLAN_PENDING = "plan_pending"
RESPONDING = "responding"
TRACKING = "tracking"
EVALUATING = "evaluating"
CLOSED = "closed"

STATES: dict[str, str] = {
    NEW: "发现",
    NOTIFIED: "已通报",
    VERIFYING: "核实中",
    REPORTED: "已报告",
    PLAN_PENDING: "方案待审批",
    RESPONDING: "处置中",
    TRACKING: "后期跟踪",
    EVALUATING: "评估中",
    CLOSED: "结案",
}
OPEN_STATES = frozenset(STATES) - {CLOSED}

# Findings (事实认定) of a case and of a department's verification.
FINDING_PENDING = "pending"
FINDING_TRUE = "true"
FINDING_PARTLY_TRUE = "partly_true"
FINDING_FALSE = "false"
FINDINGS: dict[str, str] = {
    FINDING_PENDING: "待核实",
    FINDING_TRUE: "属实",
    FINDING_PARTLY_TRUE: "部分属实",
    FINDING_FALSE: "失实",
}
TRUE_FINDINGS = frozenset({FINDING_TRUE, FINDING_PARTLY_TRUE})

REPORT_KINDS: dict[str, str] = {"initial": "初报", "followup": "续报", "final": "终报"}
REPORT_MODES: dict[str, str] = {"written": "书面", "oral": "口头"}
# Level by level (逐级上报, 二(三)): each level needs a report at the one before, unless 越级.
REPORT_LEVELS: dict[str, str] = {
    "working_group": "舆情应急工作组",
    "bureau_leaders": "局领导",
    "city": "师市党委/市政府",
    "region": "自治区税务局",
}
REPORT_LEVEL_ORDER: tuple[str, ...] = tuple(REPORT_LEVELS)

RESPONSIBILITIES: dict[str, str] = {
    "leadership": "领导责任（主要负责人）",
    "main_leadership": "主要领导责任（分管局领导）",
    "direct": "直接责任（科室负责人/处置责任人）",
}

# Everything a situation report must contain (二(三) 情况报告应包含…的各要素), field → label.
REPORT_ELEMENTS: dict[str, str] = {
    "occurred_at": "时间",
    "place": "地点",
    "people": "人物",
    "cause": "事件起因",
    "nature": "性质",
    "scale": "规模",
    "course": "基本过程",
    "harm": "已造成的危害",
    "scope": "影响范围",
    "info_source": "信息来源",
    "current_state": "舆情现状",
    "trend_judgement": "未来走势判断",
    "handling_so_far": "目前处置情况",
    "development_trend": "事态发展趋势",
    "next_steps": "下一步工作建议",
}
