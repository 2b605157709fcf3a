"""What kind of responsible unit a name is, so rankings compare like with like.

The city ranks 区县 and 开发区 together, 市直部门 apart, 市管国企 apart. Unit names say which:
城关区 / 东川县 / 高新区 / 经开区 / 临港新区 are territories; 住建局 / 卫健委 / 发改委 / 市政府办
are departments; 城投集团 / 交投公司 are state enterprises.
"""

from __future__ import annotations

from domain.text import squash

COUNTY, ZONE, DEPARTMENT, ENTERPRISE = "county", "zone", "department", "enterprise"
_ENTERPRISE = ("集团", "公司", "有限责任", "国企")
_ZONE = ("开发区", "高新区", "经开区", "新区", "园区", "示范区", "试验区", "管委会")
_DEPARTMENT = ("局", "委", "办", "厅", "署", "中心", "委员会", "部", "院", "站", "队", "处")


def unit_kind(name: str) -> str:
    """county | zone | department | enterprise, from the unit's name (county if unsure)."""
    key = squash(name)
    if any(word in key for word in _ENTERPRISE):
        return ENTERPRISE
    if key.endswith(_ZONE) or any(word in key for word in ("开发区", "管委会")):
        return ZONE
    if key.endswith(_DEPARTMENT):
        return DEPARTMENT
    return COUNTY  # 县, 区, 市 ... and anything unrecognised rank with the territories
