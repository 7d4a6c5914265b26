"""Policy texts written for these tests (not real documents) and a helper to save them."""

from __future__ import annotations

from typing import Any

from yuqing.policies import services
from yuqing.policies.models import PolicyDocument

DEDUCTION = {
    "title": "国家税务总局测试局关于个人所得税专项附加扣除有关事项的通知",
    "issued_on": "2023-08-30",
    "validity": "全文有效",
    "text": "测税发〔2023〕12号\n各县局：\n"
    "纳税人的子女接受全日制学历教育的相关支出，按照每个子女每月2000元的标准定额扣除。"
    "纳税人赡养一位及以上被赡养人的赡养支出，统一按照每月3000元的标准定额扣除。"
    "子女教育、赡养老人专项附加扣除可以在预扣预缴个人所得税时享受，也可以在年度汇算时申报。",
}
SMALL_TAXPAYER = {
    "title": "国家税务总局测试局关于小规模纳税人增值税减免政策的公告",
    "issued_on": "2023-01-09",
    "validity": "全文有效",
    "text": "对月销售额10万元以下（含本数）的增值税小规模纳税人，免征增值税。"
    "增值税小规模纳税人适用3%征收率的应税销售收入，减按1%征收率征收增值税。",
}
VEHICLE = {
    "title": "国家税务总局测试局关于新能源汽车车辆购置税政策的通知",
    "issued_on": "2022-09-18",
    "validity": "部分有效",
    "text": "对购置日期在规定期间内的新能源汽车免征车辆购置税。免税新能源汽车目录由主管部门发布。",
}
ANNUAL_RETURN = {
    "title": "国家税务总局测试局关于办理个人所得税综合所得年度汇算的公告",
    "issued_on": "2024-02-05",
    "validity": "全文有效",
    "text": "纳税人在年度内取得综合所得，需要办理个人所得税年度汇算的，应在规定期限内申报。"
    "年度汇算时纳税人可以补充填报专项附加扣除。预缴税额高于应纳税额的，可申请退税。",
}
OLD_DEDUCTION = {
    "title": "国家税务总局测试局关于个人所得税专项附加扣除暂行办法的通知",
    "issued_on": "2018-12-22",
    "validity": "失效",
    "text": "纳税人的子女接受全日制学历教育的相关支出，按照每个子女每月1000元的标准定额扣除。"
    "纳税人赡养老人的赡养支出，按照每月2000元的标准定额扣除。子女教育专项附加扣除个人所得税。",
}


def make_policy(data: dict[str, Any], **changes: Any) -> PolicyDocument:
    return services.policy_create(actor=None, data={**data, **changes})
