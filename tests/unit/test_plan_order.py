"""The order in which a run checks its links (linkcheck.plan.scattered)."""

from __future__ import annotations

from linkcheck.models import Link, LinkKind
from linkcheck.plan import scattered


def test_links_are_checked_in_a_scattered_but_fixed_order() -> None:
    links = [Link(f"https://news.example/search/{i}", LinkKind.PAGE, ()) for i in range(20)]
    links += [Link(f"https://news.example/story/{i}", LinkKind.PAGE, ()) for i in range(20)]
    order = [link.url for link in scattered(links)]
    assert sorted(order) == sorted(link.url for link in links)  # every link, once
    assert order == [link.url for link in scattered(list(reversed(links)))]  # input order aside
    # a site's sections are no longer requested one after the other
    section = [url.split("/")[3] for url in order]
    switches = sum(1 for a, b in zip(section, section[1:], strict=False) if a != b)
    assert switches > 10
