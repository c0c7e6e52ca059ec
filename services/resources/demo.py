"""Demo resources from the press reports (DOMAIN.md): idempotent, keyed by (title, building)."""

from __future__ import annotations

from datetime import datetime

from django.utils import timezone

from buildings.models import Building, Subdistrict

from .models import Resource

#: (building slug or "", sub-district slug, title, kind, provider kind, provider name, floor, when, capacity,
#: description, contact)
RESOURCES: list[tuple[str, str, str, str, str, str, str, str, str, str, str]] = [
    ("shanghai-tower", "lujiazui", "1F 2号门外卖柜点位", "space", "property", "上海中心大厦物业", "1F 2号门",
     "全天", "约 300 单/日", "物业提供 1 楼 2 号门内侧场地，安装加热智能外卖柜。", "物业前台 021-0000-0001"),
    ("shanghai-tower", "lujiazui", "健康航站楼医生轮值表", "service", "partner", "陆家嘴社区卫生服务中心", "22F",
     "工作日 11:30–13:30", "全科、中医各 1 名", "全科和中医医生按轮值表坐诊；智能药柜 100 余种常用药，可刷医保卡。",
     "服务站 王老师"),
    ("shanghai-tower", "lujiazui", "22F 党群服务站活动室", "space", "owner", "上海中心大厦", "22F",
     "工作日 9:00–18:00", "40 人", "读书会、讲座、楼事会议事可预约使用。", "服务站 021-0000-0022"),
    ("bank-of-shanghai-tower", "lujiazui", "暑期托管班场地", "space", "owner", "上海银行大厦", "",
     "暑期工作日 8:30–18:00", "60 名儿童", "上海银行大厦连续第三年提供场地，陆家嘴管理局购买专业机构服务运营。",
     "大厦行政部 李经理"),
    ("shanghai-bay-area-innovation-center", "shanyang", "临时停车场地块", "space", "owner", "上海湾区科创中心开发集团",
     "", "全天", "150 个车位", "园区空地改建临时停车场。", "园区物业 021-0000-0150"),
    ("jin-mao-tower", "lujiazui", "电子书借阅柜", "goods", "partner", "区图书馆", "1F",
     "全天", "36 台", "合作图书馆提供电子书借阅柜，扫码借阅。", "图书馆 张老师"),
    ("", "changshou-road", "白领午餐合作商户", "goods", "partner", "盒马鲜生及周边餐饮商户", "",
     "工作日 11:00–13:30", "25–28 元套餐", "政府补贴一点、商户让利一点、白领自费一点。", "街道经济办"),
    ("", "lujiazui", "青年志愿者服务队", "volunteers", "partner", "陆家嘴青年志愿者协会", "",
     "周末", "30 人", "协助托管班、健康跑等活动。", "协会秘书处"),
]  # fmt: skip


def seed(now: datetime | None = None) -> int:
    """Adds the demo resources that are missing (by title and place); returns how many it added."""
    now = now or timezone.now()
    buildings = {b.slug: b for b in Building.objects.all()}
    subdistricts = {s.slug: s for s in Subdistrict.objects.all()}
    added = 0
    for slug, sub, title, kind, provider, name, floor, when, capacity, description, contact in RESOURCES:
        building = buildings.get(slug) if slug else None
        subdistrict = subdistricts.get(sub)
        if (slug and building is None) or subdistrict is None:
            continue
        _resource, created = Resource.objects.get_or_create(
            title=title,
            building=building,
            subdistrict=subdistrict,
            defaults={
                "kind": kind,
                "provider_kind": provider,
                "provider_name": name,
                "floor": floor,
                "availability": when,
                "capacity": capacity,
                "description": description,
                "contact": contact,
                "created_at": now,
                "updated_at": now,
            },
        )
        added += created
    return added
