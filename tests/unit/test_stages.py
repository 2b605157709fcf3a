"""Life-cycle stages, categories and build types as cities write them."""

import pytest

from domain.stages import (
    BUILD_TYPES,
    CATEGORIES,
    STAGE_ORDER,
    Stage,
    is_forward,
    parse_build_type,
    parse_category,
    parse_stage,
    stage_index,
)


def test_stage_order_is_the_life_cycle() -> None:
    assert [str(stage) for stage in STAGE_ORDER] == ["谋划", "前期", "在建", "竣工", "投产"]
    assert [stage_index(stage) for stage in STAGE_ORDER] == [0, 1, 2, 3, 4]


@pytest.mark.parametrize(
    ("text", "stage"),
    [
        ("谋划", Stage.PLANNING),
        ("储备", Stage.PLANNING),
        ("谋划储备", Stage.PLANNING),
        ("前期", Stage.PRELIMINARY),
        ("前期手续", Stage.PRELIMINARY),
        ("前期工作", Stage.PRELIMINARY),
        ("在建", Stage.CONSTRUCTION),
        ("开工", Stage.CONSTRUCTION),
        ("新开工", Stage.CONSTRUCTION),
        ("施工", Stage.CONSTRUCTION),
        ("续建", Stage.CONSTRUCTION),
        ("竣工", Stage.COMPLETED),
        ("完工", Stage.COMPLETED),
        ("建成", Stage.COMPLETED),
        ("投产", Stage.OPERATING),
        ("达效", Stage.OPERATING),
        ("投产达效", Stage.OPERATING),
        ("运营", Stage.OPERATING),
        (" 在 建 ", Stage.CONSTRUCTION),
        ("已开工", Stage.CONSTRUCTION),
        ("已竣工", Stage.COMPLETED),
        ("在建阶段", Stage.CONSTRUCTION),
        ("前期阶段", Stage.PRELIMINARY),
    ],
)
def test_parse_stage_reads_labels_and_aliases(text: str, stage: Stage) -> None:
    assert parse_stage(text) is stage


@pytest.mark.parametrize("text", ["", "  ", None, "暂停", "停工", "在建中吗", "阶段"])
def test_parse_stage_returns_none_for_unknown(text: str | None) -> None:
    assert parse_stage(text) is None


def test_is_forward_only_moves_ahead() -> None:
    assert is_forward(None, Stage.PLANNING)
    assert is_forward(None, Stage.OPERATING)
    assert is_forward(Stage.PRELIMINARY, Stage.CONSTRUCTION)
    assert is_forward(Stage.PLANNING, Stage.OPERATING)  # skipping stages is fine
    assert not is_forward(Stage.CONSTRUCTION, Stage.CONSTRUCTION)  # same stage: no change
    assert not is_forward(Stage.COMPLETED, Stage.CONSTRUCTION)  # backward: not allowed


def test_stage_values_are_strings() -> None:
    assert Stage.CONSTRUCTION == "在建"
    assert f"{Stage.COMPLETED}" == "竣工"


@pytest.mark.parametrize(
    ("text", "category"),
    [
        ("产业", "产业"),
        ("产业类", "产业"),
        ("产业项目", "产业"),
        ("工业", "产业"),
        ("工业项目", "产业"),
        ("制造业", "产业"),
        ("服务业", "产业"),
        ("基础设施", "基础设施"),
        ("基础设施类", "基础设施"),
        ("基础设施项目", "基础设施"),
        ("基础设施类项目", "基础设施"),
        ("交通", "基础设施"),
        ("水利", "基础设施"),
        ("能源", "基础设施"),
        ("民生", "民生"),
        ("民生类", "民生"),
        ("社会民生", "民生"),
        ("社会事业", "民生"),
        ("民生项目", "民生"),
        (" 民 生 ", "民生"),
    ],
)
def test_parse_category_reads_aliases(text: str, category: str) -> None:
    assert parse_category(text) == category
    assert category in CATEGORIES


@pytest.mark.parametrize("text", ["", None, "农业", "其他", "类"])
def test_parse_category_returns_none_for_unknown(text: str | None) -> None:
    assert parse_category(text) is None


@pytest.mark.parametrize(
    ("text", "build_type"),
    [
        ("新建", "新建"),
        ("续建", "续建"),
        ("新开工", "新建"),
        ("续建项目", "续建"),
        (" 新建 ", "新建"),
    ],
)
def test_parse_build_type(text: str, build_type: str) -> None:
    assert parse_build_type(text) == build_type
    assert build_type in BUILD_TYPES


@pytest.mark.parametrize("text", ["", None, "改扩建", "技改"])
def test_parse_build_type_returns_none_for_unknown(text: str | None) -> None:
    assert parse_build_type(text) is None
