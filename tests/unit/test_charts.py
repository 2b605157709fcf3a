"""Charts: valid phone-width PNGs at every size, every Chinese glyph drawn, names shortened."""

from __future__ import annotations

import asyncio
import io
import itertools
import os
import subprocess
import sys
import warnings
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from matplotlib import font_manager
from matplotlib.colors import to_rgb
from PIL import Image

from charts import (
    BulletinBar,
    ChartText,
    CJKFontMissingError,
    ProjectBar,
    UnitBar,
    board,
    bulletin,
    bulletin_png,
    cjk_font_path,
    display_width,
    fonts,
    missing_chars,
    project_board_png,
    ranking,
    shorten,
    unit_ranking_png,
)
from charts._page import Gap, elide, fit, ranks

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
ROOT = Path(__file__).resolve().parents[2]

# The words a caller fills from the catalog; every one is drawn somewhere below.
TEXT = ChartText(
    title="重点项目责任单位周排名（第11周）",
    subtitle="2025年3月10日—3月14日",
    as_of="数据截至 2025-03-14 17:00",
    empty="本期暂无数据",
    more="… 另有 {n} 个",
    name_label="责任单位",
    score_label="综合得分",
    change_label="较上周",
    new="新",
    red_flag="红旗",
    yellow_flag="黄旗",
    top_label="龙榜 · 前10名",
    bottom_label="虎榜 · 后10名",
    status_green="正常推进",
    status_yellow="进度滞后",
    status_red="严重滞后",
    plan_line="序时进度",
    ahead="达到序时",
    behind="滞后序时",
    no_data="未报送",
)
UNITS = [
    "城关区",
    "经济技术开发区管委会",
    "高新技术产业开发区",
    "市交通运输局",
    "市住房和城乡建设局",
    "临港新区",
    "东城县",
    "市城市投资发展集团有限公司",
]
PROJECTS = [
    "城南片区污水处理厂及配套管网工程",
    "年产10万吨新型环保材料生产线建设项目",
    "市第一人民医院新院区",
    "G312国道改线工程（城关至临港段）",
    "智能装备产业园一期",
]


def unit_rows(n: int) -> list[UnitBar]:
    changes = [3, -1, 0, None, 12, -5]
    return [
        UnitBar(
            name=f"{UNITS[i % len(UNITS)]}{i // len(UNITS) or ''}",
            score=100 - i * 70 / max(n, 1),
            change=changes[i % len(changes)],
            flag="red" if i < 3 else "yellow" if i >= n - 3 else None,
        )
        for i in range(n)
    ]


def project_rows(n: int, first: int) -> list[ProjectBar]:
    lights = ("green", "yellow", "red")
    return [
        ProjectBar(
            rank=first + i,
            name=PROJECTS[i % len(PROJECTS)],
            unit=UNITS[i % len(UNITS)],
            score=95 - (first + i) * 0.3,
            status=lights[i % 3],
        )
        for i in range(n)
    ]


def bulletin_rows(n: int) -> list[BulletinBar]:
    return [
        BulletinBar(
            f"{UNITS[i % len(UNITS)]}{i}", None if i % 11 == 5 else [3.4, 1.0, 0.997, 0.4][i % 4]
        )
        for i in range(n)
    ]


CHARTS: dict[str, Callable[[int], bytes]] = {
    "ranking": lambda n: unit_ranking_png(unit_rows(n), TEXT),
    "board": lambda n: project_board_png(project_rows(n, 1), project_rows(n, 251 - n), TEXT),
    "bulletin": lambda n: bulletin_png(bulletin_rows(n), TEXT),
}


