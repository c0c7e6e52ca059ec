"""Demo surveys, seeded through the real actions (idempotent: a survey already there is left alone).

- Shanghai Tower: the food-locker questionnaire (外卖需求、意见征集调查表), by invitation code through the
  tenant companies, about 600 responses, closed and published, linked to the food-locker demand; its
  results explain the decision (heated lockers at 1F gate 2).
- 平高国际大厦: the white-collar lunch survey, published; 92.6% of respondents wrote a suggestion, a few
  hidden by the moderator, one made a demand.
- Jin Mao: a survey open now.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from django.utils import timezone

from buildings.access import actor_scope
from buildings.models import Building, Company, User
from requests_tracker.models import Category, Demand

from . import actions
from .actions import OptionSpec, QuestionSpec
from .answers import RawAnswer
from .models import Question, Survey, TextAnswer

FOOD_LOCKER = "上海中心大厦外卖需求、意见征集调查表"
LUNCH = "长寿路白领午餐需求调查（平高国际大厦）"
JIN_MAO = "金茂大厦停车与通勤意见征集"
_LANDLORD = {"楼宇业主", "物业管理", "园区运营"}


def seed(*, now: datetime | None = None) -> int:
    """Seeds the three demo surveys that are missing; returns how many were made."""
    now = now or timezone.now()
    made = 0
    buildings = {
        b.slug: b
        for b in Building.objects.filter(slug__in=["shanghai-tower", "pinggao-international", "jin-mao-tower"])
    }
    existing = set(Survey.objects.filter(title__in=[FOOD_LOCKER, LUNCH, JIN_MAO]).values_list("title", flat=True))
    admin = User.objects.filter(username="admin").first()
    if admin is None:
        return 0
    if FOOD_LOCKER not in existing and "shanghai-tower" in buildings:
        captain = User.objects.filter(username="captain-shanghai-tower").first() or admin
        _food_locker(buildings["shanghai-tower"], captain, now)
        made += 1
    if LUNCH not in existing and "pinggao-international" in buildings:
        _lunch(buildings["pinggao-international"], admin, now)
        made += 1
    if JIN_MAO not in existing and "jin-mao-tower" in buildings:
        captain = User.objects.filter(username="captain-jin-mao").first() or admin
        _jin_mao(buildings["jin-mao-tower"], captain, now)
        made += 1
    return made


def _options(*texts: str) -> list[OptionSpec]:
    return [OptionSpec(t) for t in texts]


def _ids(question: Question) -> list[int]:
    return [o.pk for o in question.options.all() if not o.is_other]


def _tenants(building: Building) -> list[Company]:
    return [c for c in Company.objects.filter(building=building).order_by("name") if c.industry not in _LANDLORD]


def _food_locker(building: Building, captain: User, now: datetime) -> None:
    rng = random.Random("lousihui-demo-food-locker")  # noqa: S311 - demo data, reproducible
    demand = Demand.objects.filter(building=building, title__startswith="外卖快递无法上楼").first()
    # The council asked right after taking the demand up, and decided on the lockers from the results.
    opened = (demand.submitted_at if demand else now - timedelta(days=150)) + timedelta(days=3)
    survey = actions.survey_create(
        actor=captain,
        scope=actor_scope(captain),
        building=building,
        title=FOOD_LOCKER,
        title_en="Shanghai Tower: food delivery needs and opinions",
        intro="外卖和快递上不了楼、一楼交接混乱，楼事会想听听大家的需求，再决定是否以及在哪里安装智能外卖柜。匿名填写，约三分钟。",
        audience=Survey.Audience.CODE,
        results=Survey.Results.AFTER_CLOSE,
        opens_at=opened,
        closes_at=opened + timedelta(days=21),
        demands=[demand] if demand else [],
        at=opened,
        questions=[
            QuestionSpec(kind="heading", text="午餐与外卖", text_en="Lunch and deliveries"),
            QuestionSpec(
                kind="single",
                text="工作日午餐您通常怎么解决？",
                text_en="How do you usually have lunch on workdays?",
                required=True,
                options=_options("点外卖", "楼内餐厅", "自带午餐", "外出就餐"),
            ),
            QuestionSpec(
                kind="single",
                text="您每周点几次外卖？",
                text_en="How often do you order food delivery a week?",
                required=True,
                options=_options("从不", "1-2次", "3-4次", "5次及以上"),
            ),
            QuestionSpec(
                kind="rating",
                text="您对目前一楼外卖交接的满意度",
                text_en="How satisfied are you with the 1F handover?",
                required=True,
            ),
            QuestionSpec(kind="heading", text="外卖柜", text_en="Food lockers"),
            QuestionSpec(
                kind="multiple",
                text="您最希望外卖柜具备哪些功能？（最多选3项）",
                text_en="What should a food locker do? (up to 3)",
                max_choices=3,
                other=True,
                options=_options("加热保温", "冷藏", "短信/扫码取件", "超时提醒", "快递也能存放"),
            ),
            QuestionSpec(
                kind="ranking",
                text="外卖柜放在哪里最方便？请排序",
                text_en="Where should the lockers be? Put them in order",
                options=_options("1楼2号门", "1楼1号门", "B1连廊", "22F党群服务站"),
            ),
            QuestionSpec(kind="text", text="其他意见和建议", text_en="Other suggestions", long_text=True),
        ],
    )
    actions.survey_move(survey=survey, move="open", actor=captain, at=opened)
    questions = list(survey.questions.prefetch_related("options"))
    q = {i: question for i, question in enumerate(questions)}
    lunch, often, rating, functions, places, other = q[1], q[2], q[3], q[5], q[6], q[7]
    functions_other = next(o.pk for o in functions.options.all() if o.is_other)
    suggestions = [
        "希望外卖柜能加热，冬天拿到的饭都是凉的",
        "高峰时段骑手太多，建议错峰取餐",
        "2号门离地铁口近，放那里最方便",
        "希望能和快递柜合在一起",
        "取件码最好能发到企业微信",
        "柜子数量要够，中午12点前后一定会满",
        "建议保洁每天清洁消毒格口",
    ]

    def one(rng: random.Random) -> list[RawAnswer]:
        orders = rng.choices(range(4), weights=[8, 27, 38, 27])[0]
        picks = rng.sample(_ids(functions)[:5], rng.randint(1, 3))
        if rng.random() < 0.82 and _ids(functions)[0] not in picks:
            picks = [_ids(functions)[0], *picks[:2]]
        raw = [
            RawAnswer(question=lunch.pk, options=[rng.choices(_ids(lunch), weights=[55, 25, 12, 8])[0]]),
            RawAnswer(question=often.pk, options=[_ids(often)[orders]]),
            RawAnswer(question=rating.pk, value=rng.choices([1, 2, 3, 4, 5], weights=[30, 38, 20, 8, 4])[0]),
            RawAnswer(question=functions.pk, options=picks),
        ]
        if rng.random() < 0.03 and len(picks) < 3:
            raw[-1] = RawAnswer(
                question=functions.pk,
                options=[*picks, functions_other],
                text=rng.choice(["可以存放水果和饮料", "能放药品", "雨伞寄存", "支持企业团餐整箱存放"]),
            )
        if rng.random() < 0.9:
            order = _ids(places)
            first = order[0] if rng.random() < 0.64 else rng.choice(order)
            rest = [o for o in order if o != first]
            rng.shuffle(rest)
            raw.append(RawAnswer(question=places.pk, ranking=[first, *rest]))
        if rng.random() < 0.3:
            raw.append(RawAnswer(question=other.pk, text=rng.choice(suggestions)))
        return raw

    # Each tenant company got a batch of invitation codes; JPMorgan's staff answered on their phones,
    # the other companies' answers came in through the mini-program's export and were entered in bulk.
    for n, company in enumerate(_tenants(building)[:6]):
        _batch, codes = actions.codes_generate(survey=survey, company=company, count=110, actor=captain)
        answered = rng.randint(92, 106)
        if n == 0 or company.name.startswith("摩根大通"):
            for i, code in enumerate(codes[:answered]):
                at = opened + timedelta(days=20 * (i / answered) ** 0.6, minutes=rng.randint(0, 600))
                actions.survey_respond(survey=survey, answers=one(rng), questions=questions, code=code, at=at)
        else:
            actions.survey_import(
                survey=survey, responses=[one(rng) for _ in range(answered)], company=company, actor=captain
            )
    actions.survey_move(survey=survey, move="close", actor=captain, at=opened + timedelta(days=21))
    actions.texts_show(texts=list(TextAnswer.objects.filter(survey=survey).select_related("survey")), actor=captain)
    actions.survey_move(survey=survey, move="publish", actor=captain, at=opened + timedelta(days=24))


_LUNCH_SUGGESTIONS = [
    "希望有25元左右的健康套餐，少油少盐",
    "中午排队太久，能不能提前线上点餐、到点取餐",
    "希望附近能有盒马之类的午餐供应点",
    "可以考虑政府补贴一点、商户让利一点",
    "希望有清真和素食选择",
    "最好能送到楼里的公共取餐点",
    "菜品每周能轮换，不要总是那几样",
    "希望能用企业饭卡或者支付宝付款",
    "楼里能不能开放一个就餐休息区",
    "价格别超过30元，量要足",
    "希望提供水果和酸奶",
    "下午茶时段也能有供应就更好了",
    "希望食品安全信息公开，后厨明亮",
    "加班的同事希望有晚餐",
]


def _lunch(building: Building, actor: User, now: datetime) -> None:
    rng = random.Random("lousihui-demo-lunch")  # noqa: S311 - demo data, reproducible
    opened = now - timedelta(days=120)
    survey = actions.survey_create(
        actor=actor,
        building=building,
        title=LUNCH,
        title_en="Changshou Road white-collar lunch survey (Pinggao International)",
        intro="长寿路街道楼长制“白领午餐”项目：线上线下同步征集，除了选择题，也请写下您自己的需求和建议。",
        audience=Survey.Audience.OPEN,
        results=Survey.Results.AFTER_CLOSE,
        opens_at=opened,
        closes_at=opened + timedelta(days=30),
        questions=[
            QuestionSpec(
                kind="single",
                text="您目前午餐主要怎么解决？",
                required=True,
                options=_options("外卖", "周边餐馆", "自带", "便利店"),
            ),
            QuestionSpec(
                kind="single",
                text="一顿工作日午餐，您能接受的价格是？",
                required=True,
                options=_options("20元以下", "20-25元", "25-30元", "30元以上"),
            ),
            QuestionSpec(
                kind="multiple",
                text="您最在意午餐的哪些方面？",
                options=_options("价格", "口味", "营养健康", "等候时间", "就餐环境"),
            ),
            QuestionSpec(kind="rating", text="您对楼宇周边午餐供应的满意度", required=True),
            QuestionSpec(kind="text", text="您对白领午餐还有哪些需求和建议？", long_text=True),
        ],
    )
    actions.survey_move(survey=survey, move="open", actor=actor, at=opened)
    questions = list(survey.questions.prefetch_related("options"))
    where, price, cares, rating, text = questions
    total, with_text = 270, 250  # 250 / 270 = 92.6%
    writers = set(rng.sample(range(total), with_text))
    forms = []
    for i in range(total):
        raw = [
            RawAnswer(question=where.pk, options=[rng.choices(_ids(where), weights=[40, 35, 15, 10])[0]]),
            RawAnswer(question=price.pk, options=[rng.choices(_ids(price), weights=[18, 34, 38, 10])[0]]),
            RawAnswer(question=cares.pk, options=rng.sample(_ids(cares), rng.randint(1, 4))),
            RawAnswer(question=rating.pk, value=rng.choices([1, 2, 3, 4, 5], weights=[15, 35, 30, 15, 5])[0]),
        ]
        if i in writers:
            raw.append(RawAnswer(question=text.pk, text=rng.choice(_LUNCH_SUGGESTIONS)))
        forms.append(raw)
    # Online answers (one per browser) and paper forms entered by the council.
    for i, raw in enumerate(forms[:60]):
        at = opened + timedelta(days=28 * rng.random())
        actions.survey_respond(survey=survey, answers=raw, questions=questions, browser_key=f"demo-lunch-{i}", at=at)
    actions.survey_import(survey=survey, responses=forms[60:], actor=actor)
    # Paper forms and a phone number or an advert in the free text: hidden, with the reason; the words are kept.
    texts = list(TextAnswer.objects.filter(survey=survey).select_related("survey").order_by("id"))
    spam = texts[:3]
    for t, reason in zip(spam, ["含个人联系方式", "与问卷无关的广告", "重复提交的纸质问卷"], strict=True):
        actions.text_moderate(text=t, show=False, reason=reason, actor=actor)
    actions.texts_show(texts=texts[3:], actor=actor)
    dining = Category.objects.filter(code="dining").first()
    wish = next((t for t in texts[3:] if t.text.startswith("希望附近能有盒马")), None)
    if dining is not None and wish is not None:
        actions.text_to_demand(
            text=wish,
            category=dining,
            title="引入平价白领午餐供应点（问卷建议）",
            actor=actor,
            at=opened + timedelta(days=31),
        )
    actions.survey_move(survey=survey, move="close", actor=actor, at=opened + timedelta(days=30))
    actions.survey_move(survey=survey, move="publish", actor=actor, at=opened + timedelta(days=35))


def _jin_mao(building: Building, captain: User, now: datetime) -> None:
    rng = random.Random("lousihui-demo-jin-mao")  # noqa: S311 - demo data, reproducible
    opened = now - timedelta(days=4)
    survey = actions.survey_create(
        actor=captain,
        building=building,
        title=JIN_MAO,
        title_en="Jin Mao Tower: parking and commuting",
        intro="楼事会正与业主方商量增加临时停车位和班车，请告诉我们您怎么上下班。",
        audience=Survey.Audience.OPEN,
        results=Survey.Results.LIVE,
        opens_at=opened,
        closes_at=now + timedelta(days=10),
        questions=[
            QuestionSpec(
                kind="single",
                text="您主要怎么上下班？",
                required=True,
                options=_options("地铁", "公交", "自驾", "骑行/步行", "打车"),
            ),
            QuestionSpec(
                kind="multiple",
                text="您希望楼宇提供哪些通勤服务？",
                other=True,
                options=_options("临时停车位", "地铁口接驳班车", "非机动车停车棚", "充电桩"),
            ),
            QuestionSpec(kind="rating", text="您对目前停车情况的满意度"),
            QuestionSpec(kind="text", text="其他建议", long_text=True),
        ],
    )
    actions.survey_move(survey=survey, move="open", actor=captain, at=opened)
    questions = list(survey.questions.prefetch_related("options"))
    mode, wishes, rating, _text = questions
    for i in range(42):
        at = opened + timedelta(hours=rng.uniform(1, 90))
        raw = [
            RawAnswer(question=mode.pk, options=[rng.choices(_ids(mode), weights=[55, 10, 20, 10, 5])[0]]),
            RawAnswer(question=wishes.pk, options=rng.sample(_ids(wishes), rng.randint(1, 3))),
            RawAnswer(question=rating.pk, value=rng.choices([1, 2, 3, 4, 5], weights=[25, 35, 25, 10, 5])[0]),
        ]
        actions.survey_respond(survey=survey, answers=raw, questions=questions, browser_key=f"demo-jinmao-{i}", at=at)
