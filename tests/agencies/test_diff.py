"""The side-by-side diff escapes what agencies write and marks only what changed."""

from agencies.diff import text_diff


def test_markup_in_a_version_is_escaped_not_rendered():
    rows = text_diff("<b>hola</b>\n", "<script>alert(1)</script>\n")
    assert len(rows) == 1 and rows[0].kind == "replace"
    assert "<script" not in rows[0].right_html and "<b>" not in rows[0].left_html
    assert rows[0].right_html == (
        "&lt;<ins>script</ins>&gt;<ins>alert(1)</ins>&lt;/<ins>script</ins>&gt;"
    )


def test_unchanged_lines_carry_both_numbers_and_no_marks():
    rows = text_diff("uno\ndos\ntres", "cero\nuno\ndos\ntres")
    assert [(row.kind, row.left_number, row.right_number) for row in rows] == [
        ("insert", None, 1),
        ("equal", 1, 2),
        ("equal", 2, 3),
        ("equal", 3, 4),
    ]
    assert all("<ins>" not in row.right_html for row in rows)


def test_a_changed_word_is_highlighted_whole():
    [row] = text_diff("Compra hoy mismo.", "Compra mañana mismo.")
    assert row.left_html == "Compra <del>hoy</del> mismo."
    assert row.right_html == "Compra <ins>mañana</ins> mismo."
