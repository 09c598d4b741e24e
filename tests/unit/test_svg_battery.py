"""Issue #12's SVG battery: real-world SVG shapes give no false size mismatch. An SVG with no
intrinsic pixel size (viewBox only, %, em) reports none (and the aspect ratio in its detail);
absolute units are converted at 96 px per inch; prologs, BOMs, DOCTYPEs, other encodings and
the attributes of child elements never change the answer."""

from __future__ import annotations

import pytest

from linkcheck.images.prober import probe_bytes

NS = b'xmlns="http://www.w3.org/2000/svg"'


@pytest.mark.parametrize(
    ("data", "size", "detail"),
    [
        (b"<svg " + NS + b' viewBox="0 0 300 150"><rect/></svg>', (None, None), "2:1"),
        (
            b"<svg " + NS + b' width="100%" height="100%" viewBox="0 0 300 150"/>',
            (None, None),
            "2:1",
        ),
        (b"<svg " + NS + b' width="20em" height="10em"/>', (None, None), "no intrinsic"),
        (
            b"<svg " + NS + b' viewBox="0 0 10 10"><rect width="500" height="400"/></svg>',
            (None, None),
            "1:1",
        ),
        (b"<svg " + NS + b' width="210mm" height="297mm"/>', (794, 1123), ""),
        (b'<svg width="2.54cm" height="1in"/>', (96, 96), ""),
        (b'<svg width="72pt" height="6pc"/>', (96, 96), ""),
        (b'<svg width="64px" height="32px"/>', (64, 32), ""),
        (
            b'\xef\xbb\xbf<?xml version="1.0" encoding="UTF-8"?>\n<svg width="64" height="32"/>',
            (64, 32),
            "",
        ),
        (
            b'<?xml version="1.0"?>\n<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" '
            b'"http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd">\n<svg width="64" height="32"/>',
            (64, 32),
            "",
        ),
        (
            b'<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY w "9">]><svg width="64" height="32"/>',
            (64, 32),
            "",
        ),
        (
            b"<?xml version='1.0'?>\n<!-- " + b"x" * 20000 + b' -->\n<svg width="64" height="32"/>',
            (64, 32),
            "",
        ),
        ('<svg width="64" height="32"/>'.encode("utf-16"), (64, 32), ""),
        (b"<svg\n   width = \"64\"\n   height='32'\n/>", (64, 32), ""),
        (b'<svg:svg xmlns:svg="http://www.w3.org/2000/svg" width="64" height="32"/>', (64, 32), ""),
    ],
)
def test_svg_sizes(data: bytes, size: tuple[int | None, int | None], detail: str) -> None:
    probe = probe_bytes(data, content_type="image/svg+xml")
    assert probe.format == "svg" and probe.error is None
    assert (probe.width, probe.height) == size
    assert detail in probe.detail
