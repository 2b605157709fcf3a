"""Realistic city project lists as .xlsx bytes, for import tests, e2e tests and the demo.

``city_list_xlsx`` is messy the way real lists are (merged title, two-level header in 亿元,
sections, a 合计 row, units merged down, numbers stored as text, aliases) but every project
in it is valid. ``city_projects`` returns the same projects as data so tests can compare.
``broken_list_xlsx`` holds one bad row per error kind; ``BROKEN_LIST_ERRORS`` lists them.
"""

import io
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal

import openpyxl
from openpyxl.utils import get_column_letter

YEAR = 2026

UNITS = (
    "城关区", "高新区", "经开区", "临港新区", "东川县", "西山县", "南河县", "北原县",
    "青石县", "交通运输局", "水务局", "住建局", "教育局", "卫健委", "城投集团",
)  # fmt: skip
LEADERS = (
    "王副市长", "李副市长", "张副市长", "刘副市长", "陈副市长", "杨常务副市长",
    "赵副市长", "周副市长",
)  # fmt: skip
_SURNAMES = "王李张刘陈杨赵黄周吴徐孙马朱胡郭何高林罗"
_GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华"
_PLACES = (
    "滨河", "东岭", "西苑", "南湖", "北塬", "凤凰", "金沙", "龙泉", "青云", "翠屏",
    "长乐", "永安", "红星", "白鹭", "望江",
)  # fmt: skip
_THINGS = {
    "产业": (
        "年产10万吨新能源电池材料项目", "智能制造产业园项目", "光伏组件生产线项目",
        "冷链物流园项目", "绿色建材产业园项目", "电子信息产业园项目", "精细化工项目",
        "农产品深加工项目", "数据中心项目", "文旅综合体项目",
    ),
    "基础设施": (
        "大道改扩建工程", "污水处理厂扩容工程", "快速路建设项目", "供水管网改造工程",
        "220千伏输变电工程", "综合管廊项目", "河道综合治理工程", "停车场建设项目",
    ),
    "民生": (
        "中学新建工程", "人民医院住院楼项目", "老旧小区改造项目", "幼儿园建设项目",
        "保障性住房项目", "养老服务中心项目", "体育公园项目",
    ),
}  # fmt: skip
# Lists write categories and stages in their own words; parsing must fold them.
_CATEGORY_SPELLINGS = {"产业": ("产业", "产业类"), "基础设施": ("基础设施", "基础设施类")}
_STAGE_SPELLINGS = {"在建": ("在建", "开工", "续建"), "前期": ("前期", "前期工作")}
_SECTION_NUMBERS = "一二三"
_PHASES = "零一二三四五六七八九十"


@dataclass(frozen=True)
class SampleProject:
    """One project as written into a sample list; money in 亿元 and monthly plan in 万元."""

    code: str
    name: str
    unit: str
    category: str
    stage: str
    build_type: str
    leader: str
    liaison: str
    total_yi: Decimal
    year_plan_yi: Decimal
    monthly_wan: tuple[int, ...]
    content: str

    @property
    def total_yuan(self) -> int:
        """总投资 in 元."""
        return int(self.total_yi * 100_000_000)

    @property
    def year_plan_yuan(self) -> int:
        """年度计划投资 in 元."""
        return int(self.year_plan_yi * 100_000_000)

    @property
    def monthly_yuan(self) -> tuple[int, ...]:
        """Monthly plan in 元, Jan..Dec."""
        return tuple(wan * 10_000 for wan in self.monthly_wan)


