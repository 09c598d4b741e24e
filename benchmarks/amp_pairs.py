"""The AMP checks' own cost: gathering the pairs while reading (`collect.pairs.amp_pairs`) and
judging them once every link has its verdict (`news.amp.article_findings`). No network.

Builds N articles in memory (default 20,000), each with its own URL, AMP URL and AMP cache
URL and three related entries that have them too, on 500 publisher hosts (related pages are
cited by several articles, as in a real library): 4 pairs and 12 URL fields an article. The
results carry page facts as the page reads would give them, with a share of each AMP fault
(AMP page not AMP, canonical elsewhere, no amphtml, wrong cache URL).

    python benchmarks/amp_pairs.py [--articles 20000]

Prints CPU seconds (best of 3; the machine may be shared) for extraction alone, amp_pairs,
and article_findings, the findings by check, and the memory the pairs hold.
"""

from __future__ import annotations

import argparse
import sys
import time
import tracemalloc
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from linkcheck.collect.extract import extract  # noqa: E402
from linkcheck.collect.library import Collected, parse_article  # noqa: E402
from linkcheck.collect.pairs import amp_pairs  # noqa: E402
from linkcheck.config import Config  # noqa: E402
from linkcheck.models import (  # noqa: E402
    Article,
    CheckResult,
    Finding,
    Link,
    LinkKind,
    Outcome,
    PageFacts,
)
from linkcheck.news.amp import article_findings  # noqa: E402
from linkcheck.news.amp_cache import cache_url  # noqa: E402


def entry(host: str, path: str, indent: str, wrong_cache: bool) -> str:
    web, amp = f"https://{host}/{path}", f"https://amp.{host}/{path}"
    cache = cache_url(amp + ("-old" if wrong_cache else ""))
    return f'{indent}webUrl: "{web}"\n{indent}ampWebUrl: "{amp}"\n{indent}cdnAmpWebUrl: "{cache}"\n'


def article(i: int) -> tuple[str, str]:
    related = "".join(
        f'  - title: "r{j}"\n'
        + entry(f"pub{(i + j) % 500}.example", f"a/{i * 7 + j}", "    ", False)
        for j in range(3)
    )
    top = entry("news.example", f"story/{i}", "", i % 50 == 0)
    return f"a{i:06d}.md", f'---\ntitle: "A{i}"\n{top}related:\n{related}---\nbody\n'


def facts(url: str, kind: LinkKind, i: int) -> PageFacts:
    """Healthy facts, with a fault in about one page of 40 of each kind."""
    if kind is LinkKind.AMP:
        web = url.replace("://amp.", "://", 1)
        if i % 40 == 1:
            return PageFacts(amp=False, canonical=web)
        return PageFacts(amp=True, canonical=web if i % 40 != 2 else web + "-elsewhere")
    amp = url.replace("://", "://amp.", 1)
    return PageFacts(canonical=url, amphtml=amp if i % 40 != 3 else None)


def best_of(n: int, work: object) -> float:
    assert callable(work)
    best = float("inf")
    for _ in range(n):
        t0 = time.process_time()
        work()
        best = min(best, time.process_time() - t0)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=20_000)
    args = parser.parse_args()
    config = Config()
    articles = [parse_article(name, text) for name, text in map(article, range(args.articles))]
    parsed = [a for a in articles if isinstance(a, Article)]
    extracted = [(a, extract(a)[0]) for a in parsed]
    fields = sum(1 for _, links in extracted for r in links if r.kind is not LinkKind.IMAGE)

    t_extract = best_of(3, lambda: [extract(a) for a in parsed])
    t_pairs = best_of(3, lambda: [amp_pairs(a, links, config) for a, links in extracted])
    tracemalloc.start()
    pairs = [p for a, links in extracted for p in amp_pairs(a, links, config)]
    held = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()

    results: dict[str, CheckResult] = {}
    for i, p in enumerate(pairs):
        for field, kind in ((p.web, LinkKind.PAGE), (p.amp, LinkKind.AMP)):
            if field is not None and field.normalized and field.normalized not in results:
                url = field.normalized
                page = facts(url, kind, i)
                results[url] = CheckResult(
                    Link(url, kind, ()), Outcome.OK, None, 200, url, page=page
                )
    collected = Collected(len(parsed), len(parsed), [], [], [], pairs=pairs)
    found: list[Finding] = []

    def judge() -> None:
        found[:] = article_findings(collected, list(results.values()), config)

    t_find = best_of(3, judge)
    by_check = Counter(f.check.value for f in found)

    print(f"{len(parsed):,} articles, {len(pairs):,} pairs, {fields:,} URL fields")
    print(f"extract (for scale):  {t_extract:.2f} s CPU")
    print(f"amp_pairs:            {t_pairs:.2f} s CPU ({t_pairs / fields * 1e6:.1f} us a field)")
    print(f"article_findings:     {t_find:.2f} s CPU ({t_find / len(pairs) * 1e6:.1f} us a pair)")
    print(f"findings:             {len(found):,} {dict(sorted(by_check.items()))}")
    print(f"pairs held:           {held / 1e6:.1f} MB ({held / len(pairs):.0f} B a pair)")


if __name__ == "__main__":
    main()
