"""Realistic Chinese company identities for scale data (issue 10): names, USCCs, addresses.

A registered name (企业名称, under the 2020 naming rules) is administrative division +
trade name (字号) + industry or business description + organisational form, e.g.
深圳市华星电子科技有限公司. The division may be a prefix (深圳市…), in brackets after
the trade name (华星电子科技（深圳）有限公司), a province (广东华星…) or left out. As in
the real register, the same trade name and industry recur in different cities, and some
names differ from another by one character (瑞丰 / 瑞峰), which is what fuzzy search
must tell apart.

The USCC (GB 32100-2015) is 9 (registered with market regulation) + 1 (enterprise) +
the six-digit division code of the registering authority + the nine-character
organisation code (GB 11714, with its own check character) + the USCC check character
(python-stdnum). Only the sequence number inside the organisation code is invented.
"""

import functools
import random
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

# (city, province code, city code, weight): GB/T 2260 codes; weights roughly follow the
# number of registered enterprises.
CITIES = (
    ("深圳", "44", "4403", 9), ("广州", "44", "4401", 7), ("东莞", "44", "4419", 4),
    ("佛山", "44", "4406", 4), ("珠海", "44", "4404", 1), ("惠州", "44", "4413", 1),
    ("中山", "44", "4420", 1), ("上海", "31", "3100", 8), ("北京", "11", "1100", 6),
    ("天津", "12", "1200", 2), ("重庆", "50", "5000", 3), ("苏州", "32", "3205", 5),
    ("南京", "32", "3201", 3), ("无锡", "32", "3202", 2), ("常州", "32", "3204", 2),
    ("南通", "32", "3206", 1), ("徐州", "32", "3203", 1), ("杭州", "33", "3301", 5),
    ("宁波", "33", "3302", 3), ("温州", "33", "3303", 2), ("嘉兴", "33", "3304", 1),
    ("绍兴", "33", "3306", 1), ("金华", "33", "3307", 2), ("台州", "33", "3310", 1),
    ("青岛", "37", "3702", 2), ("济南", "37", "3701", 2), ("烟台", "37", "3706", 1),
    ("潍坊", "37", "3707", 1), ("武汉", "42", "4201", 3), ("长沙", "43", "4301", 2),
    ("成都", "51", "5101", 4), ("西安", "61", "6101", 2), ("郑州", "41", "4101", 2),
    ("合肥", "34", "3401", 2), ("福州", "35", "3501", 1), ("厦门", "35", "3502", 2),
    ("泉州", "35", "3505", 2), ("南昌", "36", "3601", 1), ("石家庄", "13", "1301", 1),
    ("唐山", "13", "1302", 1), ("沈阳", "21", "2101", 1), ("大连", "21", "2102", 1),
    ("长春", "22", "2201", 1), ("哈尔滨", "23", "2301", 1), ("昆明", "53", "5301", 1),
    ("贵阳", "52", "5201", 1), ("南宁", "45", "4501", 1), ("太原", "14", "1401", 1),
    ("兰州", "62", "6201", 1), ("乌鲁木齐", "65", "6501", 1), ("海口", "46", "4601", 1),
    ("呼和浩特", "15", "1501", 1), ("银川", "64", "6401", 1), ("西宁", "63", "6301", 1),
)  # fmt: skip
PROVINCE_NAMES = {
    "11": "北京", "12": "天津", "13": "河北", "14": "山西", "15": "内蒙古", "21": "辽宁",
    "22": "吉林", "23": "黑龙江", "31": "上海", "32": "江苏", "33": "浙江", "34": "安徽",
    "35": "福建", "36": "江西", "37": "山东", "41": "河南", "42": "湖北", "43": "湖南",
    "44": "广东", "45": "广西", "46": "海南", "50": "重庆", "51": "四川", "52": "贵州",
    "53": "云南", "61": "陕西", "62": "甘肃", "63": "青海", "64": "宁夏", "65": "新疆",
}  # fmt: skip

