"""The plan's vocabulary (design.md, "Vocabulary"): code → Chinese label.

Plain Python with no Django import, so the analysis core, the fetchers and the batch CLI can share it.
Django models build their ``TextChoices`` from these tables.
"""

MEDIA_TYPES: dict[str, str] = {
    "newspaper": "报刊",
    "radio": "广播",
    "tv": "电视",
    "news_site": "新闻网站",
    "commercial_site": "商业网站",
    "video": "视频网站",
    "forum": "社区论坛",
    "blog": "博客",
    "weibo": "微博",
    "wechat": "微信公众号",
    "other": "其他",
}

CATEGORIES: dict[str, str] = {
    "criticism": "重要税收经济问题的批评性舆论",
    "decision": "决策不科学",
    "policy_implementation": "政策不落实",
    "enforcement": "执法不规范",
    "discipline": "法纪不严明",
    "integrity": "为税不清廉",
    "misreading": "对税收政策误读",
    "mass_incident": "群体性/突发性事件",
    "service": "纳税服务问题",
    "other": "其他",
}

SENTIMENTS: dict[str, str] = {"negative": "负面", "neutral": "中性", "positive": "正面"}

SEVERITIES: dict[str, str] = {
    "general": "一般(Ⅳ级)",
    "significant": "较大(Ⅲ级)",
    "major": "重大(Ⅱ级)",
    "especially_major": "特别重大(Ⅰ级)",
}
SEVERITY_ORDER: tuple[str, ...] = ("general", "significant", "major", "especially_major")

PHASES: dict[str, str] = {"emerging": "发酵", "peak": "高峰", "declining": "回落", "subsided": "平息"}

ENGAGEMENT_FIELDS: tuple[str, ...] = ("reposts", "comments", "likes", "views")
