"""QR codes for participant links: one helper draws them for surveys and boards."""

from xml.etree import ElementTree

from surveys.participation.qr import qr_svg_file, qr_svg_inline


def test_inline_code_carries_its_title_for_screen_readers() -> None:
    svg = qr_svg_inline("http://chorus.example/r/ABC123", "QR code to join Summit retro")
    root = ElementTree.fromstring(svg)
    assert root.tag.endswith("svg")
    assert any(el.text == "QR code to join Summit retro" for el in root.iter() if el.tag.endswith("title"))


def test_the_file_is_a_larger_drawing_of_the_same_code() -> None:
    link = "http://chorus.example/s/demo"
    small = ElementTree.fromstring(qr_svg_inline(link, "poster"))
    large = ElementTree.fromstring(qr_svg_file(link, "poster"))
    assert float(large.get("width")) == 2 * float(small.get("width"))  # scale 10 against 5