# Characters trade names are made of; pairs of them make most 字号.
TRADE_CHARACTERS = (
    "华星金诚宏达鑫源瑞丰永盛天成汇通博远中联新锐恒泰嘉禾润和盛世东方远大隆基海川锦程明德"
    "国泰龙腾凯旋正通鼎盛信达万家同心百川富康安泰德源弘毅辉煌佳兴健力精工开元乐普立信美通"
    "南山宁远启航荣昌三和顺发泰山伟业祥云欣悦亚太一品裕丰振华志高卓越创新科达海尔长城飞鹏"
    "广汇合力和平华联华美惠民吉祥联合龙翔明珠普天巨人银河宇通云峰忠诚众合卓远"
)
# Characters that a typist or a second registration puts in place of another (the same
# sound or a similar shape): near-duplicate names in the register.
NEAR_CHARACTERS = {
    "丰": "峰沣锋", "峰": "丰锋", "华": "桦骅", "鑫": "新欣", "新": "鑫欣", "源": "元原",
    "达": "大", "盛": "胜晟", "泰": "太", "通": "同", "远": "元", "诚": "城成",
    "宏": "鸿弘", "鸿": "宏", "祥": "翔", "翔": "祥", "利": "力立", "力": "利",
    "金": "今锦", "锦": "金", "恒": "衡", "兴": "星", "星": "兴", "辉": "晖", "伟": "维",
}  # fmt: skip

# (industry section of GB/T 4754, weight, business descriptions)
INDUSTRIES = (
    ("C", 40, ("电子科技", "机械制造", "精密机械", "塑胶制品", "纺织", "服装", "食品", "化工",
               "新材料", "汽车零部件", "医药", "家具", "五金制品", "包装材料", "光电科技",
               "电气", "新能源科技", "模具", "印刷", "钢结构", "陶瓷", "电线电缆")),
    ("F", 30, ("贸易", "商贸", "建材贸易", "进出口", "供应链管理", "电子商务", "医药销售",
               "实业", "化工贸易", "农产品", "钢材贸易", "汽车销售")),
    ("G", 6, ("物流", "国际货运代理", "运输", "仓储服务", "冷链物流")),
    ("I", 6, ("信息技术", "网络科技", "软件", "数据服务", "通信技术")),
    ("E", 5, ("建设工程", "建筑工程", "装饰工程", "市政工程")),
    ("L", 4, ("商务咨询", "企业管理", "广告", "人力资源")),
    ("M", 3, ("检测技术", "工程设计", "生物科技", "环境科技")),
    ("A", 2, ("农业发展", "生态农业", "水产养殖")),
    ("D", 2, ("能源", "燃气", "水务")),
    ("B", 1, ("矿业", "石材")),
    ("H", 1, ("餐饮管理", "酒店管理")),
)  # fmt: skip
SECTION_OF = {business: code for code, _weight, names in INDUSTRIES for business in names}
LEGAL_FORMS = (("有限公司", 70), ("有限责任公司", 12), ("股份有限公司", 10),
               ("集团有限公司", 5), ("厂", 3))  # fmt: skip
ROADS = ("人民", "建设", "解放", "中山", "新华", "工业", "科技", "朝阳", "长江", "黄河",
         "滨海", "环城", "创业", "金融", "高新", "迎宾", "和平", "青年", "文化", "友谊")  # fmt: skip
PUBLIC_BODIES = ("人民医院", "中心医院", "市政管理局", "教育局", "交通运输局", "第一中学",
                 "自来水总公司", "公共资源交易中心")  # fmt: skip

_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"  # GB 11714 and GB 32100 alike
_VALUE = {c: i for i, c in enumerate(_ALPHABET)}
_GB11714_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)
# GB 32100 weights of the 17 characters before the check (as python-stdnum has them).
_USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def organisation_code(body: str) -> str:
    """The nine-character organisation code (GB 11714): eight characters and a check."""
    total = sum(_VALUE[c] * w for c, w in zip(body, _GB11714_WEIGHTS, strict=True))
    check = 11 - total % 11
    return body + {10: "X", 11: "0"}.get(check, str(check))


@functools.cache
def _prefix_sum(prefix: str) -> int:
    return sum(_VALUE[c] * w for c, w in zip(prefix, _USCC_WEIGHTS[: len(prefix)], strict=True))


def company_uscc(division: str, serial: int, *, new_style: bool) -> str:
    """A valid USCC for an enterprise registered in `division`; `serial` makes it unique.
    Codes issued since 2015 carry an organisation code beginning MA.

    The check character is python-stdnum's (`core.uscc.uscc_with_check`) computed
    incrementally: the weighted sum of the eight-character prefix is cached, since
    stdnum's own call costs about 100 µs, 20 minutes for 10,000,000 buyers. The scale
    data tests validate every generated code with stdnum."""
    if new_style:
        digits = []
        for _ in range(6):
            serial, digit = divmod(serial, len(_ALPHABET))
            digits.append(_ALPHABET[digit])
        body = "MA" + "".join(reversed(digits))
    else:
        body = f"{serial:08d}"
    prefix = "91" + division
    code = organisation_code(body)
    total = _prefix_sum(prefix) + sum(
        _VALUE[c] * w for c, w in zip(code, _USCC_WEIGHTS[8:], strict=True)
    )
    return prefix + code + _ALPHABET[(31 - total) % 31]


