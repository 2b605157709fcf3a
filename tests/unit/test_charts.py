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
from matplotlib.text import Text
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
from charts._page import Gap, Page, elide, fit, ranks
from charts.board import board_page
from charts.bulletin import bulletin_page
from charts.ranking import unit_ranking_page
from charts.text import wrap

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
    status_unreported="未上报",
    plan_line="时间进度 83.3%",
    ahead="达到时间进度",
    behind="落后时间进度",
    no_data="无年度计划",
    done_label="完成投资\n（亿元）",
    share_label="占年度计划",
    gap_label="较时间进度\n（百分点）",
    starts_label="开工\n实际/计划",
    footer="得分为0–100分：100分表示各项适用指标均达到目标（投资达到序时进度，应开工的已开工，"
    "节点、问题按期完成，每个工作日都有实质进展）。",
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
    lights = ("green", "yellow", "red", "unreported")
    return [
        ProjectBar(
            rank=first + i,
            name=PROJECTS[i % len(PROJECTS)],
            unit=UNITS[i % len(UNITS)],
            score=95 - (first + i) * 0.3,
            status=lights[i % 4],
        )
        for i in range(n)
    ]


def bulletin_rows(n: int) -> list[BulletinBar]:
    rows = []
    for i in range(n):
        # Far ahead (clipped), exactly at 时间进度, just behind, far behind, nothing; no plan.
        share = None if i % 11 == 5 else [340.0, 83.3, 83.2, 40.0, 0.0][i % 5]
        gap = None if share is None else round(share - 83.3, 1)
        rows.append(BulletinBar(f"{UNITS[i % len(UNITS)]}{i}", [1234.5, 5.0, 0.0, 12.3][i % 4],
                                share, gap, i % 4, i % 4 + i % 3))  # fmt: skip
    return rows


CITY = BulletinBar("全市", 1234.5, 85.2, 1.9, 30, 41)
CHARTS: dict[str, Callable[[int], bytes]] = {
    "ranking": lambda n: unit_ranking_png(unit_rows(n), TEXT),
    "board": lambda n: project_board_png(project_rows(n, 1), project_rows(n, 251 - n), TEXT),
    "bulletin": lambda n: bulletin_png(bulletin_rows(n), TEXT, 10 / 12, CITY),
}


def drawn(page: Page) -> list[str]:
    """Every piece of text on a page, as drawn."""
    return [t.get_text() for t in page.fig.findobj(Text) if t.get_text()]


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
    assert spread(lights) >= 0.1  # 未上报 too: unknown never passes for green, even in grey
    assert spread([bulletin.AHEAD["color"], bulletin.BEHIND["color"]]) >= 0.1
    # …and not by colour alone: the flagged bars are hatched, the lights differ in shape.
    assert all(style["hatch"] for style in ranking.BAR_STYLE.values())
    assert len({marker for marker, _ in board.STATUS_STYLE.values()}) == 4


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
    ("points", "expected"), [(1.9, "+1.9"), (-3.4, "-3.4"), (0.0, "0.0"), (-0.04, "0.0")]
)
def test_gap_has_its_sign(points: float, expected: str) -> None:
    assert bulletin.signed(points) == expected


# --- what each chart shows -------------------------------------------------------------------


def test_one_project_draws_no_empty_bottom_list() -> None:
    (only,) = project_rows(1, 1)
    words = drawn(board_page([only], [], TEXT))
    assert TEXT.top_label in words and only.name in words
    assert TEXT.bottom_label not in words and TEXT.empty not in words
    words = drawn(board_page([], [only], TEXT))  # a lone project at 0 is a bottom list alone
    assert TEXT.bottom_label in words and TEXT.top_label not in words
    assert TEXT.empty not in words


def test_unreported_has_its_own_mark_and_legend_entry() -> None:
    rows = [ProjectBar(1, "甲项目", "城关区", 50.0, "green"),
            ProjectBar(2, "乙项目", "城关区", 0.0, "unreported")]  # fmt: skip
    page = board_page(rows, [], TEXT)
    assert TEXT.status_unreported in drawn(page)
    axes = page.fig.axes[0]
    marks = {c.get_offsets()[0][1]: c for c in axes.collections if c.get_offsets().size}
    green, unknown = marks[0.0], marks[1.0]  # rows 0 and 1
    assert to_rgb(unknown.get_facecolor()[0]) == to_rgb(board.STATUS_STYLE["unreported"][1])
    assert to_rgb(unknown.get_facecolor()[0]) != to_rgb(green.get_facecolor()[0])
    assert unknown.get_paths()[0] != green.get_paths()[0]


def test_footer_is_drawn_whole_and_grows_the_page() -> None:
    plain = ChartText(title="周排名")
    with_note = ChartText(title="周排名", footer=TEXT.footer)
    assert Page(with_note, 1.0).height > Page(plain, 1.0).height
    assert "".join(drawn(Page(with_note, 1.0))).endswith(TEXT.footer)


def test_bulletin_shows_the_city_first_and_every_figure_as_given() -> None:
    rows = [BulletinBar("东城区", 3.2, 40.0, -43.3, 1, 2), BulletinBar("西城区", 0.0, None, None),
            BulletinBar("城关区", 12.3, 95.0, 11.7, 3, 3)]  # fmt: skip
    words = drawn(bulletin_page(rows, TEXT, 10 / 12, CITY))
    names = [w for w in words if w in ("全市", "城关区", "东城区", "西城区")]
    assert names == ["全市", "城关区", "东城区", "西城区"]  # city, by share, no plan last
    for figure in ("1234.5", "85.2%", "+1.9", "30/41", "12.3", "95.0%", "+11.7", "3/3", "3.2",
                   "40.0%", "-43.3", "1/2", TEXT.no_data):  # fmt: skip
        assert figure in words
    assert "1" in words and "2" in words  # places of the units with a plan


def test_wrap_breaks_at_line_ends_and_keeps_punctuation() -> None:
    assert wrap("较时间进度\n（百分点）", 20) == ["较时间进度", "（百分点）"]
    assert wrap("甲乙丙丁", 4) == ["甲乙", "丙丁"]
    assert wrap("甲乙，丙丁", 4) == ["甲乙，", "丙丁"]  # no line starts with a comma
    lines = wrap(TEXT.footer, 40)
    assert "".join(lines) == TEXT.footer
    assert all(display_width(line) <= 42 for line in lines)


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


def test_unit_ranking_shows_the_places_it_is_given() -> None:
    rows = [UnitBar("甲区", 50.0, 0, "red", 1), UnitBar("乙区", 0.0, 0, None, 2),
            UnitBar("丙区", 0.0, 0, None, 2)]  # fmt: skip
    words = drawn(unit_ranking_page(rows, TEXT))
    assert words.count("2") == 2 and "3" not in words
    # Without places, ties share one by score.
    words = drawn(unit_ranking_page([UnitBar("甲区", 1.0, 0), UnitBar("乙区", 1.0, 0)], TEXT))
    assert words.count("1") == 2
