"""Demo elections: the certified 楼委会 election at 上海湾区科创中心 (郑丽 elected), and an election at
陆家嘴软件园 with voting open now. Idempotent: an election with a demo key is made once, through the
actions (backdated with `now=`), so turnout, ballots, receipts and the council timeline agree.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from buildings.access import ActorScope
from buildings.models import Building, Company, CouncilMember

from . import actions
from .models import Election

BAY_AREA = "shanghai-bay-area-innovation-center"
SOFTWARE_PARK = "lujiazui-software-park"
BAY_KEY = "wanqu-committee"
PARK_KEY = "ljz-software-park"

#: ~50 companies and ~400 employees at 上海湾区科创中心 (the four seeded by seed_demo, and these).
BAY_COMPANIES = [
    "上海湾企企业管理咨询服务有限公司", "上海山阳新能源科技有限公司", "上海金湾检测技术有限公司",
    "上海亭卫数字科技有限公司", "上海湾区人力资源服务有限公司", "上海金山环保工程有限公司",
    "上海湾芯半导体设备有限公司", "上海卫城物流有限公司", "上海湾区知识产权代理有限公司",
    "上海杭湾精密机械有限公司", "上海金山湾文化传媒有限公司", "上海湾创孵化器管理有限公司",
    "上海澜湾食品科技有限公司", "上海湾航无人机科技有限公司", "上海金湾财务咨询有限公司",
    "上海山阳跨境电商有限公司", "上海湾区云计算有限公司", "上海亭林新材料科技有限公司",
    "上海湾区机器人有限公司", "上海漕泾化工技术服务有限公司", "上海湾谷生命科学有限公司",
    "上海金湾律师事务所", "上海湾区教育科技有限公司", "上海湾联供应链管理有限公司",
    "上海金山湾旅游发展有限公司", "上海湾区建筑设计有限公司", "上海湾科传感技术有限公司",
    "上海卫泾电子商务有限公司", "上海湾区医疗器械有限公司", "上海湾润节能技术有限公司",
    "上海湾融融资租赁有限公司", "上海湾区广告有限公司", "上海金湾软件开发有限公司",
    "上海湾区工业互联网有限公司", "上海湾区检验认证有限公司", "上海湾声文化艺术有限公司",
    "上海湾区储能科技有限公司", "上海湾途汽车服务有限公司", "上海湾区绿色农业科技有限公司",
    "上海湾智信息科技有限公司", "上海湾区新零售有限公司", "上海湾区税务师事务所",
    "上海金湾印务有限公司", "上海湾区体育发展有限公司", "上海湾区会展服务有限公司",
    "上海湾区创业投资管理有限公司",
]  # fmt: skip
SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
    "姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
)
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉萍红娥玲芬燕彬鹏辉晨浩宇欣怡子轩梓涵雨婷佳琪思远嘉"

BAY_CANDIDATES = [
    (
        "郑丽",
        "上海湾企企业管理咨询服务有限公司",
        "95后，公司总经理助理。希望为楼里的年轻白领多办实事：午餐、通勤和职业成长。",
    ),
    ("林晓", "上海湾区智能装备有限公司", "工程师，来园区五年。关注停车、班车和楼宇安全。"),
    ("周文博", "上海金山新材料研究院有限公司", "愿意把研究院的共享实验室向楼内企业开放。"),
    ("陈思雨", "上海湾区人力资源服务有限公司", "做人事工作，熟悉人才政策，想帮大家把政策用起来。"),
]
PARK_CANDIDATES = [
    ("许嘉怡", "上海云帆软件有限公司", "产品经理。想推动楼里的健康跑和读书会常态化。"),
    ("韩子墨", "上海智链信息技术有限公司", "运维工程师，关注网络、门禁和电梯等日常问题。"),
    ("宋雨桐", "上海星图动漫设计有限公司", "设计师，希望公共空间更舒适，午休有地方可去。"),
]

SUPER = ActorScope(is_superuser=True)


def _seat_scope(building: Building, role: str) -> ActorScope:
    """The scope of a (demo) council seat without a login: paper totals are entered by members."""
    seat = CouncilMember.objects.filter(council__building=building, role=role).order_by("pk").first()
    assert seat is not None, f"demo data: {building.slug} has no {role}"
    return ActorScope(member_ids=frozenset({seat.pk}), member_building_ids=frozenset({building.pk}))


def _name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))


@transaction.atomic
def seed(now: datetime | None = None) -> None:
    """The two demo elections (each made once), and the terms they ended kept ended on every re-run."""
    now = now or timezone.now()
    buildings = {
        b.slug: b for b in Building.objects.filter(slug__in=[BAY_AREA, SOFTWARE_PARK]).select_related("subdistrict")
    }
    if BAY_AREA in buildings:
        _bay_area(buildings[BAY_AREA], now)
    if SOFTWARE_PARK in buildings:
        _software_park(buildings[SOFTWARE_PARK], now)
    # seed_demo resets the demo seats' terms; the certified election ended some of them.
    for election in Election.objects.filter(key__in=[BAY_KEY, PARK_KEY], status=Election.Status.CERTIFIED):
        assert election.certified_at is not None
        ended_on = timezone.localdate(election.certified_at) - timedelta(days=1)
        election.ended_members.filter(term_end__gt=ended_on).update(term_end=ended_on)


def _roll(building: Building, rng: random.Random, per_company: tuple[int, int]) -> list[dict[str, str]]:
    rows = []
    for company in Company.objects.filter(building=building).order_by("name"):
        for n in range(rng.randint(*per_company)):
            rows.append({"name": _name(rng), "company": company.name, "ref": f"{company.pk:03d}-{n + 1:03d}"})
    return rows


def _bay_area(building: Building, now: datetime) -> None:
    if Election.objects.filter(key=BAY_KEY).exists():
        return
    Company.objects.bulk_create(
        [Company(building=building, name=name, floors=str(2 + i % 10)) for i, name in enumerate(BAY_COMPANIES)],
        ignore_conflicts=True,
    )
    rng = random.Random("lousihui-demo-election-bay")  # noqa: S311 - reproducible demo data
    opens = timezone.localtime(now - timedelta(days=75)).replace(hour=9, minute=0, second=0, microsecond=0)
    closes = opens + timedelta(days=6, hours=9)
    election = actions.election_create(
        scope=SUPER,
        actor=None,
        building=building,
        title="上海湾区科创中心楼委会员工代表选举",
        seats=2,
        opens_at=opens,
        closes_at=closes,
        min_turnout_percent=30,
        term_years=3,
    )
    Election.objects.filter(pk=election.pk).update(key=BAY_KEY)
    election.key = BAY_KEY
    ids = [
        actions.candidate_add(scope=SUPER, election=election, name=n, company=c, statement=s).pk
        for n, c, s in BAY_CANDIDATES
    ]
    issued = actions.electors_import(scope=SUPER, actor=None, election=election, rows=_roll(building, rng, (5, 11)))
    actions.election_open(scope=SUPER, election=election, now=opens + timedelta(minutes=1))
    # 郑丽 and 林晓 lead; about 72% vote, a few of them on paper in the lobby.
    weights = [0.62, 0.48, 0.3, 0.26]
    paper_voters = 0
    for n, item in enumerate(issued):
        if rng.random() > 0.72:
            continue
        if n % 37 == 0:
            actions.elector_mark_paper(
                scope=SUPER, election=election, elector_id=item.elector.pk, now=opens + timedelta(days=1)
            )
            paper_voters += 1
            continue
        choice = [cid for cid, w in zip(ids, weights, strict=True) if rng.random() < w][:2]
        at = opens + timedelta(minutes=rng.randint(5, int((closes - opens).total_seconds() // 60) - 5))
        actions.ballot_cast(election=election, code=item.code, candidate_ids=choice, now=at)
    actions.election_close(scope=None, election=election, now=closes)
    totals = {ids[0]: paper_voters, ids[1]: paper_voters // 2, ids[2]: 1 if paper_voters else 0}
    actions.paper_totals_enter(scope=_seat_scope(building, "captain"), election=election, totals=totals)
    actions.paper_totals_confirm(scope=_seat_scope(building, "party_secretary"), election=election)
    actions.election_certify(scope=SUPER, actor=None, election=election, now=closes + timedelta(days=2))


def _software_park(building: Building, now: datetime) -> None:
    if Election.objects.filter(key=PARK_KEY).exists():
        return
    rng = random.Random("lousihui-demo-election-park")  # noqa: S311 - reproducible demo data
    opens = timezone.localtime(now - timedelta(days=2)).replace(hour=9, minute=0, second=0, microsecond=0)
    election = actions.election_create(
        scope=SUPER,
        actor=None,
        building=building,
        title="陆家嘴软件园楼事会员工代表增补选举",
        seats=1,
        opens_at=opens,
        closes_at=opens + timedelta(days=9, hours=9),
        min_turnout_percent=25,
    )
    Election.objects.filter(pk=election.pk).update(key=PARK_KEY)
    election.key = PARK_KEY
    ids = [
        actions.candidate_add(scope=SUPER, election=election, name=n, company=c, statement=s).pk
        for n, c, s in PARK_CANDIDATES
    ]
    issued: list[actions.IssuedCode] = []
    for company in Company.objects.filter(building=building).order_by("name"):
        # Headcounts as anonymous codes; the printable slips wait for their one download.
        issued += actions.electors_issue_anonymous(
            scope=SUPER, actor=None, election=election, company=company, count=rng.randint(30, 45)
        )
    actions.election_open(scope=SUPER, election=election, now=opens + timedelta(minutes=1))
    # A third of the roll has voted so far (the count stays sealed until close).
    for item in issued:
        if rng.random() < 0.35:
            actions.ballot_cast(
                election=election,
                code=item.code,
                candidate_ids=[rng.choice(ids)],
                now=min(now, opens + timedelta(hours=rng.randint(1, 40))),
            )