def render(chart: str, n: int) -> bytes:
    """Render with every warning an error: matplotlib only *warns* "Glyph … missing"."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        return CHARTS[chart](n)


def png_size(png: bytes) -> tuple[int, int]:
    assert png.startswith(PNG_SIGNATURE)
    with Image.open(io.BytesIO(png)) as image:
        assert image.format == "PNG"
        image.verify()
        return image.size


@pytest.mark.parametrize("n", [0, 10, 60, 250])
@pytest.mark.parametrize("chart", sorted(CHARTS))
def test_chart_is_a_phone_width_png(chart: str, n: int) -> None:
    width, height = png_size(render(chart, n))
    assert width == 1080
    # Telegram shrinks photos beyond 2560 px on the long side, text and all.
    assert 400 < height <= 2560


@pytest.mark.parametrize("chart", sorted(CHARTS))
def test_many_rows_grow_the_page_up_to_a_cap(chart: str) -> None:
    heights = [png_size(render(chart, n))[1] for n in (0, 10, 60, 250)]
    assert heights[0] < heights[1] < heights[2]
    assert heights[3] == heights[2]  # 250 rows are cut to the same rows as 60, plus a gap


def test_a_missing_glyph_fails_the_render() -> None:
    # The guard the tests above rely on: a character the font lacks raises, not just warns.
    assert missing_chars("🚩") == "🚩"
    with warnings.catch_warnings(), pytest.raises(UserWarning, match="missing from font"):
        warnings.simplefilter("error")
        unit_ranking_png(unit_rows(3), ChartText(title="🚩 重点项目"))


def test_chosen_font_covers_every_word_drawn() -> None:
    words = [
        *(str(value) for value in vars(TEXT).values()),
        *UNITS,
        *PROJECTS,
        "▲▼–…%0123456789",
    ]
    assert missing_chars("".join(words)) == ""


def test_chosen_font_is_a_chinese_font() -> None:
    font = cjk_font_path()
    assert Path(font.path).is_file()
    assert missing_chars(fonts.PROBE, font) == ""


def test_no_chinese_font_names_the_package_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(fonts, "_registered", lambda: iter(()))
    monkeypatch.setattr(fonts, "_unregistered", lambda: iter(()))
    fonts.cjk_font_path.cache_clear()
    try:
        with pytest.raises(CJKFontMissingError, match=fonts.APT_PACKAGE):
            fonts.cjk_font_path()
    finally:
        fonts.cjk_font_path.cache_clear()


def test_font_installed_after_matplotlib_cached_its_list_is_found(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # scripts/setup may install the font after matplotlib wrote its font cache.
    font = fonts.cjk_font_path()
    stale = [e for e in font_manager.fontManager.ttflist if e.fname != font.path]
    monkeypatch.setattr(font_manager.fontManager, "ttflist", stale)
    fonts.cjk_font_path.cache_clear()
    try:
        assert fonts.cjk_font_path().path == font.path
    finally:
        fonts.cjk_font_path.cache_clear()


def test_last_resort_boxes_are_not_chinese() -> None:
    # matplotlib's LastResort font "has" every character, as the same placeholder box.
    last_resort = [
        fonts.FontPath(e.fname, e.index)
        for e in font_manager.fontManager.ttflist
        if "LastResort" in e.fname
    ]
    assert last_resort
    assert not any(fonts._draws_chinese(font) for font in last_resort)


def test_preferred_family_wins_over_any_font_that_draws_chinese() -> None:
    font = fonts.cjk_font_path()
    other = fonts.FontPath("/nonexistent/other.ttf", 0)
    preferred = fonts.PREFERRED_FAMILIES[0]
    # An unreadable file is skipped rather than crashing the search.
    assert fonts._choose([("Other", other), (preferred, font)]) == font
    assert fonts._choose([("Other", other)]) is None


def test_ranking_does_not_depend_on_row_order() -> None:
    rows = unit_rows(12)
    assert unit_ranking_png(rows, TEXT) == unit_ranking_png(rows[::-1], TEXT)


def test_charts_never_load_pyplot() -> None:
    # pyplot keeps global figure state; a server rendering from threads must not use it.
    code = (
        "import sys, charts\n"
        "charts.unit_ranking_png([charts.UnitBar('a', 1.0, 0)], charts.ChartText(title='t'))\n"
        "assert 'matplotlib.pyplot' not in sys.modules\n"
    )
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True, timeout=60)


async def test_charts_render_side_by_side_in_threads() -> None:
    # How handlers call them: off the event loop, possibly several at once.
    pngs = await asyncio.gather(*(asyncio.to_thread(CHARTS[c], 10) for c in sorted(CHARTS)))
    assert all(png.startswith(PNG_SIGNATURE) for png in pngs)


def test_flags_and_lights_differ_in_greyscale() -> None:
    def grey(color: str) -> float:
        # ITU-R 601 luma, as PIL's convert("L") and a greyscale printer see the colour.
        red, green, blue = to_rgb(color)
        return 0.299 * red + 0.587 * green + 0.114 * blue

    def spread(colors: list[str]) -> float:
        return min(b - a for a, b in itertools.pairwise(sorted(map(grey, colors))))

    flags = [ranking.PLAIN["color"], *(style["color"] for style in ranking.BAR_STYLE.values())]
    lights = [color for _, color in board.STATUS_STYLE.values()]
    assert spread(flags) >= 0.1
    assert spread(lights) >= 0.1
    assert spread([bulletin.AHEAD["color"], bulletin.BEHIND["color"]]) >= 0.1
    # …and not by colour alone: the flagged bars are hatched, the lights differ in shape.
    assert all(style["hatch"] for style in ranking.BAR_STYLE.values())
    assert len({marker for marker, _ in board.STATUS_STYLE.values()}) == 3


def test_invalid_flag_or_status_is_refused() -> None:
    with pytest.raises(ValueError, match="flag"):
        UnitBar("城关区", 1.0, 0, flag="green")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="status"):
        ProjectBar(1, "项目", "城关区", 1.0, status="blue")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (2, ("▲", "2", ranking.UP)),
        (-1, ("▼", "1", ranking.DOWN)),
        (0, ("", "–", ranking.MUTED)),
        (None, ("", "新", ranking.NEW)),
    ],
)
def test_change_mark(change: int | None, expected: tuple[str, str, str]) -> None:
    assert ranking.change_mark(change, TEXT) == expected


@pytest.mark.parametrize(
    ("ratio", "expected"),
    [(1.0, "100%"), (0.997, "99%"), (0.29, "29%"), (3.4, "340%"), (0.0, "0%"), (-0.1, "-10%")],
)
def test_percent_rounds_down(ratio: float, expected: str) -> None:
    assert bulletin.percent(ratio) == expected


# --- shorten -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "width"),
    [("城关区", 6), ("abc", 3), ("", 0), ("临港新区", 20)],
)
def test_shorten_leaves_what_fits(text: str, width: int) -> None:
    assert shorten(text, width) == text


@pytest.mark.parametrize(
    ("text", "width", "expected"),
    [
        ("经济技术开发区管委会", 12, "经济…管委会"),
        ("年产10万吨新型环保材料生产线建设项目", 20, "年产10万…线建设项目"),
        ("ABCDEFGHIJ", 7, "ABC…IJ"),
        ("ABCDEFGHIJ", 9, "ABCD…HIJ"),
        ("市城市投资发展集团有限公司", 9, "市城…司"),
        ("abcd", 3, "a…"),
        ("abc", 2, "…"),
        ("abc", 1, ""),
    ],
)
def test_shorten_keeps_start_and_end(text: str, width: int, expected: str) -> None:
    assert shorten(text, width) == expected


@pytest.mark.parametrize("width", range(1, 40))
def test_shorten_never_exceeds_width(width: int) -> None:
    for name in [*PROJECTS, *UNITS]:
        short = shorten(name, width)
        # The ellipsis is drawn a full em wide: two columns, not the one Unicode gives it.
        assert display_width(short) + short.count("…") <= width
        if short != name and width >= 2:  # below 2 columns not even the ellipsis fits
            assert short.count("…") == 1
            head, tail = short.split("…")
            assert name.startswith(head) and name.endswith(tail)


def test_display_width_counts_chinese_as_two() -> None:
    assert display_width("城关区") == 6
    assert display_width("G312国道") == 8
    assert display_width("（第11周）") == 10  # full-width brackets are wide too
    assert display_width("e\u0301") == 1  # a combining accent takes no column


# --- layout helpers ------------------------------------------------------------------------


def test_elide_keeps_both_ends_with_one_gap() -> None:
    rows = list(range(250))
    shown = elide(rows, 60)
    assert len(shown) == 60
    gaps = [item for item in shown if isinstance(item, Gap)]
    assert gaps == [Gap(191)]
    assert shown[0] == 0 and shown[-1] == 249
    assert elide(rows[:60], 60) == rows[:60]


def test_elide_head_and_tail() -> None:
    rows = list(range(20))
    assert elide(rows, 5, keep="head") == [0, 1, 2, 3, Gap(16)]
    assert elide(rows, 5, keep="tail") == [Gap(16), 16, 17, 18, 19]


@pytest.mark.parametrize("size", [19.0, 11.0])
def test_fit_shrinks_then_shortens(size: float) -> None:
    assert fit("城关区周排名", 6.6, size) == ("城关区周排名", size)
    for words in ("重点项目" * 12, "重点项目" * 30):
        fitted, smaller = fit(words, 6.6, size)
        assert size * 0.7 <= smaller < size
        assert display_width(fitted) * smaller / 144 <= 6.6


def test_ties_share_a_place() -> None:
    assert ranks([90, 80, 80, 70, 70, 70, 60]) == [1, 2, 2, 4, 4, 4, 7]
    assert ranks([]) == []


@pytest.fixture(scope="module", autouse=True)
def preview() -> Iterator[None]:
    """With CHARTS_PREVIEW=dir, write every chart there to look at (a manual aid)."""
    yield
    out = os.environ.get("CHARTS_PREVIEW")
    if out:
        Path(out).mkdir(parents=True, exist_ok=True)
        for chart, draw in CHARTS.items():
            for n in (0, 10, 60, 250):
                (Path(out) / f"{chart}-{n}.png").write_bytes(draw(n))
