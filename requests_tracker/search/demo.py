"""Demo: the guide matters that answer each category (idempotent), and a full re-index."""

from __future__ import annotations

from requests_tracker.models import Category
from services.guide.models import Matter

from . import indexing
from .models import CategoryMatter

#: category code → words of the matters' titles that answer it (besides the category's own department).
CATEGORY_MATTERS: dict[str, tuple[str, ...]] = {
    "delivery": ("外卖柜", "外卖快递"),
    "dining": ("食品安全", "午餐"),
    "parking": ("停车", "非机动车", "接驳"),
    "health": ("健康航站楼", "药柜", "家庭医生"),
    "facilities": ("电梯", "物业服务"),
    "family": ("暑托班", "母婴室", "入学"),
    "culture": ("电子书柜", "读书会", "文体"),
    "safety": ("消防",),
    "public-order": ("反诈", "推销"),
    "company-space": ("扩租", "落地"),
    "company-subsidy": ("扶持资金", "租金补贴", "总部", "研发补贴", "第二楼长"),
    "company-talent": ("落户", "居住证", "人才公寓", "工作许可"),
}


def seed() -> int:
    matters = list(Matter.objects.filter(is_published=True).only("id", "title"))
    for category in Category.objects.filter(code__in=CATEGORY_MATTERS):
        order = 1
        for matter in matters:
            if any(word in matter.title for word in CATEGORY_MATTERS[category.code]):
                CategoryMatter.objects.update_or_create(category=category, matter=matter, defaults={"order": order})
                order += 1
    return indexing.rebuild()
