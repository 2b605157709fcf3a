"""Fake progress does not count; suspicious investment figures go to an admin."""

from difflib import SequenceMatcher

import pytest

from domain.fake_progress import (
    INVESTMENT_DOWN,
    INVESTMENT_JUMP,
    MAX_EARLIER,
    OVER_TOTAL,
    investment_flag,
    is_boilerplate,
    is_real_progress,
    is_repeat,
    normalise,
)

YESTERDAY = "1号厂房主体施工，完成桩基120根，钢结构进场"
WAN = 10_000


def test_normalise_drops_spacing_punctuation_and_numbers() -> None:
    assert normalise(" 完成桩基１２０根，钢结构 进场。") == "完成桩基根钢结构进场"
    assert normalise("完成投资五百万元") == "完成投资元"
    assert normalise("Ｃ30 混凝土") == "c混凝土"


@pytest.mark.parametrize(
    "text",
    ["同上", "无", "无。", "正常推进", "按计划推进", "无变化", "继续施工", "项目按计划推进中",
     "各项工作有序推进。", "项目建设稳步推进", "  ", "", "…", "123"],
)  # fmt: skip
def test_boilerplate_is_not_progress(text: str) -> None:
    assert is_boilerplate(text)
    assert not is_real_progress(text, [])


@pytest.mark.parametrize("text", ["已开工", "主体封顶", "正常推进，完成钢结构吊装", "已中标"])
def test_short_real_news_is_progress(text: str) -> None:
    assert not is_boilerplate(text)
    assert is_real_progress(text, [])


def test_exact_repeat_is_not_progress() -> None:
    assert not is_real_progress(YESTERDAY, [YESTERDAY])
    # Same words, different spacing and full-width punctuation: still a repeat.
    assert not is_real_progress("1号厂房 主体施工。完成桩基120根; 钢结构进场!", [YESTERDAY])


def test_near_duplicate_with_a_changed_number_is_not_progress() -> None:
    # Digits are dropped, so 120 -> 135 leaves the text identical.
    assert not is_real_progress("1号厂房主体施工，完成桩基135根，钢结构进场", [YESTERDAY])


def test_near_duplicate_with_a_word_changed_is_not_progress() -> None:
    old = "一号厂房主体结构施工，完成桩基和承台，钢结构构件已进场，正在组织吊装准备"
    new = "一号厂房主体结构施工，完成桩基和承台，钢结构构件全部进场，正在组织吊装准备"
    a, b = normalise(old), normalise(new)
    # 32 vs 33 characters, 31 matched: ratio = 2 * 31 / 65 = 0.954 >= 0.9; 2 new characters.
    assert SequenceMatcher(None, a, b, autojunk=False).ratio() >= 0.9
    assert not is_real_progress(new, [old])


def test_genuinely_new_text_is_progress() -> None:
    assert is_real_progress("2号厂房开始基础开挖，土方完成一半", [YESTERDAY])


def test_copied_text_plus_a_new_sentence_is_progress() -> None:
    long = YESTERDAY * 4  # 68 normalised characters
    # +9 characters: ratio = 2 * 68 / (68 + 77) = 0.938, but 9 >= 6 new characters: news.
    assert is_real_progress(long + "，今日完成屋面板安装", [long])
    # +2 characters: ratio 0.986 and only 2 new: a repeat.
    assert not is_real_progress(long + "，屋面", [long])


def test_only_the_last_ten_texts_are_compared() -> None:
    older = [f"第{k}批设备安装调试，车间{k}完成" for k in range(MAX_EARLIER)]
    earlier = [YESTERDAY, *older]  # YESTERDAY is now the 11th latest
    assert len(earlier) == MAX_EARLIER + 1
    assert not is_repeat(YESTERDAY, earlier)
    assert is_repeat(YESTERDAY, [*earlier[1:], YESTERDAY])


def test_long_texts_are_bounded() -> None:
    long = "厂房钢结构吊装，" * 300  # 2,100 normalised characters
    assert not is_real_progress(long, [long])
    assert is_real_progress("全新的内容：完成设备采购合同签订", [long])


# --- investment flags ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("previous", "new", "flag"),
    [
        (500 * WAN, 600 * WAN, None),  # normal growth
        (500 * WAN, 500 * WAN, None),  # unchanged: not suspicious, just not progress
        (500 * WAN, 450 * WAN, INVESTMENT_DOWN),  # cumulative figures never go down
        (500 * WAN, 5200 * WAN, OVER_TOTAL),  # beyond the 5,000万 total
        (100 * WAN, 1400 * WAN, INVESTMENT_JUMP),  # +1,300万 in one report > 1,200万 year plan
        (None, 1400 * WAN, None),  # first report: nothing to jump from
        (None, 5001 * WAN, OVER_TOTAL),
    ],
)
def test_investment_flag(previous: int | None, new: int, flag: str | None) -> None:
    assert investment_flag(previous, new, 5000 * WAN, 1200 * WAN) == flag


def test_investment_flag_with_unknown_total() -> None:
    assert investment_flag(0, 900 * WAN, 0, 1200 * WAN) is None
