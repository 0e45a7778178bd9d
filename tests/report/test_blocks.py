"""Escaped blocks: nothing from data becomes markup."""

from tpnb.report.blocks import Html, Section, bullets, escape, heading, join, notice, paragraph, strong

PAYLOAD = "<script>alert('x')</script>"


def test_every_block_escapes_what_it_is_given():
    for block in (
        heading(PAYLOAD),
        paragraph(PAYLOAD),
        strong(PAYLOAD),
        join(PAYLOAD),
        bullets([PAYLOAD]),
        notice(PAYLOAD, PAYLOAD),
    ):
        assert "<script>" not in block and "&lt;script&gt;" in block
    assert escape('" onload="x') == "&quot; onload=&quot;x"


def test_html_parts_are_kept_and_text_parts_escaped():
    line = join("a < b: ", strong("x"), " & more")
    assert line == "a &lt; b: <strong>x</strong> &amp; more"
    assert bullets([Html("<em>kept</em>"), "<em>escaped</em>"]) == (
        "<ul><li><em>kept</em></li><li>&lt;em&gt;escaped&lt;/em&gt;</li></ul>"
    )


def test_a_section_shows_its_heading_then_its_parts():
    section = Section("NPS <by> role", [paragraph("one"), "a chart"], level=3)
    blocks = section.blocks()
    assert blocks[0] == "<h3>NPS &lt;by&gt; role</h3>" and blocks[1:] == ["<p>one</p>", "a chart"]
    assert section.html_text() == "<h3>NPS &lt;by&gt; role</h3><p>one</p>"  # charts are not HTML text
    assert Section(None, [paragraph("x")]).blocks() == ["<p>x</p>"]
