"""What the fuzz test types and presses: random but seeded, so a failure replays.

Every generator takes the run's `random.Random`; nothing here reads the clock or the network.
Texts mix the city's own words (codes, units, amounts, button labels) with characters that
break naive code: control and bidi characters, zero-width marks, emoji sequences, formula
starts, markup and very long pastes. Commands carry plausible, mangled or random arguments.
Callback data is at most 64 bytes: random bytes decoded, or a known prefix with random values.
The files it sends are tests.e2e.fuzz_files'.
"""

from __future__ import annotations

import random

COMMANDS = (
    "start", "help", "invite", "invites", "bindgroup", "report", "mine", "fields", "schedule",
    "pushnow", "leave", "rank", "why", "status", "projects", "addproject", "editproject",
    "milestone", "import", "problem", "problems", "export", "people", "remove", "web", "robots",
    "skip", "cancel",
)  # fmt: skip
HEAVY = frozenset({"pushnow", "export", "rank"})  # charts and workbooks: asked for less often

CODES = ("XM-001", "XM-002", "XM-003", "XM-004", "XM-999", "xm-001", "XM-00１", "P-00001")
UNITS = ("城关区", "高新区", "东城区", "市直", "自然资源局", "生态环境局")
NAMES = ("王副市长", "李副市长", "李四", "赵局", "钱科", "路人", "李", "admin")
ROLES = ("联络员", "领导", "部门", "管理员", "liaison", "leader")
FIELDS = ("名称", "单位", "类别", "阶段", "包抓领导", "总投资", "年度计划", "进展", "投资")
STAGES = ("前期", "在建", "竣工", "投产", "储备", "停工")
AMOUNTS = (
    "3000万", "1.2亿", "3千万", "500", "+200", "-5", "0", "0.0001", "1e309", "NaN", "∞",
    "９９９９万", "99999999999999999999亿", "+-1", "12,345", "三千万", "1/0", "-0",
)  # fmt: skip
DATES = (
    "2026-11-25", "11-25", "2026-02-30", "99-99", "0000-00-00", "今天", "明天", "2026-W47",
    "2026-W99", "上周", "本周", "2026-11", "2099-12-31", "1900-01-01", "2026-11-01 2026-11-30",
)  # fmt: skip
LABELS = (
    "无变化", "跳过", "没有", "没有问题", "没有照片", "不附照片", "修改", "返回核对", "取消",
    "放弃", "无", "没有变化", "不变", "略过", "编辑", "1", "2", "0", "-1", "999", "交办",
    "受理", "进展", "退回", "确认导入 4 个", "取消导入", "下一页 ›", "移除",
)  # fmt: skip
# Typed only now and then: each may confirm a report, an import or a removal.
CONFIRM_WORDS = ("确认", "确认提交", "提交", "确定", "确认导入", "导入", "确认销号")
WORDS = (
    "项目", "进展", "投资", "阶段", "主体封顶", "用地", "环评", "资金", "协调", "问题",
    "土方开挖", "桩基施工", "设备安装", "本周", "完成", "设置", "回复", "督办", "例外",
    "休息", "上班", "remind", "board", "digest", "weekly", "monthly", "leaders", "unit",
    "departments", "测试", "照片", "add", "on", "off", "move", "数字", "百分比", "文字",
    "选项:甲/乙", "日期", "必填", "次数=2", "天数=0", "次数=-1", "天数=99999",
)  # fmt: skip
FORMULAS = (
    '=HYPERLINK("http://evil.example/x","点此查看")', "+1+1", "-1+2", "@SUM(A1)", "=1+1",
    "=cmd|' /C calc'!A0", "\t=cmd|' /C calc'!A0", "\r=1", "=", "＝1+1", "=1E+308*10",
)  # fmt: skip
MARKUP = (
    "<b>粗</b>", "<a href='x'>链接</a>", "&amp;", "&", "<", ">", "*粗*", "_斜_", "`码`",
    "```\n块\n```", "[链接](http://x)", "||隐藏||", "\\", "%s", "{name}", "{0}", "{", "}",
)  # fmt: skip
CONTROL = [chr(c) for c in (*range(0x00, 0x20), *range(0x7F, 0xA0))]
INVISIBLE = list(
    "\u200b\u200c\u200d\u2060\ufeff\u180e\u00ad\u200e\u200f\u061c\u2028\u2029\ufffe\uffff"
)
BIDI = list("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
EMOJI = (
    "😀", "👍🏽", "👨‍👩‍👧‍👦", "🏳️‍🌈", "🇨🇳", "❤️", "🔥", "1️⃣", "✅", "❌", "🐉", "🧧",
    "\U0001f600" * 3, "👩🏻‍💻",
)  # fmt: skip
ODD = (
    "ﬀ", "①", "Ⅻ", "㊙", "ｱ", "Ａ", "e\u0301", "\u0301", "עברית", "العربية", "\ufffd", "\u3000",
    "〇", "\U00020000", "\U0010ffff", "\x00", "'", '"', ";", "--",
    "' OR 1=1 --", "../../etc/passwd", "%00", "\\x00",
)  # fmt: skip
SEPARATORS = (" ", "", "\n", "，", "\u3000", "\t", "  ", "\r\n", "、", ":", "|")
# Every prefix the bot's buttons use (callback_data.py), and the words their values take.
PREFIXES = ("rn", "sz", "inv", "sch", "imp", "r", "pr", "pb", "pa", "ppg", "prm", "prc")
VALUE_WORDS = (
    "pick", "confirm", "category", "photo", "department", "deadline", "keep", "opt", "ok",
    "edit", "back", "cancel", "redo", "none", "rv", "tg", "no", "as", "assign", "accept",
    "note", "resolve", "reject", "remind", "board", "text", "invest", "stage", "problem",
    "rliaison", "radmin", "u1", "用地", "",
)  # fmt: skip


def pick_cjk(rng: random.Random) -> str:
    return chr(rng.randint(0x4E00, 0x9FFF))


def noise(rng: random.Random, length: int) -> str:
    """`length` characters drawn from every awkward kind at once."""
    pools = (CONTROL, INVISIBLE, BIDI, EMOJI, ODD, MARKUP)
    out = []
    for _ in range(length):
        roll = rng.random()
        if roll < 0.35:
            out.append(pick_cjk(rng))
        elif roll < 0.5:
            out.append(chr(rng.randint(0x20, 0x7E)))
        elif roll < 0.55:  # anything but a lone surrogate (Telegram sends only valid UTF-8)
            out.append(chr(rng.choice((rng.randint(0xA0, 0xD7FF), rng.randint(0xE000, 0x2FFFF)))))
        else:
            out.append(rng.choice(rng.choice(pools)))
    return "".join(out)


def token(rng: random.Random) -> str:
    """One word, amount, date, code, name or a bit of noise."""
    roll = rng.random()
    if roll < 0.85:
        pool = rng.choice(
            (CODES, UNITS, NAMES, ROLES, FIELDS, STAGES, AMOUNTS, DATES, LABELS, WORDS, FORMULAS)
        )
        return rng.choice(pool)
    if roll < 0.93:
        return str(rng.choice((rng.randint(-5, 50), rng.randint(0, 10**12), 2**63, 10**30)))
    return noise(rng, rng.randint(1, 12))


def words(rng: random.Random, n: int) -> str:
    sep = rng.choice(SEPARATORS)
    return sep.join(token(rng) for _ in range(n))


def text(rng: random.Random, *, long: bool = False, confirm_rate: float = 0.01) -> str:
    """A random message text (under Telegram's 4,096 characters); only when `long` may it be
    over half that, which the bot holds for a second as the first part of a paste."""
    roll = rng.random()
    if roll < confirm_rate:
        return rng.choice(CONFIRM_WORDS)
    if roll < 0.25:
        return rng.choice(LABELS)
    if roll < 0.5:
        return words(rng, rng.randint(1, 8))
    if roll < 0.65:
        return noise(rng, rng.randint(1, 200))
    if roll < 0.72:
        return rng.choice(FORMULAS) + words(rng, rng.randint(0, 3))
    if roll < 0.78:
        return "".join(rng.choice(MARKUP) for _ in range(rng.randint(1, 6)))
    if roll < 0.84:
        return "".join(rng.choice(EMOJI) for _ in range(rng.randint(1, 20)))
    if roll < 0.9:  # a paragraph as people write them
        return "\n".join(words(rng, rng.randint(3, 12)) for _ in range(rng.randint(2, 20)))
    if roll < 0.95:  # near a limit, where counting in UTF-16 units matters
        unit = rng.choice(("甲", "😀", "a", "e\u0301"))
        size = rng.randint(2049, 4096) if long else rng.randint(1000, 2048)
        return unit * (size // (len(unit.encode("utf-16-le")) // 2))
    return rng.choice(("", " ", "\n", "\u200b", "\u3000", "\x00", "/", "//", "/ ", "\ufeff"))


def caption(rng: random.Random) -> str:
    """A file's caption: Telegram takes at most 1,024 characters."""
    said = text(rng)
    while len(said.encode("utf-16-le")) // 2 > 1024:
        said = said[: len(said) // 2]
    return said


def long_text(rng: random.Random) -> str:
    """A paste over 4,096 UTF-16 units and under 6,000: a client sends it as 2 or 3 parts."""
    if rng.random() < 0.5:
        text = "\n".join(words(rng, rng.randint(5, 30)) for _ in range(rng.randint(60, 250)))
    else:
        text = noise(rng, 6000)
    size = rng.randint(4097, 6000)
    while len(text.encode("utf-16-le")) // 2 > size:
        text = text[: len(text) - max(1, (len(text.encode("utf-16-le")) // 2 - size) // 2)]
    return text if len(text.encode("utf-16-le")) // 2 > 4096 else text + "甲" * 4097


# Arguments each command takes when typed as the help says (with a few near misses); the
# fuzz uses them often, so the commands run past their usage checks into the services.
PLAUSIBLE: dict[str, tuple[str, ...]] = {
    "invite": ("联络员 城关区", "联络员 XM-001", "领导 王副市长", "部门 自然资源局", "管理员",
               "联络员 XM-002 次数=3 天数=1", "部门 =1+1", "联络员 不存在的区", "领导"),
    "bindgroup": ("leaders", "unit 城关区", "departments", "领导", "单位 高新区", "unit 不存在"),
    "report": CODES,
    "fields": ("", "add 用工人数 数字 人 必填", "add =X 文字", "off 用工人数", "on 用工人数",
               "move 用工人数 1", "add 完成率 百分比", "add 类型 选项:甲/乙/丙", "add 开工日 日期",
               "move 进展 99", "off 进展"),
    "schedule": ("", "第一次提醒 16:30", "日报 关", "看板 开", "连续 5", "连续 0",
                 "例外 2026-12-31 休息", "例外 2026-11-24 上班", "例外 2026-12-31 取消 元旦",
                 "第二次提醒 25:99", "周报 关"),
    "pushnow": ("remind", "board", "digest", "weekly", "monthly"),
    "leave": ("11-25 11-27", "李四 11-25 11-27", "2026-11-25", "11-27 11-25", "张三 明天"),
    "rank": ("上周", "本周", "2026-W47", "2026-W99", "2026-W00", "1999-W01"),
    "why": ("XM-001", "XM-002 上周", "城关区", "高新区 2026-W47", "XM-999"),
    "status": ("XM-001", "XM-003 本周", "城关区", "高新区 上周", "XM-004 2026-W48"),
    "projects": ("", "城关区", "高新区"),
    "addproject": ("XM-901 城东新厂 城关区 产业 前期 2.5亿 8000万 王副市长",
                   "XM-902 =HYPERLINK(1) 高新区 产业 在建 1亿 1亿",
                   "XM-001 重复 城关区 产业 前期 1 1", "XM-903 缺 城关区"),
    "editproject": ("XM-001 阶段 竣工", "XM-002 包抓领导 李副市长", "XM-003 名称 =1+1",
                    "XM-004 总投资 -5", "XM-001 年度计划 99999999亿", "XM-002 单位 高新区",
                    "XM-999 阶段 在建", "XM-003 不存在 1"),
    "milestone": ("XM-001 主体封顶 2026-12-30", "XM-002 开工 2026-02-30", "XM-003 =A1 12-01",
                  "XM-999 节点 2027-01-01", "XM-004 竣工验收 2026-11-01"),
    "problem": CODES,
    "problems": ("", "设置 用地 30", "设置 回复 3", "设置 督办 0", "设置 资金 999", "设置"),
    "export": ("", "2026-11", "2026-11-01 2026-11-30", "2025-01-01 2026-12-31", "2026-13"),
    "people": ("", "联络员", "城关区", "领导", "部门", "管理员", "不存在"),
    "remove": ("李四", "王副市长", "赵局", "路人", "2002", "3001", "4001", "9999", "1001"),
    "robots": ("", "测试 x", "测试"),
}  # fmt: skip


def command(rng: random.Random, bot_username: str, *, heavy_rate: float = 0.15,
            problems: list[int] | None = None) -> str:  # fmt: skip
    """A command the bot has (or a made-up one) with plausible, mangled or random arguments;
    `problems` are ids the bot named, for /p<id>."""
    roll = rng.random()
    if roll < 0.08:
        digits = rng.choice(
            (str(rng.randint(0, 40)), str(rng.randint(0, 10**9)), "9" * 10, "０１", "٣", "-1", "")
        )
        if problems and rng.random() < 0.6:
            digits = str(rng.choice(problems))
        return f"/{rng.choice(('p', 'P', 'p', 'p'))}{digits}" + rng.choice(("", "", " x"))
    if roll < 0.11:
        return "/" + rng.choice(("xyz", "报告", "report_", "p_1", "a" * 40, "start@other_bot"))
    name = rng.choice(COMMANDS)
    while name in HEAVY and rng.random() > heavy_rate:
        name = rng.choice(COMMANDS)
    head = "/" + name + (f"@{bot_username}" if rng.random() < 0.1 else "")
    if rng.random() < 0.03:
        head = head.upper()
    roll = rng.random()
    if roll < 0.55 and name in PLAUSIBLE:
        args = _mangled(rng, rng.choice(PLAUSIBLE[name]))
    elif roll < 0.8:
        args = words(rng, rng.randint(1, 6))
    else:
        args = ""
    sep = rng.choice((" ", " ", "\u3000", "\n", "  "))
    return f"{head}{sep}{args}" if args else head


def _mangled(rng: random.Random, args: str) -> str:
    """Mostly as written; sometimes one word replaced by a random token or noise."""
    parts = args.split()
    if parts and rng.random() < 0.3:
        parts[rng.randrange(len(parts))] = token(rng)
    return rng.choice((" ", " ", "\u3000")).join(parts)


def callback_data(rng: random.Random, nonces: list[str]) -> str:
    """Data a forged or buggy client could send: at most 64 bytes, never empty."""
    if rng.random() < 0.3:
        raw = rng.randbytes(rng.randint(1, 64)).decode("utf-8", "ignore")
        return raw or "x"
    parts = [rng.choice(PREFIXES)]
    for _ in range(rng.randint(0, 5)):
        roll = rng.random()
        if roll < 0.3:
            parts.append(str(rng.choice((0, 1, 2, 3, 7, 10**9, 2**53, 2**53 + 1, 2**64, -1))))
        elif roll < 0.55:
            parts.append(rng.choice(VALUE_WORDS))
        elif roll < 0.7 and nonces:
            parts.append(rng.choice(nonces))
        elif roll < 0.8:
            parts.append(rng.choice(("20261124", "99991231", "20260230", "00000000", "2026112")))
        else:
            parts.append(noise(rng, rng.randint(0, 4)))
    data = ":".join(parts)
    while len(data.encode()) > 64:
        data = data[:-1]
    return data or "x"
