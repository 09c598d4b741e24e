"""The ugly web answers as documented (run: python -m pytest -q benchmarks/test_ugly_server.py).

Not part of the project's test suite (tests/): it guards the benchmark's own server, whose
counters the benchmark's figures come from.
"""

from __future__ import annotations

import io
import json
import random
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

import ugly_server  # noqa: E402

HOSTS = ["127.0.0.2", "127.0.0.3", "127.0.0.4"]


@pytest.fixture(scope="module")
def web() -> Iterator[tuple[str, int]]:
    for _ in range(5):
        port = random.randrange(20000, 60000)
        cmd = [sys.executable, str(Path(ugly_server.__file__)), "--hosts", ",".join(HOSTS)]
        cmd += ["--port", str(port), "--latency", "0.02", "--limit=127.0.0.4=5", "--lifetime", "60"]
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True)
        assert proc.stdout is not None
        info = json.loads(proc.stdout.readline())
        if "control" in info:
            break
        proc.wait(timeout=5)
        proc.stdout.close()
    with proc:
        try:
            yield f"http://127.0.0.2:{port}", int(info["control"])
        finally:
            proc.terminate()


def reset(control: int) -> dict[str, Any]:
    doc: dict[str, Any] = httpx.get(f"http://127.0.0.1:{control}/reset").json()["hosts"]
    return doc


def test_keep_alive_latency_and_counters(web: tuple[str, int]) -> None:
    base, control = web
    reset(control)
    with httpx.Client() as c:
        t0 = time.monotonic()
        codes = [c.head(f"{base}/ok/{i}/x").status_code for i in range(5)]
        assert time.monotonic() - t0 >= 5 * 0.02
        assert c.get(f"{base}/gone/1").status_code == 404
    assert codes == [200] * 5
    s = reset(control)["127.0.0.2"]
    assert (s["requests"], s["connections"], s["max_in_flight"], s["max_open"]) == (6, 1, 1, 1)
    assert s["methods"] == {"HEAD": 5, "GET": 1} and s["max_rate_1s"] == 6


def test_designed_429_then_200_and_flaky_503(web: tuple[str, int]) -> None:
    base, control = web
    reset(control)
    with httpx.Client() as c:
        got = [c.get(f"{base}/t429/2/1/9") for _ in range(3)]
        flaky = [c.get(f"{base}/flaky/9").status_code for _ in range(2)]
    assert [r.status_code for r in got] == [429, 429, 200]
    assert got[0].headers["retry-after"] == "1"
    assert flaky == [503, 200]
    assert reset(control)["127.0.0.2"]["designed_429"] == 2


def test_cross_host_redirect_chain(web: tuple[str, int]) -> None:
    base, control = web
    reset(control)
    r = httpx.get(f"{base}/r/1.0/5", follow_redirects=True)
    assert [h.status_code for h in r.history] == [302, 301]
    assert r.status_code == 200 and r.url.host == "127.0.0.2" and r.url.path == "/ok/5/x"
    hosts = reset(control)
    assert hosts["127.0.0.2"]["requests"] == 2 and hosts["127.0.0.3"]["requests"] == 1


@pytest.mark.parametrize("fmt", ["png", "jpeg", "gif"])
def test_images_have_real_sizes_and_ranges(web: tuple[str, int], fmt: str) -> None:
    from PIL import Image

    base, _ = web
    url = f"{base}/img/{fmt}/1528x900/20000/1.x"
    whole = httpx.get(url)
    assert len(whole.content) == 20000
    assert Image.open(io.BytesIO(whole.content)).size == (1528, 900)
    part = httpx.get(url, headers={"Range": "bytes=0-4095"})
    assert part.status_code == 206 and part.content == whole.content[:4096]
    assert part.headers["content-range"] == "bytes 0-4095/20000"
    assert httpx.get(url, headers={"Range": "bytes=30000-"}).status_code == 416


def test_host_rate_limit_counts_accepted_requests_only(web: tuple[str, int]) -> None:
    base, control = web
    reset(control)
    limited = base.replace("127.0.0.2", "127.0.0.4")
    with httpx.Client() as c:
        codes = [c.get(f"{limited}/ok/1/x").status_code for _ in range(8)]
    assert codes == [200] * 5 + [429] * 3
    s = reset(control)["127.0.0.4"]
    assert s["limit_429"] == 3 and s["max_rate_1s"] == 8


def test_hang_holds_the_request_until_the_client_leaves(web: tuple[str, int]) -> None:
    base, control = web
    reset(control)
    with pytest.raises(httpx.ReadTimeout):
        httpx.get(f"{base}/hang/1", timeout=0.3)
    s = reset(control)["127.0.0.2"]
    assert s["requests"] == 1 and s["statuses"] == {"0": 1} and s["max_in_flight"] == 1
