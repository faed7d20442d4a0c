"""Lines made of fields break between two fields, never inside one."""

from __future__ import annotations

from rich.text import Text

from console.ui.cells import fields_on_lines


def fields(*words: str) -> list[Text]:
    return [Text(w) for w in words]


def test_fields_fill_a_line_then_start_the_next_with_the_indent() -> None:
    text = Text()
    fields_on_lines(text, fields("last 0.065", "min 0.065", "max 0.065", "failed in 1"), 22, indent="")
    assert text.plain.split("\n") == ["last 0.065  min 0.065", "max 0.065  failed in 1"]
    head = Text(" run 6 ")
    fields_on_lines(head, fields("started 20:41:23", "took 116ms"), 30, gap=3)
    assert head.plain.split("\n") == [" run 6    started 20:41:23", " took 116ms"]


def test_a_field_wider_than_the_line_gets_a_line_of_its_own_and_styles_are_kept() -> None:
    text = Text("LOG x")
    fields_on_lines(text, [Text("a very long error message", style="red"), Text("ok")], 10)
    assert text.plain.split("\n") == ["LOG x", " a very long error message", " ok"]
    assert any(span.style == "red" for span in text.spans)
    wide = Text()
    fields_on_lines(wide, fields("a", "b", "c"), 10**6)
    assert wide.plain == "a  b  c"
