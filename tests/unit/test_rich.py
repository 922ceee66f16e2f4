"""The neutral rich text the core hands the adapters: spans stay literal, formatting is spans."""

from __future__ import annotations

import pytest

from bot.rich import Rich, Span, Style, bold, code, concat, fmt, join, lines, link, plain


def test_fmt_keeps_rich_arguments_and_formats_the_rest_as_plain_text() -> None:
    out = fmt("{} scored {:.2f} in {}", bold("*T*"), 0.456, code("cs.RO"))
    assert out.spans == (
        Span("*T*", Style.BOLD),
        Span(" scored "),
        Span("0.46"),
        Span(" in "),
        Span("cs.RO", Style.CODE),
    )
    assert out.plain == "*T* scored 0.46 in `cs.RO`"
    with pytest.raises(ValueError):
        fmt("{name}", "x")


def test_typed_markup_is_one_plain_span() -> None:
    typed = "[click](https://evil.example) <!channel> `x` *y*"
    out = fmt("Subscribed to “{}”.", typed)
    assert [s.style for s in out.spans] == [Style.PLAIN] * 3
    assert typed in out.plain


def test_links_joins_and_lines() -> None:
    out = lines(
        [join(", ", ["a", code("b")]), link("https://arxiv.org/abs/1", "T"), link(None, "U")]
    )
    assert out.plain == "a, `b`\nT (https://arxiv.org/abs/1)\nU"
    assert [s.style for s in out.spans if s.style is Style.LINK] == [Style.LINK]
    assert not Rich() and not plain("") and concat("x", Rich()) == plain("x")
    assert "a" + bold("b") == concat("a", bold("b"))
