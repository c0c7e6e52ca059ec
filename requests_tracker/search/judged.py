"""The judged queries for 案例查询 (written from the demo data): what a user types, what should come first.

Each query lists title fragments of the documents that answer it; the first fragment is the one
that should come first. Used by bench/search.py and tests/services/guide/test_relevance.py.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Judged:
    q: str
    relevant: tuple[str, ...]


JUDGED: tuple[Judged, ...] = (
    Judged("外卖柜", ("外卖快递无法上楼", "外卖柜", "外卖快递")),
    Judged("外卖", ("外卖快递无法上楼", "外卖柜", "外卖骑手", "外卖快递")),
    Judged("送餐", ("外卖快递无法上楼", "外卖柜", "外卖骑手", "外卖快递")),
    Judged("外买柜", ("外卖柜", "外卖快递无法上楼")),
    Judged("外卖柜不加热", ("外卖柜部分格口不加热", "外卖柜")),
    Judged("food locker", ("外卖快递无法上楼", "外卖柜", "外卖骑手")),
    Judged("停车", ("停车", "车位", "车库")),
    Judged("车位", ("车位", "停车")),
    Judged("parking", ("停车", "车位", "车库")),
    Judged("没有地下车库", ("没有地下车库", "停车")),
    Judged("看病", ("看小毛病", "健康航站楼", "问诊")),
    Judged("问诊", ("健康航站楼", "看小毛病", "问诊")),
    Judged("体检", ("健康航站楼", "看小毛病", "体检")),
    Judged("健康航站楼", ("健康航站楼",)),
    Judged("智能药柜", ("药柜", "健康航站楼")),
    Judged("暑托", ("暑托班", "托管班", "暑期")),
    Judged("托班", ("暑托班", "托管班", "暑期")),
    Judged("暑托班报名", ("暑托班", "托管班")),
    Judged("summer class", ("暑托班", "托管班")),
    Judged("扩租", ("扩租",)),
    Judged("扩大办公", ("扩租", "扩大办公", "工位")),
    Judged("办公空间不够", ("扩租", "工位", "扩大办公")),
    Judged("电梯", ("电梯",)),
    Judged("电梯联动", ("联动", "电梯")),
    Judged("消防通道", ("消防通道",)),
    Judged("装修消防", ("装修消防",)),
    Judged("消防", ("消防",)),
    Judged("扶持资金", ("扶持资金", "扶持", "补贴")),
    Judged("补贴", ("补贴", "扶持")),
    Judged("subsidy", ("扶持", "补贴")),
    Judged("人才落户", ("落户", "人才")),
    Judged("居住证积分", ("居住证",)),
    Judged("人才公寓", ("人才公寓",)),
    Judged("外国人工作许可", ("工作许可",)),
    Judged("电子书柜", ("书柜",)),
    Judged("读书会", ("读书会", "阅读")),
    Judged("午餐", ("午餐",)),
    Judged("反诈", ("反诈",)),
    Judged("快递驿站", ("快递驿站", "快递")),
    Judged("第二楼长", ("第二楼长", "经济服务专员")),
    Judged("经济楼长", ("第二楼长", "经济楼长", "经济服务专员")),
    Judged("会议室", ("会议室",)),
    Judged("劳动争议", ("劳动争议",)),
    Judged("发票", ("发票",)),
    Judged("高新技术企业", ("高新技术",)),
)


def measure(search: object) -> tuple[float, float, list[tuple[str, int | None]]]:
    """(precision@5, MRR, per query the rank of the first relevant hit) for `search(q) -> [title, ...]`."""
    precisions: list[float] = []
    reciprocal: list[float] = []
    ranks: list[tuple[str, int | None]] = []
    for judged in JUDGED:
        titles: list[str] = search(judged.q)  # type: ignore[operator]
        relevant = [any(part in title for part in judged.relevant) for title in titles[:5]]
        precisions.append(sum(relevant) / 5)
        first = next((i + 1 for i, title in enumerate(titles[:20]) if judged.relevant[0] in title), None)
        first_any = next((i + 1 for i, ok in enumerate(relevant) if ok), None)
        rank = first or first_any
        reciprocal.append(1 / rank if rank else 0.0)
        ranks.append((judged.q, rank))
    return sum(precisions) / len(precisions), sum(reciprocal) / len(reciprocal), ranks
