"""Demo projects from the press reports (DOMAIN.md), linked to the seeded demands and resources.

Idempotent: a project whose title exists is left alone. Everything goes through the actions, dated
in the past (so nobody is e-mailed about it: backdated news is old news).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.utils import timezone

from buildings.access import ActorScope
from buildings.models import Building, Subdistrict
from services.resources import demo as resources_demo
from services.resources.models import Resource

from ..models import Demand
from . import actions
from .models import Milestone, Project


@dataclass(frozen=True)
class DemoProject:
    title: str
    description: str
    started_days_ago: float
    status: str
    buildings: tuple[str, ...] = ()
    subdistrict: str = ""
    target_in_days: int | None = None
    #: (building slug, demand title)
    demands: tuple[tuple[str, str], ...] = ()
    #: resource titles
    resources: tuple[str, ...] = ()
    #: (title, due in days from the start, done?)
    milestones: tuple[tuple[str, int, bool], ...] = ()
    #: (days after the start, text, progress)
    updates: tuple[tuple[float, str, int], ...] = ()
    completed_after_days: float | None = None
    closing_note: str = ""
    extra: dict[str, str] = field(default_factory=dict)


PROJECTS: tuple[DemoProject, ...] = (
    DemoProject(
        title="1F 2号门智能加热外卖柜",
        description="外卖、快递无法上楼，1 楼交接混乱。楼事会在多家企业中开展外卖需求、意见征集调查，"
        "物业提供 1 楼 2 号门点位，安装智能加热外卖柜，日均约 300 单。",
        started_days_ago=330,
        status=Project.Status.DONE,
        buildings=("shanghai-tower",),
        demands=(("shanghai-tower", "外卖快递无法上楼，一楼交接太混乱"), ("shanghai-tower", "外卖柜什么时候能装好？")),
        resources=("1F 2号门外卖柜点位",),
        milestones=(("外卖需求、意见征集调查", 20, True), ("确定点位与供应商", 45, True), ("安装调试", 70, True)),
        updates=(
            (20, "问卷收回 1,200 余份，八成受访者希望在 1 楼集中取餐。", 30),
            (45, "物业同意提供 1 楼 2 号门点位，供应商已确定。", 60),
        ),
        completed_after_days=75,
        closing_note="外卖柜已在 1F 2 号门投入使用，支持加热保温，日均约 300 单。",
    ),
    DemoProject(
        title="健康航站楼",
        description="白领工作忙、没时间看病：22F 健康航站楼有全科和中医医生轮值坐诊，"
        "智能药柜提供 100 余种常用药，可刷医保卡。",
        started_days_ago=260,
        status=Project.Status.IN_PROGRESS,
        buildings=("shanghai-tower",),
        target_in_days=300,
        demands=(
            ("shanghai-tower", "工作太忙，没时间去医院看小毛病"),
            ("shanghai-tower", "希望健康航站楼增加午休时段号源"),
        ),
        resources=("健康航站楼医生轮值表",),
        milestones=(("医生轮值表", 30, True), ("智能药柜上线", 90, True), ("午休时段号源", 300, False)),
        updates=((30, "全科、中医医生轮值表已排定。", 40), (90, "智能药柜上线，可刷医保卡。", 80)),
    ),
    DemoProject(
        title="暑期托管班",
        description="暑假孩子没人带：上海银行大厦连续第三年提供场地（工作日 8:30–18:00），"
        "陆家嘴管理局购买专业机构服务运营。",
        started_days_ago=20,
        status=Project.Status.IN_PROGRESS,
        buildings=("bank-of-shanghai-tower", "jin-mao-tower"),
        target_in_days=80,
        demands=(("jin-mao-tower", "暑假孩子没人带，希望楼里办托管班"),),
        resources=("暑期托管班场地",),
        updates=((5, "报名开放，首批 40 个名额。", 30), (15, "运营机构已确定，课程表公布。", 55)),
    ),
    DemoProject(
        title="150 个车位临时停车场",
        description="园区周边停车难：开发集团提供空地，改建 150 个车位的临时停车场。",
        started_days_ago=200,
        status=Project.Status.DONE,
        buildings=("shanghai-bay-area-innovation-center",),
        resources=("临时停车场地块",),
        updates=((30, "场地平整完成。", 50),),
        completed_after_days=60,
        closing_note="临时停车场启用，共 150 个车位。",
    ),
    DemoProject(
        title="四部电梯联动改造",
        description="装修后四部电梯未联动，业主加入楼委会后推动完成联动改造。",
        started_days_ago=180,
        status=Project.Status.DONE,
        buildings=("shanghai-bay-area-innovation-center",),
        updates=((20, "业主方同意出资改造。", 40),),
        completed_after_days=45,
        closing_note="四部电梯已完成联动，早高峰候梯时间明显缩短。",
    ),
    DemoProject(
        title="电子书借阅柜（36 台）",
        description="在楼宇和园区布设 36 台电子书借阅柜，扫码即可借阅。",
        started_days_ago=190,
        status=Project.Status.DONE,
        buildings=("jin-mao-tower",),
        demands=(("jin-mao-tower", "希望楼里能借阅电子书"),),
        resources=("电子书借阅柜",),
        completed_after_days=40,
        closing_note="36 台电子书借阅柜全部安装完成。",
    ),
    DemoProject(
        title="白领午餐点",
        description="长寿路街道历时三个月线上线下问卷调研（92.6% 的受访者写下了自己的建议），"
        "推出 25–28 元白领套餐：政府补贴一点、商户让利一点、白领自费一点。",
        started_days_ago=100,
        status=Project.Status.IN_PROGRESS,
        subdistrict="changshou-road",
        target_in_days=150,
        resources=("白领午餐合作商户",),
        milestones=(("问卷调研", 90, True), ("签约合作商户", 110, False), ("午餐点开放", 150, False)),
        updates=((90, "问卷调研结束：92.6% 的受访者写下了自己的需求和建议。", 40),),
    ),
)


def seed(now: datetime | None = None) -> int:
    """Adds the demo resources and projects that are missing; returns how many projects it added."""
    now = now or timezone.now()
    resources_demo.seed(now)
    superuser = ActorScope(is_superuser=True)
    buildings = {b.slug: b for b in Building.objects.all()}
    subdistricts = {s.slug: s for s in Subdistrict.objects.all()}
    existing = set(Project.objects.values_list("title", flat=True))
    added = 0
    for spec in PROJECTS:
        if spec.title in existing:
            continue
        served = [buildings[slug] for slug in spec.buildings if slug in buildings]
        subdistrict = subdistricts.get(spec.subdistrict) if spec.subdistrict else None
        if not served and subdistrict is None:
            continue
        start = now - timedelta(days=spec.started_days_ago)
        project = actions.project_create(
            actor=None,
            scope=superuser,
            title=spec.title,
            description=spec.description,
            buildings=served,
            subdistrict=subdistrict,
            start_date=timezone.localdate(start),
            target_date=timezone.localdate(start + timedelta(days=spec.target_in_days))
            if spec.target_in_days
            else None,
            at=start,
        )
        for order, (title, due, done) in enumerate(spec.milestones):
            due_at = start + timedelta(days=due)
            Milestone.objects.create(
                project=project,
                order=order,
                title=title,
                due_date=timezone.localdate(due_at),
                done_date=timezone.localdate(min(due_at, now)) if done else None,
            )
        for title in spec.resources:
            resource = Resource.objects.filter(title=title).first()
            if resource is not None:
                actions.project_use_resource(project=project, resource=resource)
        if spec.status != Project.Status.PLANNED:
            actions.project_set_status(
                project=project, status=Project.Status.IN_PROGRESS, actor=None, scope=superuser, at=start
            )
        for building_slug, demand_title in spec.demands:
            demand = Demand.objects.filter(building__slug=building_slug, title=demand_title).first()
            if demand is None:
                continue
            linked_at = min(max(start, demand.submitted_at + timedelta(hours=2)), now - timedelta(hours=1))
            actions.project_link_demand(project=project, demand=demand, actor=None, scope=superuser, at=linked_at)
        for after, text, progress in spec.updates:
            actions.project_post_update(
                project=project,
                actor=None,
                scope=superuser,
                text=text,
                progress=progress,
                at=min(start + timedelta(days=after), now - timedelta(minutes=30)),
            )
        if spec.completed_after_days is not None:
            actions.project_complete(
                project=project,
                actor=None,
                scope=superuser,
                note=spec.closing_note,
                at=min(start + timedelta(days=spec.completed_after_days), now - timedelta(minutes=20)),
            )
        added += 1
    return added
