"""The library of `ugly_web.py`: N articles in the seed's format, and what checking them costs.

Articles look like `shared/examples/*.txt`: YAML front matter with `webUrl`, `ampWebUrl`,
`cdnAmpWebUrl`, `images[]` (url, width, height), `related[]` (the same fields, pointing at other
articles of the library, so URLs repeat across files as they do in a real library) and a Markdown
body with links (one new page, one of a small pool of popular pages). Every URL is on one of the
local hosts, picked with a skewed weight (host i ~ 1/(i+1)^0.7: a few big publishers, a long tail).

Each URL's behaviour (see `ugly_server.py`) is drawn with the shares below, and the generator
counts the *minimum* work it implies: one request per URL, one per redirect hop (on the hop's
host), one per flaky 503; and the shortest time its own chain can take (hops, the latency of
every request). The designed 429s are listed with their host, count and Retry-After, since what
they cost depends on `--retries`. The lower bound (`ugly_measure.py`) uses these counts.
"""

from __future__ import annotations

import dataclasses
import random
from pathlib import Path

SIZES = [(1200, 630), (1600, 900), (800, 450), (500, 326), (960, 1200), (1528, 900)]
IMAGE_FORMATS = [("jpeg", "jpg", 0.7), ("png", "png", 0.2), ("gif", "gif", 0.1)]
IMAGE_BYTES = [12_000, 24_000, 40_000]


@dataclasses.dataclass(frozen=True)
class Shares:
    """Share of page URLs per behaviour (the rest answer 200), and of images declared wrong."""

    gone: float = 0.02
    redirect: float = 0.03
    t429: float = 0.0025
    flaky: float = 0.003
    hangs: int = 10
    wrong_size: float = 0.05


@dataclasses.dataclass
class Workload:
    hosts: list[str]
    port: int
    urls: list[str] = dataclasses.field(default_factory=list)
    min_requests: list[int] = dataclasses.field(default_factory=list)  # per host index
    hangs_per_host: list[int] = dataclasses.field(default_factory=list)
    chain_s: float = 0.0  # longest unavoidable chain of one link, excluding hangs
    behaviours: dict[str, int] = dataclasses.field(default_factory=dict)
    redirect_hops: int = 0
    designed_pushback: int = 0  # flaky 503s (designed 429s: see `designed_429`)
    designed_429: list[tuple[int, int, int]] = dataclasses.field(default_factory=list)
    articles: int = 0

    def base(self, h: int) -> str:
        return f"http://{self.hosts[h]}:{self.port}"


class _Gen:
    def __init__(self, wl: Workload, shares: Shares, latency: float, rng: random.Random):
        self.wl, self.shares, self.latency, self.rng = wl, shares, latency, rng
        n = len(wl.hosts)
        self.weights = [1 / (i + 1) ** 0.7 for i in range(n)]
        wl.min_requests = [0] * n
        wl.hangs_per_host = [0] * n
        self.serial = 0
        self.hang_left = shares.hangs

    def _host(self, avoid: int = -1) -> int:
        """A host by weight, other than `avoid` (the host a redirect hop leaves)."""
        hosts = range(len(self.weights))
        h = avoid
        for _ in range(1000):  # redrawn, not reweighted: keeps the seed's workload as recorded
            h = self.rng.choices(hosts, self.weights)[0]
            if h != avoid or len(hosts) == 1:
                break
        return h

    def _add(self, url: str, host: int, behaviour: str, extra: int = 0, chain: float = 0) -> str:
        wl = self.wl
        wl.urls.append(url)
        wl.min_requests[host] += 1 + extra
        wl.behaviours[behaviour] = wl.behaviours.get(behaviour, 0) + 1
        wl.chain_s = max(wl.chain_s, chain or self.latency)
        return url

    def page(self, slug: str) -> str:
        self.serial += 1
        i, s, r, lat = self.serial, self.shares, self.rng.random(), self.latency
        h = self._host()
        base = self.wl.base(h)
        if self.hang_left > 0 and r < 0.02 and i > 50:
            self.hang_left -= 1
            self.wl.hangs_per_host[h] += 1
            return self._add(f"{base}/hang/{i}", h, "hang", chain=lat)
        if r < s.gone:
            return self._add(f"{base}/gone/{i}", h, "404")
        r -= s.gone
        if r < s.redirect:
            hops = [self._host(avoid=h)]
            if self.rng.random() < 0.5:
                hops.append(self._host(avoid=hops[-1]))
            for hop in hops:
                self.wl.min_requests[hop] += 1
            self.wl.redirect_hops += len(hops)
            path = f"/r/{'.'.join(map(str, hops))}/{i}"
            return self._add(base + path, h, f"redirect x{len(hops)}", chain=(len(hops) + 1) * lat)
        r -= s.redirect
        if r < s.t429:
            n, ra = self.rng.choice([1, 2]), self.rng.choice([1, 2])
            self.wl.designed_429.append((h, n, ra))  # its cost depends on --retries: see bound
            return self._add(f"{base}/t429/{n}/{ra}/{i}", h, f"429 x{n} + Retry-After")
        r -= s.t429
        if r < s.flaky:
            self.wl.designed_pushback += 1
            return self._add(f"{base}/flaky/{i}", h, "503 once", 1, 2 * lat)
        return self._add(f"{base}/ok/{i}/{slug}", h, "200")

    def image(self) -> tuple[str, int, int]:
        self.serial += 1
        rng = self.rng
        fmt, ext, _ = rng.choices(IMAGE_FORMATS, [w for *_, w in IMAGE_FORMATS])[0]
        w, h = rng.choice(SIZES)
        size = rng.choice(IMAGE_BYTES)
        host = self._host()
        url = f"{self.wl.base(host)}/img/{fmt}/{w}x{h}/{size}/{self.serial}.{ext}"
        wrong = rng.random() < self.shares.wrong_size
        self._add(url, host, "image, wrong size" if wrong else "image")
        return (url, w + 17, h) if wrong else (url, w, h)


