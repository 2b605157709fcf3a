"""Unit kinds from names: 区县 and 开发区 rank together, departments and enterprises apart."""

import pytest

from domain.scoring import ScoringConfig
from domain.units import unit_kind


@pytest.mark.parametrize(
    ("name", "kind", "group"),
    [
        ("城关区", "county", "county"),
        ("东川县", "county", "county"),
        ("高新区", "zone", "county"),
        ("经开区", "zone", "county"),
        ("临港新区", "zone", "county"),
        ("市经济技术开发区管委会", "zone", "county"),
        ("住建局", "department", "department"),
        ("卫健委", "department", "department"),
        ("市政府办", "department", "department"),
        ("市政务服务中心", "department", "department"),
        ("城投集团", "enterprise", "enterprise"),
        ("市交通投资有限公司", "enterprise", "enterprise"),
        ("某某", "county", "county"),
    ],
)
def test_kind_and_ranking_group(name: str, kind: str, group: str) -> None:
    assert unit_kind(name) == kind
    assert ScoringConfig().group_of(kind) == group
