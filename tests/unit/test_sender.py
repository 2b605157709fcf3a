"""The one sender keeps every message within Telegram's limits, cutting at line boundaries."""

from sender import CAPTION_LIMIT, TEXT_LIMIT, _caption_and_rest, shorten, split_text, units


def test_short_text_is_one_part() -> None:
    assert split_text("一行\n两行") == ["一行\n两行"]


def test_long_text_is_cut_at_line_boundaries_and_loses_nothing() -> None:
    lines = [f"第{i}行：" + "进展" * 40 for i in range(200)]
    text = "\n".join(lines)
    parts = split_text(text)
    assert len(parts) > 1
    assert all(units(p) <= TEXT_LIMIT for p in parts)
    assert "\n".join(parts) == text  # every line kept, none cut in the middle
    assert all(p.split("\n")[0].startswith("第") for p in parts)


def test_one_line_longer_than_the_limit_is_cut_hard() -> None:
    text = "长" * (TEXT_LIMIT * 2 + 10)
    parts = split_text(text)
    assert [units(p) for p in parts] == [TEXT_LIMIT, TEXT_LIMIT, 10]
    assert "".join(parts) == text


def test_emoji_count_as_two_and_are_never_split() -> None:
    text = "🚧" * TEXT_LIMIT  # 8,192 UTF-16 units
    parts = split_text(text)
    assert [units(p) for p in parts] == [TEXT_LIMIT, TEXT_LIMIT]
    assert "".join(parts) == text


def test_shorten_ends_with_an_ellipsis_within_the_limit() -> None:
    cut = shorten("板" * 5000)
    assert units(cut) == TEXT_LIMIT and cut.endswith("…")
    assert shorten("短") == "短"


def test_long_caption_keeps_what_fits_and_the_rest_follows() -> None:
    caption = "\n".join(f"单位{i}：" + "名" * 30 for i in range(60))
    head, rest = _caption_and_rest(caption)
    assert units(head) <= CAPTION_LIMIT
    assert head + "\n" + rest == caption