@dataclasses.dataclass
class _Own:
    web: str
    amp: str | None
    cdn: str | None
    images: list[tuple[str, int, int]]


def _front_urls(own: _Own, indent: str) -> list[str]:
    lines = [f'{indent}webUrl: "{own.web}"']
    if own.amp:
        lines.append(f'{indent}ampWebUrl: "{own.amp}"')
    if own.cdn:
        lines.append(f'{indent}cdnAmpWebUrl: "{own.cdn}"')
    return lines


def _images(images: list[tuple[str, int, int]], indent: str, title: str) -> list[str]:
    lines = [f"{indent}images:"]
    for url, w, h in images:
        lines += [
            f'{indent}  - url: "{url}"',
            f"{indent}    width: {w}",
            f"{indent}    height: {h}",
        ]
        lines += [f"{indent}    isCached: true", f'{indent}    title: "{title}"']
    return lines


def build(
    folder: Path,
    hosts: list[str],
    port: int,
    articles: int,
    *,
    latency: float,
    shares: Shares,
    seed: int = 7,
) -> Workload:
    """Write `articles` files into `folder` and return the workload they make."""
    rng = random.Random(seed)
    wl = Workload(hosts=hosts, port=port, articles=articles)
    gen = _Gen(wl, shares, latency, rng)
    popular = [gen.page(f"popular-{i}") for i in range(max(1, articles // 20))]
    own = []
    for a in range(articles):
        images = [gen.image() for _ in range(1 if rng.random() < 0.7 else 2)]
        amp = gen.page(f"amp-{a}") if rng.random() < 0.7 else None
        cdn = gen.page(f"cdn-amp-{a}") if rng.random() < 0.5 else None
        own.append(_Own(gen.page(f"story-{a}"), amp, cdn, images))
    folder.mkdir(parents=True, exist_ok=True)
    for a, mine in enumerate(own):
        title = f"Story number {a} about the news of the day"
        host = mine.web.split("/")[2].split(":")[0]
        lines = ["---", "category: news", f'title: "{title}"']
        lines.append(f'excerpt: "What happened on day {a % 365}, and why it matters."')
        lines.append(f"publishedDateTime: 2020-06-{1 + a % 28:02d}T13:06:00Z")
        lines += _front_urls(mine, "")
        lines += ["type: article", f"quality: {a % 90}", "published: false", ""]
        lines += ["provider:", f"  name: Publisher {host}", f"  domain: {host}", ""]
        lines += ["topics:", "  - News", "", *_images(mine.images, "", title), "", "related:"]
        for _ in range(rng.choice([2, 3, 3, 4])):
            b = min(articles - 1, max(0, a + rng.randint(-200, 200)))
            other = own[b]
            lines += [f'  - title: "Related story {b}"', '    excerpt: "More on this."']
            lines += _front_urls(other, "    ") + ["    type: article"]
            lines += _images(other.images[:1], "    ", f"Related story {b}")
        body_new = gen.page(f"source-{a}")
        lines += ["", 'secured: "abc=="', "---", "", f"# {title}", ""]
        lines.append(
            f"The report was first published [by the agency]({body_new}); see also "
            f"[this explainer]({rng.choice(popular)}) and our [earlier story]({own[a - 1].web})."
        )
        lines.append("")
        (folder / f"{a:06d}_{rng.getrandbits(64):016x}.txt").write_text("\n".join(lines))
    return wl
