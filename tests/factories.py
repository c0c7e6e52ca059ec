"""factory_boy factories and the small permission cast used across the suite."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import factory
from django.utils import timezone

from buildings.models import Building, Company, Council, CouncilMember, District, Subdistrict, User
from requests_tracker import actions
from requests_tracker.models import Category, Demand
from services.models import Department

PASSWORD = "test-pass-楼事会"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    display_name = factory.Sequence(lambda n: f"用户{n}")
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.com")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def _save(obj, create: bool, extracted: Any, **kwargs: Any) -> None:
        if create:
            obj.save()


class DistrictFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = District
        django_get_or_create = ("slug",)

    slug = "pudong"
    name = "浦东新区"
    name_en = "Pudong New Area"


class SubdistrictFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Subdistrict
        django_get_or_create = ("slug",)

    district = factory.SubFactory(DistrictFactory)
    slug = "lujiazui"
    name = "陆家嘴街道"
    name_en = "Lujiazui Sub-district"


class BuildingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Building
        django_get_or_create = ("slug",)

    subdistrict = factory.SubFactory(SubdistrictFactory)
    slug = factory.Sequence(lambda n: f"building-{n}")
    name = factory.Sequence(lambda n: f"测试大厦{n}")
    name_en = factory.Sequence(lambda n: f"Test Tower {n}")
    address = "浦东新区银城中路501号"
    floors = 60
    basement_floors = 3


class CompanyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Company

    building = factory.SubFactory(BuildingFactory)
    name = factory.Sequence(lambda n: f"测试企业{n}有限公司")
    floors = "30"


class CouncilFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Council
        django_get_or_create = ("building",)

    building = factory.SubFactory(BuildingFactory)
    kind = Council.Kind.COUNCIL
    name = factory.LazyAttribute(lambda o: f"{o.building.name}楼事会")
    service_station = "22F"


class CouncilMemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CouncilMember

    council = factory.SubFactory(CouncilFactory)
    display_name = factory.Sequence(lambda n: f"委员{n}")
    role = CouncilMember.Role.EMPLOYEE_REPRESENTATIVE


class DepartmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Department
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"dept-{n}")
    name = factory.Sequence(lambda n: f"部门{n}")
    name_en = factory.Sequence(lambda n: f"Department {n}")
    district = factory.SubFactory(DistrictFactory)


class CategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Category
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"cat-{n}")
    name = factory.Sequence(lambda n: f"类别{n}")
    name_en = factory.Sequence(lambda n: f"Category {n}")
    icon = "🍱"
    target_days = 7


def make_demand(building: Building, category: Category | None = None, **kwargs: Any) -> Demand:
    """A demand submitted through the real action, so its timeline is right."""
    params: dict[str, Any] = {"title": "外卖无法上楼", "description": "午餐时间一楼大堂很乱"}
    params.update(kwargs)
    return actions.demand_submit(building=building, category=category or CategoryFactory(), **params)


@dataclass
class Cast:
    tower_a: Building  # Shanghai Tower
    tower_b: Building  # Jin Mao Tower
    fire: Department
    category: Category
    captain_a: User
    captain_b: User
    member_a: CouncilMember  # captain_a's seat
    plain_member_a: CouncilMember  # a non-triaging member of Shanghai Tower's council, with a user
    plain_member_user: User
    dept_staff: User
    district_staff: User
    resident: User
    superuser: User


def build_cast() -> Cast:
    pudong = DistrictFactory()
    lujiazui = SubdistrictFactory(district=pudong)
    tower_a = BuildingFactory(
        slug="shanghai-tower", name="上海中心大厦", name_en="Shanghai Tower", subdistrict=lujiazui, floors=127
    )
    tower_b = BuildingFactory(
        slug="jin-mao-tower", name="金茂大厦", name_en="Jin Mao Tower", subdistrict=lujiazui, floors=88
    )
    council_a = CouncilFactory(building=tower_a, name="上海中心大厦楼事会")
    council_b = CouncilFactory(building=tower_b, name="金茂大厦楼事会")
    fire = DepartmentFactory(code="fire", name="区消防救援支队", name_en="District fire brigade", district=pudong)
    category = CategoryFactory(code="delivery", name="快递外卖", name_en="Deliveries", default_department=fire)

    captain_a = UserFactory(username="captain_a", is_staff=True)
    captain_b = UserFactory(username="captain_b", is_staff=True)
    member_a = CouncilMemberFactory(
        council=council_a, user=captain_a, display_name="王楼长", role=CouncilMember.Role.CAPTAIN
    )
    CouncilMemberFactory(council=council_b, user=captain_b, display_name="李楼长", role=CouncilMember.Role.CAPTAIN)
    plain_member_user = UserFactory(username="member_a", is_staff=True)
    plain_member_a = CouncilMemberFactory(
        council=council_a,
        user=plain_member_user,
        display_name="陈委员",
        role=CouncilMember.Role.EMPLOYEE_REPRESENTATIVE,
    )
    dept_staff = UserFactory(username="dept_staff", is_staff=True)
    fire.staff.add(dept_staff)
    district_staff = UserFactory(username="district_staff", is_staff=True)
    pudong.staff.add(district_staff)
    resident = UserFactory(username="resident")
    superuser = UserFactory(username="root", is_staff=True, is_superuser=True)
    return Cast(
        tower_a=tower_a,
        tower_b=tower_b,
        fire=fire,
        category=category,
        captain_a=captain_a,
        captain_b=captain_b,
        member_a=member_a,
        plain_member_a=plain_member_a,
        plain_member_user=plain_member_user,
        dept_staff=dept_staff,
        district_staff=district_staff,
        resident=resident,
        superuser=superuser,
    )


def now() -> Any:
    return timezone.now()
