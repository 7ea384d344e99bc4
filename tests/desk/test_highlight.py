"""The matched part of a search result, marked (desk.highlight): each part escaped, as format_html escapes it."""

from __future__ import annotations

from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from hypothesis import given
from hypothesis import strategies as st

from leadledger.desk import highlight


@given(st.text(), st.integers(0, 40), st.integers(0, 40))
def test_a_mark_is_format_htmls_for_any_text(text: str, start: int, end: int) -> None:
    got = highlight._marked(text, start, end)
    expected = (
        format_html("{}<mark>{}</mark>{}", text[:start], text[start:end], text[end:])
        if start < end
        else format_html("{}", text)
    )
    assert got == expected and isinstance(got, SafeString)


def test_a_text_already_html_is_left_as_format_html_leaves_it() -> None:
    text = mark_safe("张<b>伟</b>")
    assert highlight._marked(text, 0, 1) == format_html("{}<mark>{}</mark>{}", text[:0], text[0:1], text[1:])
