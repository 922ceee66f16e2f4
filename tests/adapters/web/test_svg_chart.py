"""The server-side SVG line chart: well-formed, one point per value, labels escaped, clamped."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from adapters.web.svg_chart import HEIGHT, TOP, Series, line_chart

NS = {"s": "http://www.w3.org/2000/svg"}


def _parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)  # raises on anything that is not well-formed XML


def test_one_point_per_value_and_axis_titles() -> None:
    svg = line_chart(
        ["01 Jun", "02 Jun", "03 Jun"],
        [Series("liked", "#1a7f37", (0.2, 0.5, 1.0)), Series("disliked", "#cf222e", (0, 0, 0.4))],
        x_title="digest day",
        y_title="share of the day's papers",
    )
    root = _parse(svg)
    points = root.findall(".//s:circle[@class='point']", NS)
    assert len(points) == 6
    ys = [float(p.get("cy", "")) for p in points[:3]]
    assert ys[0] > ys[1] > ys[2] == TOP  # higher share, higher on the page; 100% at the top
    texts = [t.text for t in root.findall(".//s:text", NS)]
    assert {"digest day", "share of the day's papers", "0%", "100%", "liked"} <= set(texts)
    assert root.findall(".//s:title", NS)[0].text == "liked, 01 Jun: 20%"


def test_labels_are_escaped_and_values_clamped() -> None:
    hostile = '</text><script>alert("x")</script>'
    svg = line_chart([hostile], [Series(hostile, "#000", (1.7,))], x_title=hostile, y_title="y")
    assert "<script>" not in svg
    root = _parse(svg)
    assert hostile in [t.text for t in root.findall(".//s:text", NS)]
    (point,) = root.findall(".//s:circle", NS)
    assert float(point.get("cy", "")) == TOP and 0 < float(point.get("cx", "")) < HEIGHT * 3


def test_many_days_get_at_most_eight_x_labels() -> None:
    days = [f"{d:02d} Jun" for d in range(1, 31)]
    svg = line_chart(
        days, [Series("liked", "#000", tuple(0.5 for _ in days))], x_title="x", y_title="y"
    )
    root = _parse(svg)
    shown = [t.text for t in root.findall(".//s:text", NS) if t.text and t.text.endswith("Jun")]
    assert 4 <= len(shown) <= 8 and shown[0] == "01 Jun"
    assert len(root.findall(".//s:circle", NS)) == 30