@dataclass(frozen=True)
class Company:
    uscc: str
    name: str
    former_names: str
    address: str
    region: str
    industry: str
    registered_capital: Decimal
    founded_on: date
    is_public_body: bool


class CompanyGenerator:
    """Deterministic stream of companies for a seed: `company(serial)` for serials 0, 1, …
    in order (near-duplicates copy one of the recent names)."""

    def __init__(self, rng: random.Random, *, near_duplicate_share: float = 0.03,
                 public_body_share: float = 0.003):  # fmt: skip
        self.rng = rng
        self.near_duplicate_share = near_duplicate_share
        self.public_body_share = public_body_share
        self.cities = [c for c in CITIES for _ in range(c[3])]
        self.industries = [i for i in INDUSTRIES for _ in range(i[1])]
        self.forms = [f for f, w in LEGAL_FORMS for _ in range(w)]
        self.pairs = [a + b for a in TRADE_CHARACTERS for b in TRADE_CHARACTERS if a != b]
        self.recent: list[tuple[str, str, str, str]] = []  # (trade, business, form, city)

    def trade_name(self) -> str:
        rng = self.rng
        pair = rng.choice(self.pairs)
        return pair + rng.choice(TRADE_CHARACTERS) if rng.random() < 0.15 else pair

    def near(self, trade: str) -> str:
        """The trade name with one character replaced by a look- or sound-alike."""
        positions = [i for i, c in enumerate(trade) if c in NEAR_CHARACTERS]
        if not positions:
            i = self.rng.randrange(len(trade))
            return trade[:i] + self.rng.choice(TRADE_CHARACTERS) + trade[i + 1 :]
        i = self.rng.choice(positions)
        return trade[:i] + self.rng.choice(NEAR_CHARACTERS[trade[i]]) + trade[i + 1 :]

    def registered_name(self, trade, business, form, city) -> str:
        style = self.rng.random()
        city_name, province = city[0], city[1]
        if style < 0.55:
            prefix = city_name if province in {"11", "12", "31", "50"} else city_name + "市"
            return f"{prefix}{trade}{business}{form}"
        if style < 0.75:
            return f"{trade}{business}（{city_name}）{form}"
        if style < 0.9:
            return f"{PROVINCE_NAMES[province]}{trade}{business}{form}"
        return f"{trade}{business}{form}"

    def company(self, serial: int) -> Company:
        rng = self.rng
        city = rng.choice(self.cities)
        founded_on = date(1992, 1, 1) + timedelta(days=rng.randint(0, 11_600))
        capital = Decimal(10_000 * int(10 ** rng.uniform(2, 5.5)))

        def identity(city):
            division = city[2] + f"{rng.randint(1, 12):02d}"
            uscc = company_uscc(division, serial, new_style=founded_on.year >= 2016)
            return uscc, f"{city[0]}市{rng.choice(ROADS)}路{rng.randint(1, 999)}号"

        if rng.random() < self.public_body_share:
            uscc, address = identity(city)
            return Company(uscc, f"{city[0]}市{rng.choice(PUBLIC_BODIES)}", "", address,
                           city[1], "S", capital, founded_on, True)  # fmt: skip
        if self.recent and rng.random() < self.near_duplicate_share:
            trade, business, form, other_city = rng.choice(self.recent)
            if rng.random() < 0.5:
                trade = self.near(trade)  # one character off, possibly the same city
                city = other_city if rng.random() < 0.5 else city
            # else: the same trade name and business in another city
        else:
            section = rng.choice(self.industries)
            trade, business, form = (
                self.trade_name(),
                rng.choice(section[2]),
                rng.choice(self.forms),
            )
        section_code = SECTION_OF[business]
        uscc, address = identity(city)
        name = self.registered_name(trade, business, form, city)
        former = ""
        if rng.random() < 0.05:  # renamed: another trade name, or the form changed
            former = self.registered_name(self.trade_name(), business, "有限公司", city)
        self.recent.append((trade, business, form, city))
        if len(self.recent) > 5_000:
            self.recent = self.recent[-2_500:]
        return Company(uscc, name, former, address, city[1], section_code, capital,
                       founded_on, False)  # fmt: skip
