"""The tables behind `manage.py seed_demo`: places, people, departments, categories and demands.

Places and cases follow the press reports summarised in DOMAIN.md (Lujiazui, Changshou Road,
Shanyang). Tenant companies are plausible, mostly invented names on invented floors; people are
invented. Phone numbers use the 1380000xxxx range and e-mails example.com, so nothing reaches a
real person.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

#: Every demo account has this password; `seed_demo --accounts` prints it.
DEMO_PASSWORD = "lousihui-demo"  # noqa: S105 - published on purpose, demo only

#: The random generator is seeded with this plus the building slug, so each building's demands are
#: the same on every machine whatever order the buildings are seeded in.
RANDOM_SEED = "lousihui-demo-2023"

DISTRICTS: list[dict[str, Any]] = [
    {"slug": "pudong", "name": "浦东新区", "name_en": "Pudong New Area"},
    {"slug": "putuo", "name": "普陀区", "name_en": "Putuo District"},
    {"slug": "jinshan", "name": "金山区", "name_en": "Jinshan District"},
]

SUBDISTRICTS: list[dict[str, Any]] = [
    {"slug": "lujiazui", "district": "pudong", "name": "陆家嘴街道", "name_en": "Lujiazui Sub-district"},
    {
        "slug": "weifang-xincun",
        "district": "pudong",
        "name": "潍坊新村街道",
        "name_en": "Weifang Xincun Sub-district",
    },
    {"slug": "tangqiao", "district": "pudong", "name": "塘桥街道", "name_en": "Tangqiao Sub-district"},
    {"slug": "yangjing", "district": "pudong", "name": "洋泾街道", "name_en": "Yangjing Sub-district"},
    {"slug": "huamu", "district": "pudong", "name": "花木街道", "name_en": "Huamu Sub-district"},
    {
        "slug": "changshou-road",
        "district": "putuo",
        "name": "长寿路街道",
        "name_en": "Changshou Road Sub-district",
    },
    {"slug": "shanyang", "district": "jinshan", "name": "山阳镇", "name_en": "Shanyang Town", "kind": "town"},
]

BUILDINGS: list[dict[str, Any]] = [
    {
        "slug": "shanghai-tower",
        "subdistrict": "lujiazui",
        "name": "上海中心大厦",
        "name_en": "Shanghai Tower",
        "address": "上海市浦东新区银城中路501号",
        "floors": 127,
        "basement_floors": 5,
        "is_key_building": True,
        "population": 8000,
    },
    {
        "slug": "jin-mao-tower",
        "subdistrict": "lujiazui",
        "name": "金茂大厦",
        "name_en": "Jin Mao Tower",
        "address": "上海市浦东新区世纪大道88号",
        "floors": 88,
        "basement_floors": 3,
        "is_key_building": True,
        "population": 6000,
    },
    {
        "slug": "shanghai-world-financial-center",
        "subdistrict": "lujiazui",
        "name": "上海环球金融中心",
        "name_en": "Shanghai World Financial Center",
        "address": "上海市浦东新区世纪大道100号",
        "floors": 101,
        "basement_floors": 3,
        "is_key_building": True,
        "population": 9000,
    },
    {
        "slug": "shanghai-ifc",
        "subdistrict": "lujiazui",
        "name": "国金中心",
        "name_en": "Shanghai IFC",
        "address": "上海市浦东新区世纪大道8号",
        "floors": 58,
        "basement_floors": 4,
        "is_key_building": True,
        "population": 7000,
    },
    {
        "slug": "china-life-finance-center",
        "subdistrict": "lujiazui",
        "name": "中国人寿金融中心",
        "name_en": "China Life Finance Center",
        "address": "上海市浦东新区银城路88号",
        "floors": 46,
        "basement_floors": 3,
        "is_key_building": True,
        "population": 4000,
    },
    {
        "slug": "lujiazui-software-park",
        "subdistrict": "weifang-xincun",
        "name": "陆家嘴软件园",
        "name_en": "Lujiazui Software Park",
        "address": "上海市浦东新区峨山路91弄",
        "floors": 12,
        "basement_floors": 1,
        "is_key_building": False,
        "population": 3000,
    },
    {
        "slug": "bank-of-shanghai-tower",
        "subdistrict": "lujiazui",
        "name": "上海银行大厦",
        "name_en": "Bank of Shanghai Tower",
        "address": "上海市浦东新区银城中路168号",
        "floors": 46,
        "basement_floors": 4,
        "is_key_building": True,
        "population": 3500,
    },
    {
        # No basement: the parking case (a temporary 150-space lot) happened in a building like this.
        "slug": "sapphire-tower",
        "subdistrict": "tangqiao",
        "name": "蓝宝石大厦",
        "name_en": "Sapphire Tower",
        "address": "上海市浦东新区浦东南路2250号",
        "floors": 25,
        "basement_floors": 0,
        "is_key_building": False,
        "population": 1800,
    },
    {
        "slug": "china-financial-information-center",
        "subdistrict": "lujiazui",
        "name": "中国金融信息中心",
        "name_en": "China Financial Information Center",
        "address": "上海市浦东新区东园路18号",
        "floors": 22,
        "basement_floors": 2,
        "is_key_building": True,
        "population": 2500,
    },
    {
        "slug": "pinggao-international",
        "subdistrict": "changshou-road",
        "name": "平高国际大厦",
        "name_en": "Pinggao International Building",
        "address": "上海市普陀区长寿路652号",
        "floors": 28,
        "basement_floors": 2,
        "is_key_building": True,
        "population": 2600,
    },
    {
        "slug": "shanghai-bay-area-innovation-center",
        "subdistrict": "shanyang",
        "name": "上海湾区科创中心",
        "name_en": "Shanghai Bay Area Sci-Tech Innovation Center",
        "address": "上海市金山区山阳镇亭卫公路6558号",
        "floors": 12,
        "basement_floors": 1,
        "is_key_building": True,
        "population": 400,
    },
]

#: building slug → (name, floors, industry)
COMPANIES: dict[str, list[tuple[str, str, str]]] = {
    "shanghai-tower": [
        ("上海中心大厦建设发展有限公司", "B1, 2", "楼宇业主"),
        ("上海中心大厦世邦魏理仕物业管理有限公司", "B1", "物业管理"),
        ("摩根大通银行（中国）有限公司", "46-48", "银行"),
        ("朵云书院（上海中心店）", "52", "文化"),
        ("安联保险资产管理有限公司", "30", "保险资管"),
        ("上海浦江数链科技有限公司", "68", "金融科技"),
        ("上海君垣律师事务所", "58", "法律服务"),
        ("上海申盈私募基金管理有限公司", "61", "资产管理"),
        ("上海中心J酒店", "84-120", "酒店"),
    ],
    "jin-mao-tower": [
        ("金茂（上海）置业有限公司", "B1", "楼宇业主"),
        ("金茂物业服务发展股份有限公司", "B1", "物业管理"),
        ("上海金茂君悦大酒店", "53-87", "酒店"),
        ("上海瀚海资本管理有限公司", "25", "投资"),
        ("上海恒睿企业管理咨询有限公司", "36", "咨询"),
        ("上海金桥数字科技有限公司", "41", "软件"),
        ("上海汇理会计师事务所", "18", "会计服务"),
    ],
    "shanghai-world-financial-center": [
        ("森大厦（上海）有限公司", "B1", "楼宇业主"),
        ("上海柏悦酒店", "79-93", "酒店"),
        ("上海明汇投资管理有限公司", "66", "投资"),
        ("上海优数信息科技有限公司", "32", "信息技术"),
        ("上海东瀛商社贸易有限公司", "45", "贸易"),
    ],
    "shanghai-ifc": [
        ("上海国金中心发展有限公司", "B1", "楼宇业主"),
        ("上海华昇资产管理有限公司", "40", "资产管理"),
        ("上海远瞻管理咨询有限公司", "27", "咨询"),
        ("上海瑞银证券研究有限公司", "33", "证券研究"),
    ],
    "china-life-finance-center": [
        ("中国人寿金融中心置业有限公司", "B1", "楼宇业主"),
        ("中国人寿保险股份有限公司上海市分公司", "20-28", "保险"),
        ("上海寿康健康管理有限公司", "12", "健康管理"),
        ("上海银城数据服务有限公司", "35", "信息技术"),
    ],
    "lujiazui-software-park": [
        ("上海云帆软件有限公司", "4", "软件"),
        ("上海智链信息技术有限公司", "7", "信息技术"),
        ("上海星图动漫设计有限公司", "2", "文化创意"),
    ],
    "bank-of-shanghai-tower": [
        ("上海银行股份有限公司", "10-46", "银行"),
        ("上海银城物业管理有限公司", "B1", "物业管理"),
        ("上海申银数据服务有限公司", "8", "信息技术"),
    ],
    "sapphire-tower": [
        ("上海蓝宝石置业有限公司", "1", "楼宇业主"),
        ("上海海纳人力资源有限公司", "12", "人力资源"),
        ("上海佳映文化传媒有限公司", "16", "文化传媒"),
    ],
    "china-financial-information-center": [
        ("中国经济信息社上海总部", "8-12", "金融信息"),
        ("上海新金融研究院", "5", "研究"),
        ("上海东园金融科技有限公司", "15", "金融科技"),
    ],
    "pinggao-international": [
        ("上海平高置业有限公司", "1", "楼宇业主"),
        ("上海长寿湾数字科技有限公司", "15", "数字科技"),
        ("上海苏河湾文化传播有限公司", "9", "文化传媒"),
        ("上海普瑞医疗器械有限公司", "21", "医疗器械"),
    ],
    "shanghai-bay-area-innovation-center": [
        ("上海湾区科创投资发展有限公司", "1", "园区运营"),
        ("上海湾区智能装备有限公司", "5", "智能制造"),
        ("上海金山新材料研究院有限公司", "8", "新材料"),
        ("上海杭州湾生物医药科技有限公司", "10", "生物医药"),
    ],
}

#: building slug → council settings. Pudong councils date from April 2020 onwards.
COUNCILS: dict[str, dict[str, Any]] = {
    "shanghai-tower": {
        "kind": "council",
        "name": "上海中心大厦楼事会",
        "established_on": date(2020, 4, 28),
        "service_station": "22F",
    },
    "jin-mao-tower": {
        "kind": "council",
        "name": "金茂大厦楼事会",
        "established_on": date(2020, 6, 18),
        "service_station": "2F",
    },
    "shanghai-world-financial-center": {
        "kind": "council",
        "name": "上海环球金融中心楼事会",
        "established_on": date(2020, 7, 1),
        "service_station": "7F",
    },
    "shanghai-ifc": {
        "kind": "council",
        "name": "国金中心楼事会",
        "established_on": date(2020, 9, 15),
        "service_station": "6F",
    },
    "china-life-finance-center": {
        "kind": "council",
        "name": "中国人寿金融中心楼事会",
        "established_on": date(2021, 3, 26),
        "service_station": "3F",
    },
    "lujiazui-software-park": {
        "kind": "council",
        "name": "陆家嘴软件园楼事会",
        "established_on": date(2021, 5, 20),
        "service_station": "9号楼1F",
    },
    "bank-of-shanghai-tower": {
        "kind": "council",
        "name": "上海银行大厦楼事会",
        "established_on": date(2021, 7, 8),
        "service_station": "5F",
    },
    "sapphire-tower": {
        "kind": "council",
        "name": "蓝宝石大厦楼事会",
        "established_on": date(2022, 4, 12),
        "service_station": "1F",
    },
    "china-financial-information-center": {
        "kind": "council",
        "name": "中国金融信息中心楼事会",
        "established_on": date(2021, 9, 1),
        "service_station": "2F",
    },
    "pinggao-international": {
        "kind": "captain_system",
        "name": "平高国际大厦楼长工作站",
        "established_on": date(2021, 10, 15),
        "service_station": "3F",
    },
    "shanghai-bay-area-innovation-center": {
        "kind": "committee",
        "name": "上海湾区科创中心楼委会",
        "established_on": date(2022, 3, 18),
        "service_station": "1F",
    },
}

#: building slug → seats as (role, display name, company name or ""). Shanghai Tower and Jin Mao
#: fill every CouncilMember.Role; the smaller councils have the core seats only.
MEMBERS: dict[str, list[tuple[str, str, str]]] = {
    "shanghai-tower": [
        ("captain", "顾建平", "上海中心大厦建设发展有限公司"),
        ("economic_captain", "沈佳怡", ""),
        ("party_secretary", "陈立群", ""),
        ("owner_representative", "王志刚", "上海中心大厦建设发展有限公司"),
        ("property_manager", "周晓峰", "上海中心大厦世邦魏理仕物业管理有限公司"),
        ("service_station_head", "李静", ""),
        ("company_representative", "徐嘉敏", "摩根大通银行（中国）有限公司"),
        ("company_representative", "潘文昊", "安联保险资产管理有限公司"),
        ("employee_representative", "张雨萱", "上海浦江数链科技有限公司"),
        ("employee_representative", "林子涵", "摩根大通银行（中国）有限公司"),
        ("party_building_supervisor", "吴国华", ""),
        ("market_regulator", "孙海涛", ""),
        ("police_liaison", "钱伟", ""),
        ("fire_safety_counsellor", "赵磊", ""),
    ],
    "jin-mao-tower": [
        ("captain", "马卫东", "金茂（上海）置业有限公司"),
        ("economic_captain", "黄思远", ""),
        ("party_secretary", "刘敏", ""),
        ("owner_representative", "蒋文博", "金茂（上海）置业有限公司"),
        ("property_manager", "邱志明", "金茂物业服务发展股份有限公司"),
        ("service_station_head", "杨洁", ""),
        ("company_representative", "郑雅琴", "上海瀚海资本管理有限公司"),
        ("employee_representative", "韩晓彤", "上海金桥数字科技有限公司"),
        ("party_building_supervisor", "朱建新", ""),
        ("market_regulator", "胡晓东", ""),
        ("police_liaison", "高健", ""),
        ("fire_safety_counsellor", "何勇", ""),
    ],
    "shanghai-world-financial-center": [
        ("captain", "曹永明", "森大厦（上海）有限公司"),
        ("economic_captain", "许慧琳", ""),
        ("party_secretary", "冯建英", ""),
        ("property_manager", "彭浩", "森大厦（上海）有限公司"),
        ("service_station_head", "董琳", ""),
        ("employee_representative", "吕思琪", "上海优数信息科技有限公司"),
        ("fire_safety_counsellor", "袁志强", ""),
    ],
    "shanghai-ifc": [
        ("captain", "谢国栋", "上海国金中心发展有限公司"),
        ("economic_captain", "唐欣然", ""),
        ("party_secretary", "韦红梅", ""),
        ("property_manager", "叶振华", "上海国金中心发展有限公司"),
        ("company_representative", "邓佳", "上海华昇资产管理有限公司"),
    ],
    "china-life-finance-center": [
        ("captain", "程立新", "中国人寿金融中心置业有限公司"),
        ("economic_captain", "傅晓雯", ""),
        ("party_secretary", "罗志勇", ""),
        ("owner_representative", "魏明", "中国人寿金融中心置业有限公司"),
        ("property_manager", "苏建军", ""),
        ("employee_representative", "姚梦琪", "中国人寿保险股份有限公司上海市分公司"),
    ],
    "lujiazui-software-park": [
        ("captain", "卢海波", ""),
        ("economic_captain", "范婷婷", ""),
        ("service_station_head", "金晓燕", ""),
        ("employee_representative", "方子轩", "上海云帆软件有限公司"),
    ],
    "bank-of-shanghai-tower": [
        ("captain", "石建华", "上海银行股份有限公司"),
        ("economic_captain", "任佳琪", ""),
        ("property_manager", "崔伟", "上海银城物业管理有限公司"),
    ],
    "sapphire-tower": [
        ("captain", "汪德明", "上海蓝宝石置业有限公司"),
        ("economic_captain", "夏雨", ""),
        ("service_station_head", "田芳", ""),
    ],
    "china-financial-information-center": [
        ("captain", "龚晓军", "中国经济信息社上海总部"),
        ("economic_captain", "陆诗雨", ""),
        ("party_secretary", "严国平", ""),
    ],
    "pinggao-international": [
        ("captain", "杜建峰", "上海平高置业有限公司"),
        ("economic_captain", "薛佳慧", ""),
        ("party_secretary", "钟秀兰", ""),
        ("service_station_head", "江涛", ""),
        ("employee_representative", "白雪", "上海长寿湾数字科技有限公司"),
    ],
    "shanghai-bay-area-innovation-center": [
        ("captain", "顾卫国", "上海湾区科创投资发展有限公司"),
        ("economic_captain", "陶静怡", ""),
        ("party_secretary", "庄志华", ""),
        ("employee_representative", "邵晨", "上海湾区智能装备有限公司"),
    ],
}

ROLE_ZH: dict[str, str] = {
    "captain": "楼长",
    "economic_captain": "经济楼长",
    "party_secretary": "楼宇党组织书记",
    "owner_representative": "业主方代表",
    "property_manager": "物业负责人",
    "service_station_head": "党群服务站负责人",
    "company_representative": "企业代表",
    "employee_representative": "员工代表",
    "party_building_supervisor": "党建督导员",
    "market_regulator": "市场监管员",
    "police_liaison": "公安联络员",
    "fire_safety_counsellor": "消防辅导员",
}

DEPARTMENTS: list[dict[str, Any]] = [
    {
        "code": "police",
        "district": "pudong",
        "name": "浦东新区公安分局",
        "name_en": "Pudong Public Security Sub-bureau",
        "description": "治安秩序、防范电信诈骗、交通秩序、出入境和户籍业务。",
    },
    {
        "code": "fire",
        "district": "pudong",
        "name": "浦东新区消防救援支队",
        "name_en": "Pudong Fire and Rescue Detachment",
        "description": "消防通道、消防设施检查、消防演练和消防安全培训。",
    },
    {
        "code": "market-regulation",
        "district": "pudong",
        "name": "浦东新区市场监督管理局",
        "name_en": "Pudong Administration for Market Regulation",
        "description": "食品安全、餐饮商户检查、价格和消费投诉、企业登记。",
    },
    {
        "code": "investment-promotion",
        "district": "pudong",
        "name": "浦东新区投资促进服务中心",
        "name_en": "Pudong Investment Promotion Service Center",
        "description": "企业扩租选址、新设机构落地、招商政策咨询。",
    },
    {
        "code": "human-resources",
        "district": "pudong",
        "name": "浦东新区人力资源和社会保障局",
        "name_en": "Pudong Human Resources and Social Security Bureau",
        "description": "人才引进与落户、居住证积分、外国人工作许可、社保和用工。",
    },
    {
        "code": "health",
        "district": "pudong",
        "name": "浦东新区卫生健康委员会",
        "name_en": "Pudong Health Commission",
        "description": "楼宇医疗服务点、家庭医生签约、健康讲座和急救培训。",
    },
    {
        "code": "transport",
        "district": "pudong",
        "name": "浦东新区建设和交通委员会",
        "name_en": "Pudong Construction and Transportation Commission",
        "description": "停车资源、公交和接驳线路、慢行交通和非机动车停放。",
    },
    {
        "code": "urban-management",
        "district": "pudong",
        "name": "浦东新区城市管理行政执法局",
        "name_en": "Pudong Urban Management and Law Enforcement Bureau",
        "description": "楼宇周边市容秩序、占道经营、快递外卖车辆停放。",
    },
    {
        "code": "housing",
        "district": "pudong",
        "name": "浦东新区住房保障和房屋管理局",
        "name_en": "Pudong Housing and Property Administration Bureau",
        "description": "物业服务监管、电梯等设施设备维护、人才公寓。",
    },
    {
        "code": "commerce",
        "district": "pudong",
        "name": "浦东新区商务委员会",
        "name_en": "Pudong Commerce Commission",
        "description": "经济服务：总部企业认定、产业扶持资金、租金补贴等政策匹配。",
    },
    {
        "code": "lujiazui-development",
        "district": "pudong",
        "name": "陆家嘴金融城发展局",
        "name_en": "Lujiazui Financial City Development Bureau",
        "description": "金融城楼宇经济服务、经济服务专员（第二楼长）派驻、金融机构落地。",
    },
    {
        "code": "education",
        "district": "pudong",
        "name": "浦东新区教育局",
        "name_en": "Pudong Education Bureau",
        "description": "员工子女暑期托管、入学政策咨询。",
    },
    {
        "code": "culture-sports",
        "district": "pudong",
        "name": "浦东新区文化体育和旅游局",
        "name_en": "Pudong Culture, Sports and Tourism Bureau",
        "description": "楼宇阅读点、电子书柜、白领文体赛事。",
    },
    {
        "code": "putuo-changshou-business",
        "district": "putuo",
        "name": "长寿路街道营商服务中心",
        "name_en": "Changshou Road Business Service Center",
        "description": "长寿路街道楼宇企业的登记变更、政策咨询和诉求对接。",
    },
    {
        "code": "jinshan-shanyang-business",
        "district": "jinshan",
        "name": "山阳镇营商服务中心",
        "name_en": "Shanyang Town Business Service Center",
        "description": "山阳镇园区企业的政策咨询、人才服务和诉求对接。",
    },
]

#: Local service centres take the cases that elsewhere would go to a Pudong department.
LOCAL_DEPARTMENT: dict[str, str] = {
    "putuo": "putuo-changshou-business",
    "jinshan": "jinshan-shanyang-business",
}

CATEGORIES: list[dict[str, Any]] = [
    {
        "code": "delivery",
        "icon": "📦",
        "name": "快递外卖",
        "name_en": "Deliveries and food lockers",
        "description": "外卖柜、快递驿站、骑手进出和大堂秩序",
        "default_department": "urban-management",
        "target_days": 14,
    },
    {
        "code": "dining",
        "icon": "🍱",
        "name": "餐饮午餐",
        "name_en": "Dining and lunch points",
        "description": "白领午餐点、食堂、餐饮商户和食品安全",
        "default_department": "market-regulation",
        "target_days": 14,
    },
    {
        "code": "parking",
        "icon": "🚗",
        "name": "停车交通",
        "name_en": "Parking and transport",
        "description": "停车位、非机动车、接驳班车、出租车候客点",
        "default_department": "transport",
        "target_days": 30,
    },
    {
        "code": "health",
        "icon": "🩺",
        "name": "健康医疗",
        "name_en": "Health and medical care",
        "description": "健康航站楼、智能药柜、急救设备、心理关爱",
        "default_department": "health",
        "target_days": 14,
    },
    {
        "code": "facilities",
        "icon": "🛗",
        "name": "电梯设施",
        "name_en": "Elevators and facilities",
        "description": "电梯、空调、卫生间、门禁和楼内设施",
        "default_department": "housing",
        "target_days": 10,
    },
    {
        "code": "family",
        "icon": "🧒",
        "name": "托育亲子",
        "name_en": "Childcare and family",
        "description": "暑期托管班、亲子活动、母婴室",
        "default_department": "education",
        "target_days": 21,
    },
    {
        "code": "culture",
        "icon": "📚",
        "name": "文体阅读",
        "name_en": "Culture, reading and sports",
        "description": "电子书柜、读书会、健康跑、白领赛事",
        "default_department": "culture-sports",
        "target_days": 21,
    },
    {
        "code": "safety",
        "icon": "🧯",
        "name": "安全消防",
        "name_en": "Safety and fire",
        "description": "消防通道、消防设施、电动自行车充电、演练",
        "default_department": "fire",
        "target_days": 3,
    },
    {
        "code": "public-order",
        "icon": "🚓",
        "name": "治安秩序",
        "name_en": "Public order and security",
        "description": "楼宇周边治安、反诈宣传、推销滋扰",
        "default_department": "police",
        "target_days": 7,
    },
    {
        "code": "company-space",
        "icon": "🏢",
        "name": "扩租选址",
        "name_en": "Expansion space",
        "description": "企业扩租、新设机构选址、共享办公",
        "default_department": "investment-promotion",
        "target_days": 14,
        "is_company_affair": True,
    },
    {
        "code": "company-subsidy",
        "icon": "💰",
        "name": "政策扶持",
        "name_en": "Subsidies and funding programmes",
        "description": "产业扶持资金、租金补贴、总部认定等政策匹配",
        "default_department": "commerce",
        "target_days": 14,
        "is_company_affair": True,
    },
    {
        "code": "company-talent",
        "icon": "🎓",
        "name": "人才政策",
        "name_en": "Talent policies",
        "description": "落户、居住证、人才公寓、外国人工作许可",
        "default_department": "human-resources",
        "target_days": 14,
        "is_company_affair": True,
    },
    {
        "code": "other",
        "icon": "💬",
        "name": "其他建议",
        "name_en": "Other suggestions",
        "description": "其他意见和建议",
        "default_department": None,
        "target_days": 7,
    },
]

#: category code → the council seat that usually takes it when it stays inside the building.
MEMBER_FOR_CATEGORY: dict[str, str] = {
    "delivery": "property_manager",
    "dining": "service_station_head",
    "parking": "property_manager",
    "health": "service_station_head",
    "facilities": "property_manager",
    "family": "service_station_head",
    "culture": "service_station_head",
    "safety": "fire_safety_counsellor",
    "public-order": "police_liaison",
    "company-space": "economic_captain",
    "company-subsidy": "economic_captain",
    "company-talent": "economic_captain",
    "other": "captain",
}


@dataclass(frozen=True)
class Template:
    """A kind of demand that comes up in many buildings, with how a council would answer it."""

    category: str
    title: str
    description: str
    solved: str
    proposal: str


TEMPLATES: list[Template] = [
    # --- deliveries
    Template(
        "delivery",
        "快递驿站关门太早，下班取不到件",
        "楼下快递驿站18点就关门，我们经常加班，下班后取不到快递，周末也不开门。",
        "经楼事会协调，快递驿站营业时间延长至20:30，周六增开9:00–13:00，大堂增设一组智能快递柜。",
        "驿站场地租约暂不允许延长营业，建议先使用1楼智能快递柜；楼事会已向业主方反映，续约时一并协商。",
    ),
    Template(
        "delivery",
        "外卖骑手在大堂聚集，影响通行",
        "午餐高峰大堂门口挤满骑手和电动车，员工进出很困难，也存在安全隐患。",
        "物业在侧门设置骑手等候区，高峰时段安排保安引导，城管部门同步规范了门前非机动车停放。",
        "大堂改造需业主方立项，暂无法增设取餐通道；先在侧门划设临时等候区，改造纳入明年计划。",
    ),
    Template(
        "delivery",
        "希望设置大件快递临时存放点",
        "公司经常收到样品和大件包裹，前台放不下，希望楼里有个可以临时存放的地方。",
        "物业在B1装卸区旁辟出大件快递临时存放点，凭取件码领取，保管期3天。",
        "楼内暂无符合消防要求的存放空间，建议企业预约快递错峰派送，楼事会继续寻找合适场地。",
    ),
    Template(
        "delivery",
        "退货上门取件快递员进不来",
        "寄件、退货时快递员没有门禁权限上不了楼，只能自己抱下去。",
        "物业开通快递员临时访客码，寄件可在小程序预约，快递员凭码到楼层取件。",
        "出于楼宇安保要求，快递员暂不能单独上楼；已在1楼设立寄件点，每天10点、15点两次集中收件。",
    ),
    # --- dining
    Template(
        "dining",
        "食堂菜品单一，希望增加轻食",
        "员工餐厅每天菜品变化不大，希望增加沙拉、轻食等健康选择。",
        "餐饮服务商新增轻食窗口，每周更新菜单，菜单同步发布在小程序。",
        "餐厅面积有限暂不能增设窗口，建议先在现有窗口每周轮换两款轻食，明年招标时写入要求。",
    ),
    Template(
        "dining",
        "楼下餐饮店卫生让人担心",
        "B1一家快餐店后厨看起来不太干净，希望有人检查一下。",
        "市场监管员会同区市场监管局上门检查，督促商户完成整改并复查合格，检查结果已在电子屏公示。",
        "现场检查未发现违规，已提醒商户加强后厨管理；市场监管员将每月抽查并公示结果。",
    ),
    Template(
        "dining",
        "午餐时段电梯太挤，建议错峰就餐",
        "12点整几乎所有人同时下楼吃饭，电梯要等很久，建议各公司错峰。",
        "楼事会向全楼企业发出错峰午休倡议，11:30、12:15两批错峰，高峰候梯时间明显缩短。",
        "午休时间由各企业自行安排，楼事会已发出错峰倡议，并建议物业在高峰时段开启电梯分区运行。",
    ),
    Template(
        "dining",
        "希望有清真和素食餐",
        "楼里有不少少数民族和吃素的同事，附近很难找到合适的午餐。",
        "引入一家清真餐饮商户，员工餐厅每天增加两款素食套餐。",
        "暂无合适商户入驻，先与周边清真餐厅合作提供团餐配送，楼事会继续招商。",
    ),
    # --- parking
    Template(
        "parking",
        "非机动车停车位不够",
        "早上9点以后非机动车停车区就停满了，只能停在路边，容易被贴条。",
        "物业在大楼北侧新增非机动车停车位120个，并配置智能充电桩。",
        "周边道路不具备扩建条件，建议错峰停放；楼事会已与街道协调共享周边小区部分车位。",
    ),
    Template(
        "parking",
        "下班高峰打不到车",
        "晚上7点后楼下打车要排很久，雨天更难，希望设一个出租车候客点。",
        "经区建交委和交警部门现场勘查，在2号门外设置出租车候客点，晚高峰安排专人引导。",
        "门前道路为主干道，暂不能设置候客点；建议前往步行3分钟的地铁站出租车候客区，楼事会继续争取。",
    ),
    Template(
        "parking",
        "希望增设新能源车充电桩",
        "地库里只有4个充电桩，开电车的同事越来越多，经常排不上。",
        "业主方在地库B2新增24个快充桩，小程序可预约充电。",
        "地库电力容量不足，需电力增容后才能增设；已列入业主方明年改造计划，先开放周边公共充电站优惠。",
    ),
    Template(
        "parking",
        "地铁站到大楼的指引标识不清",
        "新来的同事和访客从地铁站出来常常找不到大楼入口，标识太少。",
        "街道会同物业在地铁出口至大楼沿线增设指引标识8处，并在小程序发布步行路线图。",
        "沿线标识设置需统一审批，楼事会已提交申请；审批期间先在小程序发布步行路线图。",
    ),
    # --- health
    Template(
        "health",
        "希望楼里配备AED并组织急救培训",
        "楼层高、人员多，万一有人突发疾病，希望楼里有AED，大家也会用。",
        "党群服务站引进AED 4台，分别放在大堂和空中大堂，已组织两期急救培训，120名员工取得证书。",
        "AED已配置在大堂，分楼层配置需业主方追加预算；先每季度组织一次急救培训。",
    ),
    Template(
        "health",
        "工作压力大，希望有心理咨询服务",
        "最近很多同事加班多、压力大，希望楼里能提供心理咨询或讲座。",
        "党群服务站每月两次邀请心理咨询师驻点，可在小程序预约，已举办减压讲座3场。",
        "专业心理咨询需持证机构提供，暂无合作资源；先开设线上预约的公益心理热线，并组织讲座。",
    ),
    Template(
        "health",
        "希望组织团体体检",
        "小公司单独组织体检不划算，希望楼事会能牵头团检。",
        "楼事会对接社区卫生服务中心，组织楼内中小企业团体体检，共有23家企业、600余人参加。",
        "医保政策不支持以楼宇为单位团检，建议企业加入街道白领体检团购，楼事会协助报名。",
    ),
    # --- facilities
    Template(
        "facilities",
        "空调太冷，办公区温度过低",
        "夏天办公区空调开得太低，很多同事要穿外套，希望调一下温度。",
        "物业已按楼层调整空调温控至26℃，并开通小程序报修，温度异常可随时反映。",
        "中央空调按整层分区，单间无法单独调温；物业已在该区域加装送风挡板，后续结合改造调整。",
    ),
    Template(
        "facilities",
        "卫生间排队太久",
        "我们这层女卫生间只有4个位置，上午10点和午饭后总要排队。",
        "物业将本层一间储物间改造成卫生间，新增3个女厕位，并增加保洁频次。",
        "改造卫生间涉及结构和排水，需业主方评估；先增加保洁频次，并开放相邻楼层卫生间指引。",
    ),
    Template(
        "facilities",
        "大堂闸机刷卡经常失灵",
        "早高峰1号门闸机经常刷不开，后面排成长队。",
        "物业更换了1号门4组闸机读卡模块，并开通人脸识别通行。",
        "闸机系统更换需业主方统一招标，先安排高峰时段人工核验通行，更换计划明年一季度实施。",
    ),
    Template(
        "facilities",
        "高区电梯早高峰等待时间长",
        "高区电梯早上要等五六分钟，经常迟到。",
        "物业调整高区电梯群控策略，早高峰增开直达穿梭梯，平均候梯时间缩短一半。",
        "电梯数量受建筑结构限制无法增加，物业已优化群控策略，并建议企业弹性上班错峰。",
    ),
    Template(
        "facilities",
        "饮水机故障多日未修",
        "茶水间饮水机坏了一个多星期，报修了还没人来。",
        "物业当天上门更换饮水机滤芯和加热模块，并把茶水间设备纳入每周巡检。",
        "饮水机为企业自购设备，物业已协助联系厂家维修；楼事会提醒企业登记设备以便纳入巡检。",
    ),
    # --- family
    Template(
        "family",
        "寒假托管班什么时候报名",
        "暑假托管班孩子很喜欢，寒假还办吗？什么时候开始报名？",
        "寒假托管班已确定开办两期，报名通知已在小程序和电子屏发布，名额按报名顺序确认。",
        "寒假师资暂未落实，先开办一周的亲子活动营，托管班视志愿者招募情况再定。",
    ),
    Template(
        "family",
        "希望组织亲子开放日",
        "很多孩子不知道爸爸妈妈在哪里工作，希望办一次亲子开放日。",
        "楼事会在六一期间举办亲子开放日，40个家庭参观观光层和党群服务站，反响很好。",
        "出于安保考虑办公区不宜大规模开放，建议在党群服务站举办亲子活动，由企业自愿报名。",
    ),
    Template(
        "family",
        "母婴室不够用",
        "楼里只有一间母婴室，哺乳期的同事经常要排队。",
        "在党群服务站和空中大堂新增2间爱心妈咪小屋，配备冰箱和消毒柜。",
        "新增母婴室需占用公共面积，业主方正在评估；先开放党群服务站一间临时使用。",
    ),
    # --- culture
    Template(
        "culture",
        "希望组织羽毛球比赛",
        "楼里喜欢打羽毛球的人很多，希望能组织楼宇之间的比赛。",
        "楼事会联合周边楼宇举办白领羽毛球联赛，16家企业组队参赛，场地由街道文体中心提供。",
        "周边场地紧张，先组织楼内友谊赛，联赛待区文体局场地协调后举办。",
    ),
    Template(
        "culture",
        "希望举办午间讲座和沙龙",
        "午休时间比较长，希望有一些理财、健康、职场方面的午间讲座。",
        "党群服务站推出“午间一小时”系列沙龙，每两周一期，已举办8期。",
        "讲座场地需与会议室共用，先每月举办一期，报名人数多时再增加场次。",
    ),
    Template(
        "culture",
        "希望开放党群服务站作共享会议室",
        "小公司会议室不够，希望党群服务站的会议室能对入驻企业开放预约。",
        "党群服务站两间会议室已开放预约，入驻企业可在小程序预订，每次最长2小时。",
        "会议室优先保障党建和楼事会议事活动，其余时段开放预约，试运行一个月后评估。",
    ),
    Template(
        "culture",
        "组织青年联谊活动",
        "楼里单身青年不少，希望能组织一些交友联谊活动。",
        "楼事会联合团区委举办“楼宇青年交友会”，共120名青年参加。",
        "联谊活动需企业共同组织，楼事会已征集承办企业，报名满50人即举办。",
    ),
    # --- safety
    Template(
        "safety",
        "楼梯间堆放杂物",
        "疏散楼梯间有公司堆放纸箱和旧家具，担心发生火灾时跑不出去。",
        "消防辅导员现场检查后督促企业清理杂物，物业加装楼梯间巡查打卡点。",
        "涉及企业的杂物已清理，楼层公共区域整改需业主方统一安排，已纳入下月消防检查。",
    ),
    Template(
        "safety",
        "有人把电动自行车电池带进办公室充电",
        "同层有人把电动车电池拿到办公室充电，很危险。",
        "消防辅导员对相关企业进行提醒教育，物业在非机动车棚新增集中充电柜并张贴禁令。",
        "已提醒相关企业，集中充电柜需用电增容后安装；期间物业加强巡查。",
    ),
    Template(
        "safety",
        "消防演练能否提前通知",
        "上次消防演练突然响警报，很多人以为真的着火了，希望提前通知。",
        "物业今后消防演练提前三天在小程序和电梯屏通知，演练后发布总结。",
        "部分演练为检验实战的不通知演练，无法提前告知；今后演练结束后会及时发布说明。",
    ),
    Template(
        "safety",
        "灭火器过期未更换",
        "我们楼层走廊的灭火器压力表已经到红区，标签显示已过期。",
        "物业已更换本楼层全部12具灭火器，并对全楼灭火器进行了检查。",
        "灭火器更换需业主方统一采购，已优先更换过期灭火器，全楼检查下月完成。",
    ),
    # --- public order
    Template(
        "public-order",
        "大楼周边有人推销、发小广告",
        "上下班时门口经常有人拦住推销健身卡和理财产品，很烦。",
        "公安联络员与城管部门联合整治，已劝离推销人员，门口增加巡逻频次。",
        "门前为公共区域，无法完全禁止；公安联络员已加强高峰巡逻，遇到骚扰可直接拨打110。",
    ),
    Template(
        "public-order",
        "希望举办防范电信诈骗讲座",
        "同事最近差点被“客服退款”诈骗，希望能给大家讲讲防骗知识。",
        "公安联络员在党群服务站举办反诈讲座两场，并推动员工安装国家反诈中心App。",
        "讲座排期已满，先在电子屏和小程序推送反诈案例，下月安排专场讲座。",
    ),
    Template(
        "public-order",
        "晚上下班路上照明不足",
        "大楼后面通往地铁站的小路晚上很暗，加班后走有点害怕。",
        "街道协调城管和路灯管理部门，沿线新增路灯6盏，公安联络员增加夜间巡逻。",
        "该路段属规划调整区域，暂不能新增路灯；已安排夜间巡逻，建议走主干道前往地铁站。",
    ),
    # --- company: expansion space
    Template(
        "company-space",
        "业务扩张，希望在本楼扩租一层",
        "公司团队明年计划增加60人，希望在本楼找到一层可扩租的空间。",
        "经济楼长对接业主方，协调到本楼高区一层约1,200平方米空间，企业已完成签约。",
        "本楼暂无整层空置，经济楼长推荐了金融城内步行五分钟的两处空间，并承诺有空置时优先通知。",
    ),
    Template(
        "company-space",
        "寻找带实验室的研发空间",
        "我们是生物科技初创企业，需要一处可以做小型实验的研发空间。",
        "经济楼长对接区投资促进服务中心，推荐张江一处带实验室的孵化空间，企业已入驻。",
        "本楼为纯办公楼宇，不能设实验室；建议办公留在本楼，研发放在张江孵化器，已帮助对接。",
    ),
    Template(
        "company-space",
        "创业团队想找短租工位",
        "我们是五个人的小团队，只需要半年左右的短租工位。",
        "经济楼长推荐楼内联合办公空间，提供6个月灵活租期，首月享受入驻优惠。",
        "楼内联合办公暂满，已登记需求，有空位时第一时间通知。",
    ),
    # --- company: subsidies
    Template(
        "company-subsidy",
        "申请总部企业认定需要哪些条件",
        "我们是外资企业地区总部，想了解申请总部企业认定的条件和奖励。",
        "经济楼长对照认定标准梳理了企业条件，协助准备申报材料，已通过区商务委初审。",
        "企业营收规模暂未达到认定门槛，经济楼长建议先申报区级功能性机构认定，明年再申报总部。",
    ),
    Template(
        "company-subsidy",
        "有没有租金补贴政策",
        "公司刚从外区迁入浦东，想问问有没有办公用房租金补贴。",
        "经济楼长匹配到新引进企业租金补贴政策，协助企业完成申报，补贴已拨付到位。",
        "租金补贴要求在区内注册满一年，企业明年可申报；经济楼长已将企业纳入重点服务名单。",
    ),
    Template(
        "company-subsidy",
        "专精特新企业申报咨询",
        "我们是做工业软件的，想申报专精特新中小企业，不知道从哪里入手。",
        "经济楼长邀请区经委专员上门辅导，企业已完成申报并进入公示名单。",
        "企业研发投入占比尚未达标，经济楼长给出一年的准备建议，并推荐参加区里的申报培训。",
    ),
    # --- company: talent
    Template(
        "company-talent",
        "应届毕业生落户打分咨询",
        "我们今年招了12名应届硕士，想了解落户打分和材料要求。",
        "经济楼长邀请区人社局专员到党群服务站集中答疑，协助企业完成12人的落户申请材料。",
        "部分员工专业不在重点支持目录，暂不满足直接落户条件；建议先办理居住证积分，政策调整时再申请。",
    ),
    Template(
        "company-talent",
        "人才公寓怎么申请",
        "新引进的骨干员工刚来上海，想申请人才公寓过渡一下。",
        "经济楼长协助企业完成人才公寓申请，3名员工已入住陆家嘴附近人才公寓。",
        "本批次人才公寓已满，企业已进入候补名单；先推荐周边租赁补贴政策。",
    ),
    Template(
        "company-talent",
        "外国人工作许可续期材料咨询",
        "公司有几位外籍员工工作许可快到期了，续期材料有变化吗？",
        "经济楼长对接区人社局窗口，为企业列出续期材料清单并预约办理，已全部续期。",
        "其中一位员工学历认证未完成，暂不能续期；已指导企业办理认证，完成后加急受理。",
    ),
    # --- other
    Template(
        "other",
        "希望在电子屏上显示处理进度",
        "提了建议后不知道有没有人在管，希望能看到处理进度。",
        "22楼党群服务站电子屏已实时显示每条建议的处理进度，小程序也可按编号查询。",
        "电子屏改造需业主方支持，先在小程序开通进度查询，电子屏下季度上线。",
    ),
    Template(
        "other",
        "建议设立失物招领处",
        "上周在电梯里丢了工牌，不知道去哪里找。",
        "物业在1楼服务台设立失物招领处，小程序同步发布失物信息。",
        "服务台空间有限，失物先统一交保安室保管，小程序发布失物信息。",
    ),
    Template(
        "other",
        "大堂背景音乐音量太大",
        "大堂背景音乐声音有点大，在大堂等人打电话听不清。",
        "物业已将大堂背景音乐音量调低，并在早晚高峰时段关闭。",
        "背景音乐系统由业主方统一管理，已反映意见；先将音量调低一档。",
    ),
]

#: Notes for the outcomes that do not depend on the demand itself.
DUPLICATE_NOTE = "与本楼此前提出的同类需求相同，已合并处理，进展请查看原需求。感谢您的关注！"
NOT_APPLICABLE_NOTE = "此事不属于楼事会和相关职能部门的受理范围，已电话联系提出人，建议通过12345市民服务热线反映。"
START_NOTES: list[str] = [
    "已与提出人电话联系，了解具体情况。",
    "已到现场查看，正在协调相关方。",
    "已列入本周楼事会议事内容。",
    "",
    "",
]
REOPEN_NOTE = "提出人反映问题仍未完全解决，楼事会重新跟进。"

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾"
EMAIL_NAMES = ["wang.li", "zhang.min", "chen.jie", "liu.yang", "zhao.xin", "huang.lei", "zhou.ting", "wu.hao"]


@dataclass(frozen=True)
class Step:
    """One transition of a scripted case, `after_days` counted from the submission."""

    action: str
    after_days: float
    #: "member:<role>" or "dept:<code>" for assign.
    assignee: str = ""
    outcome: str = ""
    note: str = ""


@dataclass(frozen=True)
class Case:
    """A demand from the press reports (DOMAIN.md), with its story told through its transitions."""

    building: str
    category: str
    title: str
    description: str
    days_ago: float
    steps: tuple[Step, ...] = ()
    floor: int | None = None
    company: str = ""
    channel: str = "mini_program"
    is_public: bool = True
    contact: tuple[str, str, str] = ("", "", "")
    #: (month, day): submitted on the latest such date in the past year instead of `days_ago`.
    season: tuple[int, int] | None = None


CASES: list[Case] = [
    Case(
        building="shanghai-tower",
        category="delivery",
        title="外卖快递无法上楼，一楼交接太混乱",
        description=(
            "我们公司在47楼，午餐高峰外卖和快递都进不了电梯厅，只能下到一楼大堂找骑手，"
            "几十个人挤在门口认领，经常拿错、洒漏。希望楼里想想办法。"
        ),
        days_ago=330,
        floor=47,
        company="摩根大通银行（中国）有限公司",
        contact=("林女士", "13800000101", "lin.zihan@example.com"),
        steps=(
            Step(
                "assign",
                0.2,
                "member:property_manager",
                note="楼事会已受理，将联合物业和入驻企业研究外卖快递交接方案。",
            ),
            Step("start", 2, note="楼事会通过“楼长点点通”小程序向全楼企业发起问卷，征集外卖柜选址和功能意见。"),
            Step(
                "resolve",
                45,
                outcome="solved",
                note=(
                    "经问卷征集和楼事会议事，业主方与物业在1楼2号门安装了带加热功能的智能外卖柜，"
                    "骑手放餐、员工扫码取餐，目前日均约300单，大堂秩序明显好转。感谢摩根大通等企业员工的建议！"
                ),
            ),
        ),
    ),
    Case(
        building="shanghai-tower",
        category="delivery",
        title="外卖柜什么时候能装好？",
        description="听说楼里要装外卖柜，想问问什么时候能用上。",
        days_ago=318,
        floor=33,
        channel="web",
        steps=(
            Step("assign", 0.3, "member:property_manager"),
            Step("resolve", 0.5, outcome="duplicate", note=DUPLICATE_NOTE),
        ),
    ),
    Case(
        building="shanghai-tower",
        category="delivery",
        title="2号门外卖柜部分格口不加热",
        description="这几天中午从2号门外卖柜取的餐都是凉的，好像有几个格口加热坏了。",
        days_ago=40,
        floor=61,
        company="上海申盈私募基金管理有限公司",
        steps=(
            Step("assign", 0.1, "member:property_manager", note="已通知物业检修外卖柜。"),
            Step("start", 0.4),
            Step("resolve", 2, outcome="solved", note="物业已更换3个格口的加热模块，并安排每日午前巡检。"),
            Step("reopen", 8, note=REOPEN_NOTE),
        ),
    ),
    Case(
        building="shanghai-tower",
        category="health",
        title="工作太忙，没时间去医院看小毛病",
        description="感冒、颈椎不舒服这类小毛病，请半天假去医院排队太不方便，楼里能不能有个看病的地方？",
        days_ago=280,
        floor=30,
        company="安联保险资产管理有限公司",
        steps=(
            Step("assign", 0.5, "dept:health", note="已转区卫健委，研究在楼内设置医疗服务点。"),
            Step("start", 3, note="区卫健委已到22楼党群服务站实地查看，选定服务点位置。"),
            Step(
                "resolve",
                60,
                outcome="solved",
                note=(
                    "楼内“健康航站楼”已在22楼党群服务站旁开放：全科和中医医生按周排班坐诊，"
                    "智能药柜配有100余种常用药，可刷医保卡购药。坐诊时间表在电子屏和小程序公布。"
                ),
            ),
        ),
    ),
    Case(
        building="shanghai-tower",
        category="health",
        title="希望健康航站楼增加午休时段号源",
        description="健康航站楼很方便，但午休时段的号很快就约满了，希望能多排一位医生。",
        days_ago=1.2,
        floor=52,
        channel="mini_program",
    ),
    Case(
        building="sapphire-tower",
        category="parking",
        title="大楼没有地下车库，周边停车太难",
        description="我们楼没有地下车库，周边路边车位很少，开车上班的同事每天要绕好几圈，还经常被贴罚单。",
        days_ago=250,
        floor=12,
        company="上海海纳人力资源有限公司",
        contact=("周先生", "13800000132", ""),
        steps=(
            Step("assign", 1, "dept:transport", note="已转区建交委，会同街道研究停车资源。"),
            Step("start", 5, note="街道已牵头排摸周边可利用地块。"),
            Step(
                "resolve",
                70,
                outcome="solved",
                note="经街道和区建交委协调，利用大楼东侧闲置地块建成临时停车场，提供150个车位，已开放，白领可办理月租。",
            ),
        ),
    ),
    Case(
        building="china-life-finance-center",
        category="facilities",
        title="装修后四部电梯没有联动，早高峰等梯十多分钟",
        description="大堂装修后四部电梯各跑各的，按了按钮只来一部，早高峰要等十多分钟。",
        days_ago=220,
        floor=24,
        company="中国人寿保险股份有限公司上海市分公司",
        steps=(
            Step("assign", 0.5, "member:owner_representative", note="已请业主方代表参与，评估电梯联动改造。"),
            Step("start", 7, note="业主方已正式加入楼事会，同意出资改造。"),
            Step(
                "resolve",
                50,
                outcome="solved",
                note="四部电梯已完成群控联动改造并通过检测，早高峰平均候梯时间由十多分钟降至约两分钟。",
            ),
        ),
    ),
    Case(
        building="jin-mao-tower",
        category="family",
        title="暑假孩子没人带，希望楼里办托管班",
        description="孩子放暑假了，双职工家庭白天没人照顾，希望楼里能办员工子女暑期托管班。",
        days_ago=0,
        season=(6, 10),
        floor=41,
        company="上海金桥数字科技有限公司",
        contact=("韩女士", "13800000157", "han.xiaotong@example.com"),
        steps=(
            Step("assign", 1, "member:service_station_head", note="党群服务站牵头筹办暑期托管班。"),
            Step("start", 5, note="已联合区教育局、团区委招募大学生志愿者，报名通道已在小程序开放。"),
            Step(
                "resolve",
                60,
                outcome="solved",
                note="暑期爱心托管班顺利结班：开设两期、每期四周，共服务86名员工子女，课程含阅读、科创和体育。明年继续开办。",
            ),
        ),
    ),
    Case(
        building="jin-mao-tower",
        category="culture",
        title="希望楼里能借阅电子书",
        description="午休时间想看看书，楼里没有图书角，希望能有电子书借阅。",
        days_ago=200,
        floor=25,
        steps=(
            Step("assign", 0.6, "dept:culture-sports", note="已对接区文体局和金融城阅读推广项目。"),
            Step("start", 4),
            Step(
                "resolve",
                35,
                outcome="solved",
                note="金融城在区域楼宇共安装36台电子书柜，本楼在1楼大堂和2楼党群服务站各设一台，扫码即可免费借阅。",
            ),
        ),
    ),
    Case(
        building="shanghai-world-financial-center",
        category="dining",
        title="午餐又贵又要排长队，希望有平价白领餐",
        description="周边午餐一份要五六十元，还要排很久，希望楼里能有平价、营养的白领午餐。",
        days_ago=240,
        floor=32,
        company="上海优数信息科技有限公司",
        steps=(
            Step("assign", 0.3, "member:service_station_head"),
            Step("start", 2, note="楼事会发起白领午餐问卷，92.6%的受访者补充了自己的建议。"),
            Step(
                "resolve",
                40,
                outcome="solved",
                note="根据问卷结果引入两家白领午餐点，推出25–28元营养套餐，11:00–13:30供应，市场监管员定期检查食品安全。",
            ),
        ),
    ),
    Case(
        building="shanghai-tower",
        category="company-subsidy",
        title="新设研发中心，可以申请哪些扶持资金？",
        description="公司计划在上海中心设立金融科技研发中心，想了解浦东有哪些可以申请的扶持资金和补贴。",
        days_ago=150,
        floor=68,
        company="上海浦江数链科技有限公司",
        channel="station",
        is_public=False,
        contact=("张经理", "13800000168", "zhang.yuxuan@example.com"),
        steps=(
            Step("assign", 0.2, "member:economic_captain", note="经济楼长已受理，将上门了解企业情况。"),
            Step("start", 1, note="经济楼长已上门走访，梳理企业研发投入和人员情况。"),
            Step(
                "resolve",
                20,
                outcome="solved",
                note="经济楼长匹配金融科技产业扶持和研发费用补贴两项政策，已协助企业完成申报材料，现进入受理流程。",
            ),
        ),
    ),
    Case(
        building="jin-mao-tower",
        category="company-talent",
        title="外籍高管办理人才居住证材料咨询",
        description="公司新引进两位外籍高管，想了解上海市海外人才居住证的办理条件和材料。",
        days_ago=120,
        floor=25,
        company="上海瀚海资本管理有限公司",
        channel="phone",
        is_public=False,
        contact=("郑女士", "13800000125", "zheng.yaqin@example.com"),
        steps=(
            Step("assign", 0.3, "member:economic_captain"),
            Step("start", 1),
            Step(
                "resolve",
                12,
                outcome="solved",
                note="经济楼长对接区人社局，为企业列出材料清单并预约窗口办理，两位高管已取得海外人才居住证。",
            ),
        ),
    ),
    Case(
        building="shanghai-ifc",
        category="company-space",
        title="业务扩张需要再租两层，楼内没有空置",
        description="公司明年将增加约100人，需要再租两层办公空间，楼内目前没有空置楼层。",
        days_ago=90,
        floor=40,
        company="上海华昇资产管理有限公司",
        channel="station",
        is_public=False,
        steps=(
            Step("assign", 0.5, "member:economic_captain"),
            Step("start", 2),
            Step(
                "resolve",
                25,
                outcome="solved",
                note="经济楼长对接陆家嘴金融城发展局，推荐步行五分钟内的两处整层空间，企业已完成签约，总部仍留在本楼。",
            ),
        ),
    ),
    Case(
        building="shanghai-tower",
        category="family",
        title="希望楼内开设员工子女日间托育园",
        description="双职工家庭接送孩子太难，希望楼里能开一个全日制托育园，上班时把孩子带来。",
        days_ago=100,
        floor=47,
        company="摩根大通银行（中国）有限公司",
        steps=(
            Step("assign", 1, "member:service_station_head"),
            Step("start", 6, note="楼事会已会同区教育局和消防部门研究可行性。"),
            Step(
                "resolve",
                30,
                outcome="proposal",
                note=(
                    "按现行消防和托育机构设置规范，高层办公楼层暂不具备开设托育园的条件。建议方案："
                    "一、继续开办暑期和寒假托管班；二、对接陆家嘴街道社区托育点，为楼内员工预留名额；"
                    "三、政策调整后楼事会再评估。"
                ),
            ),
        ),
    ),
    Case(
        building="shanghai-tower",
        category="safety",
        title="B1消防通道经常被快递三轮车占用",
        description="B1装卸区旁的消防通道每天上午都停着快递三轮车，万一有事消防车进不来。",
        days_ago=60,
        floor=-1,
        steps=(
            Step("assign", 0.1, "dept:fire", note="已转区消防救援支队。"),
            Step("start", 0.5, note="消防救援支队已会同物业到现场检查。"),
            Step(
                "resolve",
                3,
                outcome="solved",
                note="已清理占道车辆，在装卸区划设快递临时停放区，消防通道纳入物业每日巡查和消防支队抽查。",
            ),
        ),
    ),
    Case(
        building="jin-mao-tower",
        category="other",
        title="个人租房押金纠纷求助",
        description="房东不退押金，想请楼里帮忙出面协调。",
        days_ago=70,
        channel="phone",
        is_public=False,
        contact=("李先生", "13800000188", ""),
        steps=(
            Step("assign", 0.2, "member:captain"),
            Step("resolve", 1, outcome="not_applicable", note=NOT_APPLICABLE_NOTE),
        ),
    ),
    Case(
        building="pinggao-international",
        category="culture",
        title="希望组织午间读书会",
        description="楼里有不少爱看书的同事，希望能有一个固定的午间读书会。",
        days_ago=80,
        floor=15,
        company="上海长寿湾数字科技有限公司",
        steps=(
            Step("assign", 0.5, "member:service_station_head"),
            Step("start", 3),
            Step(
                "resolve",
                20,
                outcome="solved",
                note="楼长牵头成立“长寿路白领读书会”，每月第二个周三午间在3楼党群服务站活动，首期28人参加。",
            ),
        ),
    ),
    Case(
        building="pinggao-international",
        category="company-subsidy",
        title="营业执照地址变更和税务迁移咨询",
        description="公司从静安搬到平高国际大厦，营业执照地址变更和税务迁移要怎么办？",
        days_ago=160,
        floor=21,
        company="上海普瑞医疗器械有限公司",
        is_public=False,
        steps=(
            Step("assign", 0.3, "dept:putuo-changshou-business"),
            Step("start", 1),
            Step(
                "resolve",
                6,
                outcome="solved",
                note="长寿路街道营商服务中心开通“一口式”代办，三个工作日内完成执照地址变更和税务迁移。",
            ),
        ),
    ),
    Case(
        building="shanghai-world-financial-center",
        category="culture",
        title="组织滨江健康跑",
        description="天气转凉，希望楼里组织大家下班后去滨江一起跑步。",
        days_ago=10,
        floor=66,
        steps=(
            Step("assign", 0.4, "member:service_station_head"),
            Step("start", 2, note="已联系滨江跑道管理方，正在确定路线和时间。"),
        ),
    ),
    Case(
        building="shanghai-bay-area-innovation-center",
        category="parking",
        title="希望开通到金山卫站的通勤接驳车",
        description="从市区坐金山铁路到金山卫站后，到园区还要走二十多分钟，希望有接驳班车。",
        days_ago=30,
        floor=5,
        company="上海湾区智能装备有限公司",
        steps=(
            Step("assign", 0.5, "member:economic_captain", note="楼委会已受理，由经济楼长对接镇里和公交公司。"),
            Step("start", 4, note="已统计各企业乘车需求，共约120人次/天，正在与公交公司商议线路。"),
        ),
    ),
    Case(
        building="shanghai-tower",
        category="culture",
        title="希望开放屋顶作为员工跑步场地",
        description="楼里没有运动场地，能不能把某层屋顶平台开放给员工跑步？",
        days_ago=180,
        floor=75,
        steps=(
            Step("assign", 0.5, "member:captain"),
            Step("start", 3),
            Step(
                "resolve",
                15,
                outcome="proposal",
                note=(
                    "屋顶平台属消防避难层和设备层，按规定不能开放为运动场地。建议方案：楼事会已与滨江步道对接，"
                    "每周三组织下班健康跑，并与周边健身房洽谈白领优惠。"
                ),
            ),
        ),
    ),
]

#: building slug → how many template demands to add besides its cases.
RANDOM_DEMANDS: dict[str, int] = {
    "shanghai-tower": 34,
    "jin-mao-tower": 22,
    "shanghai-world-financial-center": 16,
    "shanghai-ifc": 12,
    "china-life-finance-center": 10,
    "lujiazui-software-park": 10,
    "bank-of-shanghai-tower": 8,
    "sapphire-tower": 7,
    "china-financial-information-center": 7,
    "pinggao-international": 14,
    "shanghai-bay-area-innovation-center": 8,
}


@dataclass(frozen=True)
class Account:
    """A demo login. `seat`/`department`/`district` say what links it to its scope."""

    username: str
    display_name: str
    role_zh: str
    role_en: str
    can_zh: str
    can_en: str
    is_superuser: bool = False
    captain_of: str = ""
    department: str = ""
    district: str = ""


ACCOUNTS: list[Account] = [
    Account(
        username="admin",
        display_name="平台管理员",
        role_zh="超级管理员",
        role_en="superuser",
        can_zh="全部数据与后台",
        can_en="everything, including /admin/",
        is_superuser=True,
    ),
    Account(
        username="captain-shanghai-tower",
        display_name="顾建平",
        role_zh="上海中心大厦楼长",
        role_en="building captain, Shanghai Tower",
        can_zh="受理、分派、办结本楼需求",
        can_en="triage and resolve Shanghai Tower's demands",
        captain_of="shanghai-tower",
    ),
    Account(
        username="captain-jin-mao",
        display_name="马卫东",
        role_zh="金茂大厦楼长",
        role_en="building captain, Jin Mao Tower",
        can_zh="受理、分派、办结本楼需求",
        can_en="triage and resolve Jin Mao's demands",
        captain_of="jin-mao-tower",
    ),
    Account(
        username="dept-fire",
        display_name="浦东消防救援支队办事员",
        role_zh="职能部门（消防）",
        role_en="department staff, fire",
        can_zh="办理转给消防支队的需求",
        can_en="work on demands routed to the fire department",
        department="fire",
    ),
    Account(
        username="district-pudong",
        display_name="浦东新区楼宇办",
        role_zh="浦东新区工作人员",
        role_en="district staff, Pudong",
        can_zh="查看全区楼宇需求与统计",
        can_en="read every Pudong building's demands and statistics",
        district="pudong",
    ),
]


# Ready-made replies captains start from in the admin (ResponseTemplate); None = every category.
RESPONSE_TEMPLATES: list[tuple[str | None, str, str]] = [
    (
        None,
        "已收到，正在核实",
        "您好，您的诉求楼事会已收到，我们正在核实情况，预计3个工作日内给您答复。感谢您对楼宇治理的关注！",
    ),
    (None, "已转交职能部门", "您好，您的诉求已转交相关职能部门办理，办理进展将在本页及时更新，请留意。"),
    (
        "delivery",
        "取餐柜使用说明",
        "您好，1号门智能取餐柜已投入使用，外卖员可将餐品放入柜中，您凭手机短信取件码取餐。如遇故障请联系22F党群服务站。",
    ),
    ("parking", "临时停车场信息", "您好，楼宇周边临时停车场已开放，共150个车位，可在物业服务中心办理月租登记。"),
    (
        "company-subsidy",
        "扶持政策对接",
        "您好，第二楼长（经济服务专员）将在2个工作日内与贵司联系，逐项对接适用的扶持政策并协助准备申报材料。",
    ),
    (
        "health",
        "健康航站楼时段",
        "您好，健康航站楼每周一至周五11:30–13:30有全科和中医医生坐诊，可使用医保卡在智能药柜购药。",
    ),
]
