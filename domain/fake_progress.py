"""Fake progress must not pay: repeated or empty reports, and suspicious investment figures.

A report always counts as a report (the liaison did answer); it counts as progress only when
``is_real_progress`` says so. The rule:

1. Normalise: NFKC (full-width to half-width), case-fold, drop whitespace, punctuation and
   every digit, Arabic or Chinese (一, 十, 万 ...). Numbers are the cheapest thing to change
   in a copied report, and real investment is tracked by its own figure, not by the text.
2. Boilerplate: remove stock phrases (同上, 正常推进, 按计划推进, 无变化, 继续施工, 项目, 目前
   ...). Fewer than 3 characters left means the report says nothing.
3. Repeat: compared with each of the project's last 10 texts (normalised the same way), it is
   a repeat when equal, or when difflib's ratio is at least 0.9 and it adds fewer than 6 new
   characters. The second condition keeps "yesterday's text plus today's sentence" as news,
   which a ratio alone would call a repeat once texts are long.
Texts longer than 1,000 normalised characters are compared by their first and last 500, so
the cost of one check is bounded.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from difflib import SequenceMatcher

MAX_EARLIER = 10
"""How many of the project's latest texts a new one is compared with."""
NEAR_DUPLICATE_RATIO = 0.9
MIN_NEW_CHARS = 6
"""A near-duplicate adding at least this many characters (a short sentence) is news."""
MIN_CONTENT_CHARS = 3
"""Fewer characters than this, once boilerplate is removed, says nothing."""
_HALF_SPAN = 500

# \W is everything but letters, digits and underscore; CJK characters are letters.
_NOISE = re.compile(r"[\W\d_〇零一二两三四五六七八九十百千万亿]+")

# Matching patterns, not user-visible text. Multi-character only: a lone 无 or 略 is caught by
# the length rule, and stripping single characters would eat real words (中标, 无人机).
_BOILERPLATE = (
    "同上", "同前", "同昨日", "同昨天", "与昨日相同", "与昨天相同", "与上周相同", "同上周",
    "无变化", "没变化", "没有变化", "无进展", "无新进展", "暂无进展", "暂无", "没有",
    "正常推进", "按计划推进", "按计划进行", "按计划", "有序推进", "稳步推进", "加快推进",
    "持续推进", "全力推进", "积极推进", "推进中", "正在推进", "推进",
    "继续施工", "正常施工", "施工中", "正在施工", "继续", "一切正常", "正常",
    "进行中", "正在进行", "项目建设", "项目", "工程", "建设", "目前", "当前", "现在",
    "今日", "今天", "本日", "本周", "情况", "进展", "进度", "良好", "顺利", "各项工作", "工作",
)  # fmt: skip
_BOILERPLATE_RE = re.compile("|".join(sorted(_BOILERPLATE, key=len, reverse=True)))


def normalise(text: str) -> str:
    """The comparable core of a report: half-width, case-folded, no spaces/punctuation/digits."""
    return _NOISE.sub("", unicodedata.normalize("NFKC", text or "").casefold())


def _bounded(core: str) -> str:
    """At most 1,000 characters: the head and the tail, where copied-and-extended text differs."""
    if len(core) <= 2 * _HALF_SPAN:
        return core
    return core[:_HALF_SPAN] + core[-_HALF_SPAN:]


def is_boilerplate(text: str) -> bool:
    """True when the report says nothing once stock phrases are removed (同上, 正常推进 ...)."""
    return len(_BOILERPLATE_RE.sub("", normalise(text))) < MIN_CONTENT_CHARS


def _repeats(matcher: SequenceMatcher, new: str, old: str) -> bool:
    """``new`` (already set as the matcher's second sequence) nearly repeats ``old``."""
    if new == old:
        return True
    matcher.set_seq1(old)
    # The cheap upper bounds reject most pairs before the quadratic ratio() runs.
    if matcher.real_quick_ratio() < NEAR_DUPLICATE_RATIO:
        return False
    if matcher.quick_ratio() < NEAR_DUPLICATE_RATIO or matcher.ratio() < NEAR_DUPLICATE_RATIO:
        return False
    matched = sum(block.size for block in matcher.get_matching_blocks())
    return len(new) - matched < MIN_NEW_CHARS


def is_repeat(text: str, earlier_texts: Sequence[str]) -> bool:
    """True when ``text`` nearly repeats one of the last 10 ``earlier_texts`` (oldest first)."""
    new = _bounded(normalise(text))
    # autojunk would treat common characters of a 200+ character Chinese text as noise.
    matcher = SequenceMatcher(None, autojunk=False)
    matcher.set_seq2(new)
    recent = earlier_texts[-MAX_EARLIER:]
    return any(_repeats(matcher, new, _bounded(normalise(old))) for old in reversed(recent))


def is_real_progress(text: str, earlier_texts: Sequence[str]) -> bool:
    """Whether a report is new progress: not boilerplate and not a repeat of a recent one."""
    return not is_boilerplate(text) and not is_repeat(text, earlier_texts)


INVESTMENT_DOWN = "investment_down"
OVER_TOTAL = "over_total"
INVESTMENT_JUMP = "investment_jump"


def investment_flag(
    previous_done: int | None, new_done: int, total: int, year_plan: int
) -> str | None:
    """A reason key when a reported figure needs an admin's look, else None.

    All amounts are integer 元; ``previous_done`` and ``new_done`` are this year's cumulative
    investment (``previous_done`` None for the first report). In order of checking:
    "investment_down" when it decreased (cumulative figures never do), "over_total" when this
    year alone exceeds the project's total investment (``total`` 0 = unknown, not checked),
    "investment_jump" when one report adds more than the whole year plan (typically 元 typed
    as 万元, or 万 as 亿).
    """
    if previous_done is not None and new_done < previous_done:
        return INVESTMENT_DOWN
    if total > 0 and new_done > total:
        return OVER_TOTAL
    if previous_done is not None and year_plan > 0 and new_done - previous_done > year_plan:
        return INVESTMENT_JUMP
    return None
