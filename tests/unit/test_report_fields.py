"""Report fields admins add: what a definition may be, what an answer may be, how it shows."""

from datetime import date
from decimal import Decimal

import pytest

from domain import report_fields as rf
from domain.money import AmountError, parse_amount
from domain.report_fields import FieldSpec, Refusal, ReportField
from messages import t

TODAY = date(2026, 11, 23)


def field(kind: str, unit: str = "", choices: tuple[str, ...] = ()) -> ReportField:
    return ReportField(id=7, builtin=None, name="字段", kind=kind, unit=unit, choices=choices)


@pytest.mark.parametrize(
    ("args", "spec"),
    [
        (["用工人数", "数字", "人", "必填"], FieldSpec("用工人数", rf.NUMBER, "人", (), True)),
        (["形象进度", "百分比"], FieldSpec("形象进度", rf.PERCENT)),
        (["当日完成产值", "number", "万元"], FieldSpec("当日完成产值", rf.NUMBER, "万元")),
        (["备注", "文字"], FieldSpec("备注", rf.TEXT)),
        (["是否停工", "选项:是/否", "必填"],
         FieldSpec("是否停工", rf.CHOICE, "", ("是", "否"), True)),
        (["天气", "选项：晴／雨／阴"], FieldSpec("天气", rf.CHOICE, "", ("晴", "雨", "阴"))),
        (["预计复工", "日期"], FieldSpec("预计复工", rf.DATE)),
        (["预计复工", "DATE", "required"], FieldSpec("预计复工", rf.DATE, required=True)),
    ],
)  # fmt: skip
def test_field_definitions(args: list[str], spec: FieldSpec) -> None:
    assert rf.parse_spec(args) == spec


@pytest.mark.parametrize(
    ("args", "code"),
    [
        (["用工人数"], "add_usage"),
        (["用工人数", "颜色"], "bad_kind"),
        (["名/称", "文字"], "bad_name"),
        (["这个名称实在是太长了超过十二个字", "文字"], "bad_name"),
        (["/start", "文字"], "bad_name"),
        (["=SUM(A1)", "数字"], "bad_name"),
        (["@人数", "数字"], "bad_name"),
        (["是否停工", "选项:是"], "bad_choices"),
        (["是否停工", "选项:是/是"], "bad_choices"),
        (["是否停工", "选项"], "bad_choices"),
        (["形象进度", "百分比", "%"], "bad_unit"),
        (["用工人数", "数字", "人", "个"], "bad_unit"),
        (["备注", "文字:长"], "bad_kind"),
    ],
)  # fmt: skip
def test_bad_definitions_say_why(args: list[str], code: str) -> None:
    refused = rf.parse_spec(args)
    assert isinstance(refused, Refusal) and refused.code == code
    assert t(f"fields.refuse_{code}", **refused.params)  # the catalog words every code


@pytest.mark.parametrize(
    ("text", "value"),
    [("35", "35"), ("35人", "35"), ("３５ 人", "35"), ("1,200", "1200"), ("12.50", "12.5"),
     ("0", "0"), ("007", "7")],
)  # fmt: skip
def test_numbers(text: str, value: str) -> None:
    assert rf.parse_value(field(rf.NUMBER, "人"), text, TODAY) == value


@pytest.mark.parametrize(
    ("text", "code"),
    [("abc", "number_bad"), ("-5", "number_negative"), ("负5", "number_negative"),
     ("35个", "number_bad"), ("1e5", "number_bad"), ("9" * 14, "number_too_big"),
     ("", "number_bad")],
)  # fmt: skip
def test_bad_numbers(text: str, code: str) -> None:
    refused = rf.parse_value(field(rf.NUMBER, "人"), text, TODAY)
    assert refused == Refusal(code, {"unit": "人"})


@pytest.mark.parametrize(
    ("text", "value"),
    [("45", "45"), ("45%", "45"), ("４５％", "45"), ("百分之62.5", "62.5"), ("100", "100"),
     ("0", "0")],
)  # fmt: skip
def test_percents(text: str, value: str) -> None:
    assert rf.parse_value(field(rf.PERCENT), text, TODAY) == value


@pytest.mark.parametrize(
    ("text", "code"),
    [("150", "percent_range"), ("100.5", "percent_range"), ("-1", "percent_range"),
     ("abc", "percent_bad"), ("一半", "percent_bad")],
)  # fmt: skip
def test_bad_percents(text: str, code: str) -> None:
    assert rf.parse_value(field(rf.PERCENT), text, TODAY) == Refusal(code)


def test_choices_dates_and_text() -> None:
    choice = field(rf.CHOICE, choices=("是", "否"))
    assert rf.parse_value(choice, " 否 ", TODAY) == "否"
    assert rf.parse_value(choice, "1", TODAY) == "是"
    assert rf.parse_value(choice, "也许", TODAY) == Refusal("choice_bad", {"options": "是、否"})
    assert rf.parse_value(field(rf.DATE), "11-30", TODAY) == "2026-11-30"
    assert rf.parse_value(field(rf.DATE), "明天", TODAY) == "2026-11-24"
    assert rf.parse_value(field(rf.DATE), "下个月", TODAY) == Refusal("date_bad")
    assert rf.parse_value(field(rf.TEXT), "正常", TODAY) == "正常"
    assert rf.parse_value(field(rf.TEXT), "字" * 501, TODAY) == Refusal(
        "too_long", {"limit": 500, "length": 501}
    )


def test_answers_show_and_export_as_typed() -> None:
    assert rf.display(field(rf.NUMBER, "人"), "35") == "35人"
    assert rf.display(field(rf.PERCENT), "45") == "45%"
    assert rf.cell_value(field(rf.NUMBER, "人"), "12.5") == Decimal("12.5")
    assert rf.cell_value(field(rf.PERCENT), "45") == Decimal("0.45")
    assert rf.cell_value(field(rf.DATE), "2026-11-30") == date(2026, 11, 30)
    assert rf.cell_value(field(rf.TEXT), "=1+1") == "=1+1"  # the export writes it as text


@pytest.mark.parametrize(
    "text", ["无", "没有", "暂无", "无问题", "没有问题", "无。", " 暂无！", "没问题", "No", "ＮＯ"]
)
def test_no_problem_words(text: str) -> None:
    assert rf.says_no_problem(text)


@pytest.mark.parametrize(
    "text", ["无人机审批未批复", "没有施工许可证", "用地指标不足", "无法进场"]
)
def test_real_problems_are_not_mistaken_for_none(text: str) -> None:
    assert not rf.says_no_problem(text)


def test_labels_compare_without_symbols_spacing_or_width() -> None:
    assert rf.label_key("✅ 确认提交") == rf.label_key("确认提交")
    assert rf.label_key("✏️ 修改") == "修改"
    assert rf.same_text("拆迁户3户未签协议。", "拆迁户 3 户未签协议")
    assert not rf.same_text("拆迁户3户未签协议", "拆迁户2户未签协议")


@pytest.mark.parametrize(
    ("text", "code"),
    [("-5", "negative"), ("abc", "unreadable"), ("", "empty"), ("1" * 41, "too_long"),
     ("999999亿", "too_big")],
)  # fmt: skip
def test_amount_errors_carry_a_code(text: str, code: str) -> None:
    with pytest.raises(AmountError) as caught:
        parse_amount(text)
    assert caught.value.code == code
    assert t(f"report.refuse_amount_{code}", text=caught.value.text)