def workbook_bytes(
    rows: Sequence[Sequence[object]],
    *,
    merges: Sequence[str] = (),
    title: str = "Sheet1",
    extra_sheets: Sequence[tuple[str, Sequence[Sequence[object]]]] = (),
) -> bytes:
    """An .xlsx with ``rows`` from A1, ``merges`` like "A1:D1" (only top-left values kept)."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = title
    for row in rows:
        sheet.append(list(row))
    for merged in merges:
        sheet.merge_cells(merged)
    for name, sheet_rows in extra_sheets:
        extra = workbook.create_sheet(name)
        for row in sheet_rows:
            extra.append(list(row))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _monthly_plan(rng: random.Random, year_wan: int) -> tuple[int, ...]:
    """Split a year plan (万元) into 12 whole-万元 months; spring is slow, sums exactly."""
    weights = [rng.uniform(0.3, 0.6) if m < 3 else rng.uniform(0.8, 1.4) for m in range(12)]
    scale = sum(weights)
    months = [int(year_wan * w / scale) for w in weights]
    months[-1] += year_wan - sum(months)
    return tuple(months)


def _unique_name(rng: random.Random, category: str, used: set[str]) -> str:
    base = rng.choice(_PLACES) + rng.choice(_THINGS[category])
    name, phase = base, 1
    while name in used:
        # Real lists tell repeated names apart by phase: "…（二期）项目".
        phase += 1
        label = f"（{_PHASES[phase]}期）" if phase < len(_PHASES) else f"（{phase}期）"
        name = base.replace("项目", f"{label}项目") if base.endswith("项目") else base + label
    used.add(name)
    return name


def _size_yi(rng: random.Random, category: str) -> Decimal:
    low, high = {"产业": (0.5, 20.0), "基础设施": (1.0, 30.0), "民生": (0.2, 5.0)}[category]
    return Decimal(str(round(rng.uniform(low, high), 2)))


def city_projects(n_projects: int = 20, *, seed: int = 1) -> list[SampleProject]:
    """The projects ``city_list_xlsx`` writes, in file order (grouped by category and unit)."""
    rng = random.Random(seed)
    used: set[str] = set()
    drafts = []
    for _ in range(n_projects):
        category = rng.choices(("产业", "基础设施", "民生"), weights=(45, 30, 25))[0]
        stage = rng.choices(("前期", "在建", "竣工", "投产"), weights=(25, 60, 10, 5))[0]
        total = _size_yi(rng, category)
        year = max(
            Decimal("0.01"),
            (total * Decimal(str(rng.uniform(0.2, 0.4)))).quantize(Decimal("0.01")),
        )
        drafts.append((category, rng.choice(UNITS), stage, total, year))
    order = {"产业": 0, "基础设施": 1, "民生": 2}
    drafts.sort(key=lambda d: (order[d[0]], UNITS.index(d[1])))
    projects = []
    for number, (category, unit, stage, total, year) in enumerate(drafts, start=1):
        liaison = rng.choice(_SURNAMES) + "".join(rng.sample(_GIVEN, rng.choice((1, 2))))
        projects.append(
            SampleProject(
                code=f"XM{YEAR}-{number:03d}",
                name=_unique_name(rng, category, used),
                unit=unit,
                category=category,
                stage=stage,
                build_type="新建" if stage == "前期" or rng.random() < 0.4 else "续建",
                leader=rng.choice(LEADERS),
                liaison=liaison,
                total_yi=total,
                year_plan_yi=year,
                monthly_wan=_monthly_plan(rng, int(year * 10_000)),
                content=f"总建筑面积约{rng.randint(1, 50)}万平方米，主要建设生产及配套设施",
            )
        )
    return projects


CITY_TITLE = f"{YEAR}年市级重点项目计划表"
CITY_HEADER_TOP = (
    "序号", "项目编号", "项目\n名称", "责任单位", "项目类别", "建设性质", "建设阶段",
    "建设内容及规模", "包抓领导", "联络员", "投资情况（亿元）", None,
    f"{YEAR}年月度投资计划（万元）", *([None] * 11), "备注",
)  # fmt: skip
CITY_HEADER_BOTTOM = (
    *([None] * 10),
    "总投资",
    f"{YEAR}年计划投资",
    *(f"{m}月" for m in range(1, 13)),
    None,
)
CITY_WIDTH = len(CITY_HEADER_TOP)
CITY_HEADER_ROW = 4  # bottom header row; data starts on row 5


def _city_row(rng: random.Random, seq: int, project: SampleProject) -> list[object]:
    total: object = float(project.total_yi)
    if seq % 4 == 0:
        total = f"{project.total_yi:.2f} "  # numbers stored as text, with a stray space
    category = rng.choice(_CATEGORY_SPELLINGS.get(project.category, (project.category,)))
    stage = rng.choice(_STAGE_SPELLINGS.get(project.stage, (project.stage,)))
    return [
        seq,
        f"{project.code} " if seq % 5 == 0 else project.code,
        f" {project.name}  " if seq % 3 == 0 else project.name,
        project.unit,
        category,
        project.build_type,
        stage,
        project.content,
        project.leader,
        project.liaison,
        total,
        float(project.year_plan_yi),
        *project.monthly_wan,
        None,
    ]


Writer = Callable[..., bytes]
"""``workbook_bytes`` or another format's writer with its signature (tests.unit.sheet_writers)."""


