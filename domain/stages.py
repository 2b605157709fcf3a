"""Project life-cycle stages, categories and build types, with the aliases cities write."""

import re
from enum import StrEnum

from domain.text import squash


class Stage(StrEnum):
    """Life-cycle stage; the value is the Chinese label shown to users."""

    PLANNING = "谋划"
    PRELIMINARY = "前期"
    CONSTRUCTION = "在建"
    COMPLETED = "竣工"
    OPERATING = "投产"


STAGE_ORDER: tuple[Stage, ...] = tuple(Stage)
"""Stages in the order a project moves through them."""

_STAGE_ALIASES: dict[str, Stage] = {
    "储备": Stage.PLANNING,
    "谋划储备": Stage.PLANNING,
    "前期手续": Stage.PRELIMINARY,
    "前期工作": Stage.PRELIMINARY,
    "开工": Stage.CONSTRUCTION,
    "新开工": Stage.CONSTRUCTION,
    "施工": Stage.CONSTRUCTION,
    "续建": Stage.CONSTRUCTION,
    "完工": Stage.COMPLETED,
    "建成": Stage.COMPLETED,
    "达效": Stage.OPERATING,
    "投产达效": Stage.OPERATING,
    "运营": Stage.OPERATING,
} | {stage.value: stage for stage in Stage}

# Sheets write "已开工", "在建阶段", "前期类"; the core word is what matters.
_STAGE_NOISE = re.compile(r"^已|(阶段|项目|类)$")

CATEGORIES: tuple[str, ...] = ("产业", "基础设施", "民生")

_CATEGORY_ALIASES: dict[str, str] = {
    "产业": "产业",
    "工业": "产业",
    "制造业": "产业",
    "服务业": "产业",
    "基础设施": "基础设施",
    "交通": "基础设施",
    "水利": "基础设施",
    "能源": "基础设施",
    "民生": "民生",
    "社会民生": "民生",
    "社会事业": "民生",
}
# "产业类", "工业项目", "基础设施类项目" all name the same category.
_CATEGORY_SUFFIX = re.compile(r"(类项目|项目|类)$")

BUILD_TYPES: tuple[str, ...] = ("新建", "续建")

_BUILD_TYPE_ALIASES: dict[str, str] = {
    "新建": "新建",
    "新开工": "新建",
    "新建项目": "新建",
    "续建": "续建",
    "续建项目": "续建",
    "续建类": "续建",
    "新建类": "新建",
}


def parse_stage(text: str | None) -> Stage | None:
    """Read a stage label or alias ("开工" -> 在建, "已竣工" -> 竣工); None if unknown or blank."""
    key = squash(text or "")
    if not key:
        return None
    return _STAGE_ALIASES.get(key) or _STAGE_ALIASES.get(_STAGE_NOISE.sub("", key))


def stage_index(stage: Stage) -> int:
    """Position of ``stage`` in STAGE_ORDER (谋划 = 0)."""
    return STAGE_ORDER.index(stage)


def is_forward(old: Stage | None, new: Stage) -> bool:
    """True when moving from ``old`` to ``new`` advances the project.

    Staying put is not a change and going back is not allowed (only admins correct that).
    A project with no stage yet may take any stage.
    """
    return old is None or stage_index(new) > stage_index(old)


def parse_category(text: str | None) -> str | None:
    """Read a category or alias ("工业项目" -> "产业"); None if unknown or blank."""
    key = squash(text or "")
    if not key:
        return None
    return _CATEGORY_ALIASES.get(key) or _CATEGORY_ALIASES.get(_CATEGORY_SUFFIX.sub("", key))


def parse_build_type(text: str | None) -> str | None:
    """Read 新建 / 续建 (also "新开工", "续建项目"); None if unknown or blank."""
    return _BUILD_TYPE_ALIASES.get(squash(text or ""))
