"""Demo: a few answered questions (你问我答), once (idempotent by title and building)."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.utils import timezone

from buildings.access import ActorScope
from buildings.models import Building, User
from requests_tracker.actions import demand_transition
from requests_tracker.models import Category, Demand
from requests_tracker.workflow import Action, Outcome, Status
from services.guide.models import Matter

from . import actions

# building, category, question, matter title (routes it) or "", answer
QUESTIONS = [
    (
        "shanghai-tower",
        "company-subsidy",
        "我们是一家金融科技公司，能申请哪些政策补贴？",
        "哪个扶持资金适合我的企业（政策匹配）",
        "您好，金融科技企业可关注浦东新区金融科技产业扶持和租金补贴两项政策，可在办事大厅提交“请经济楼长匹配扶持政策”，经济楼长10个工作日内给出清单。",
    ),
    (
        "shanghai-tower",
        "health",
        "健康航站楼中午几点开门？需要带医保卡吗？",
        "健康航站楼预约问诊",
        "健康航站楼在22层，工作日11:30-13:30开放，全科和中医医生轮值；请带医保卡，智能药柜也可刷医保卡购药。",
    ),
    (
        "jin-mao-tower",
        "company-space",
        "公司要扩租200平方米，周边有合适的办公空间吗？",
        "区域扩租空间（扩大办公选址）",
        "投资促进服务中心已为您匹配金茂大厦及周边三处空置楼层，请联系经济楼长预约看房。",
    ),
    (
        "shanghai-tower",
        "family",
        "暑托班今年什么时候报名？",
        "白领子女爱心暑托班报名",
        "暑托班6月中旬开放报名，7-8月工作日8:30-18:00在上海银行大厦开班，可在办事大厅报名。",
    ),
]


def seed(now: datetime | None = None) -> int:
    """Files and answers the demo questions (backdated a few days before `now`) once."""
    now = now or timezone.now()
    admin = User.objects.filter(is_superuser=True, is_active=True).order_by("id").first()
    if admin is None:
        return 0
    scope = ActorScope(user_id=admin.pk, is_superuser=True)
    buildings = {b.slug: b for b in Building.objects.filter(slug__in=[q[0] for q in QUESTIONS])}
    categories = {c.code: c for c in Category.objects.all()}
    created = 0
    for i, (slug, code, title, matter_title, answer) in enumerate(QUESTIONS):
        asked = now - timedelta(days=3 * (len(QUESTIONS) - i) + 2)
        building = buildings.get(slug)
        if building is None or code not in categories:
            continue
        if Demand.objects.filter(building=building, title=title, kind=Demand.Kind.QUESTION).exists():
            continue
        matter = Matter.objects.select_related("department").filter(title=matter_title).first()
        demand = actions.question_ask(
            building=building, category=categories[code], title=title, matter=matter, submitted_by=None, at=asked
        )
        if demand.status == Status.SUBMITTED:
            continue
        demand_transition(
            demand=demand,
            action=Action.RESOLVE,
            actor=admin,
            scope=scope,
            outcome=Outcome.SOLVED,
            note=answer,
            at=asked + timedelta(days=1, hours=2),
        )
        created += 1
    return created