def city_list_xlsx(
    n_projects: int = 20, *, seed: int = 1, writer: Writer = workbook_bytes
) -> bytes:
    """A messy but fully valid city list; its projects are ``city_projects(n, seed=seed)``.

    ``writer`` saves it in another format (.xls, .ods, HTML) with the same cells and merges.
    """
    rng = random.Random(seed + 1000)
    projects = city_projects(n_projects, seed=seed)
    last = get_column_letter(CITY_WIDTH)
    rows: list[list[object]] = [
        [CITY_TITLE, *([None] * (CITY_WIDTH - 1))],
        ["填报单位：市重点项目建设领导小组办公室", *([None] * (CITY_WIDTH - 2)), "单位：亿元"],
        list(CITY_HEADER_TOP),
        list(CITY_HEADER_BOTTOM),
    ]
    merges = [f"A1:{last}1", "K3:L3", "M3:X3"]
    merges += [f"{c}3:{c}4" for c in "ABCDEFGHIJ"] + [f"{last}3:{last}4"]
    for number, category in enumerate(("产业", "基础设施", "民生")):
        group = [p for p in projects if p.category == category]
        if not group:
            continue
        heading = f"{_SECTION_NUMBERS[number]}、{category}项目（{len(group)}个）"
        rows.append([heading, *([None] * (CITY_WIDTH - 1))])
        merges.append(f"A{len(rows)}:J{len(rows)}")
        start = len(rows) + 1
        for seq, project in enumerate(group, start=1):
            row = _city_row(rng, seq, project)
            if seq > 1 and group[seq - 2].unit == project.unit:
                row[3] = None  # the unit is written once and merged down below
            rows.append(row)
        merges += _unit_merges(group, start)
    totals = [
        sum(p.total_yi for p in projects),
        sum(p.year_plan_yi for p in projects),
        *(sum(p.monthly_wan[m] for p in projects) for m in range(12)),
    ]
    rows.append(["合计", None, f"{len(projects)}个", *([None] * 7), *map(float, totals), None])
    return writer(rows, merges=merges, title=f"{YEAR}年计划")


def _unit_merges(group: list[SampleProject], start: int) -> list[str]:
    """D-column merges over runs of consecutive projects with the same unit."""
    merges = []
    run_start = 0
    for i in range(1, len(group) + 1):
        if i == len(group) or group[i].unit != group[run_start].unit:
            if i - run_start > 1:
                merges.append(f"D{start + run_start}:D{start + i - 1}")
            run_start = i
    return merges


BROKEN_HEADER = (
    "项目编号", "项目名称", "责任单位", "项目类别", "建设阶段", "总投资（万元）",
    "年度计划投资（万元）", *(f"{m}月" for m in range(1, 13)),
)  # fmt: skip
_MONTHS_OK = [100] * 12  # 1200万 in the year


def _broken_row(code: str, name: str | None, unit: str | None, **changes: object) -> list[object]:
    row: list[object] = [code, name, unit, "产业", "在建", 20000, 1200, *_MONTHS_OK]
    positions = {"category": 3, "stage": 4, "total": 5, "year": 6}
    for key, value in changes.items():
        if key == "months":
            row[7:19] = list(value)  # type: ignore[call-overload]
        else:
            row[positions[key]] = value
    return row


BROKEN_LIST_ERRORS: list[tuple[int, str]] = [
    (4, "项目名称"),
    (5, "责任单位"),
    (6, "总投资（万元）"),
    (7, "总投资（万元）"),
    (8, "年度计划投资（万元）"),
    (9, "建设阶段"),
    (10, "项目类别"),
    (11, "1月~12月"),
    (12, "项目编号"),
]
"""(row, column) of every error in ``broken_list_xlsx``; rows 3 and 13 are valid."""


def broken_list_xlsx() -> bytes:
    """A small 万元 list with one bad row per error kind (see ``BROKEN_LIST_ERRORS``)."""
    rows = [
        ["问题清单测试表"],
        list(BROKEN_HEADER),
        _broken_row("XM-001", "滨河智能制造产业园项目", "高新区"),
        _broken_row("XM-002", None, "高新区"),
        _broken_row("XM-003", "东岭污水处理厂扩容工程", None),
        _broken_row("XM-004", "西苑光伏组件生产线项目", "经开区", total="abc"),
        _broken_row("XM-005", "南湖冷链物流园项目", "经开区", total=-5),
        _broken_row("XM-006", "北塬数据中心项目", "城关区", year=30000),
        _broken_row("XM-007", "凤凰体育公园项目", "城关区", stage="暂停"),
        _broken_row("XM-008", "金沙农业示范园项目", "西山县", category="农业"),
        _broken_row("XM-009", "龙泉大道改扩建工程", "交通运输局", months=[200] * 12),
        _broken_row("XM-001", "青云中学新建工程", "教育局"),
        _broken_row("XM-010", "翠屏养老服务中心项目", "民政局"),
    ]
    return workbook_bytes(rows, merges=["A1:S1"], title="项目清单")
