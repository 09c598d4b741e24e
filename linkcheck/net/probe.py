"""Soft-404 evidence for one link, once its page was read: a redirect to the home page, a
title or heading that says "not found", or a page that is its host's not-found page.

The last one needs the host's template, requested here once per run (`templates.Templates`)
with a GET of a made-up path through the link's own lease: the probe waits for the host's
permit and counts against its concurrency and rate like any request.
"""

from __future__ import annotations

from functools import lru_cache

import anyio

from linkcheck.hosts.gate import Lease
from linkcheck.models import HttpOutcome, PageFacts
from linkcheck.net.notfound import NotFoundPhrases, home_redirect, template_match
from linkcheck.net.page import PageReader, is_html_type, parse_page, with_simhash
from linkcheck.net.redirects import CheckContext, walk
from linkcheck.net.templates import Template, origin_of, probe_path, section_of

__all__ = ["content_type", "learn_template", "page_facts", "phrases_for", "soft_404_evidence"]


@lru_cache(maxsize=8)
def phrases_for(extra: tuple[str, ...]) -> NotFoundPhrases:
    return NotFoundPhrases(extra)


def content_type(outcome: HttpOutcome) -> str | None:
    for name, value in outcome.headers:
        if name == "content-type":
            return value
    return None


def page_facts(outcome: HttpOutcome, reader: PageReader) -> PageFacts | None:
    """The facts of a 2xx HTML answer read by `reader` (None: no HTML page was read)."""
    if outcome.error_kind is not None or outcome.status is None:
        return None
    if not 200 <= outcome.status < 300 or reader.not_html or reader.size == 0:
        return None
    kind = content_type(outcome)
    if not is_html_type(kind):
        return None
    complete = not reader.stopped_early and reader.size < reader.limit
    return parse_page(reader.body(), kind, outcome.final_url, complete=complete, with_text=False)


async def learn_template(
    origin: str, section: str | None, ctx: CheckContext, lease: Lease
) -> Template:
    """GET a made-up path of `origin` (in `section`): the host's not-found answer."""
    url = origin + probe_path(origin, section)
    reader = PageReader()
    outcome = await walk(url, "GET", ctx, lease, sink=reader)
    facts = page_facts(outcome, reader)
    if facts is None or outcome.redirects:
        # a 404/410 (well behaved), an error, no HTML, or a redirect (to the home page or a
        # section front: rule (a) and the cross-link pass judge those, and comparing pages
        # with a real page such as the home page would flag the home page itself)
        return Template(url, outcome.status, None)
    fingerprinted = with_simhash(facts, reader.body(), content_type(outcome), outcome.final_url)
    return Template(url, outcome.status, fingerprinted)


async def soft_404_evidence(
    link_url: str, outcome: HttpOutcome, reader: PageReader | None, ctx: CheckContext, lease: Lease
) -> str | None:
    """Why this 2xx outcome is a soft 404 (the evidence, in plain words), or None."""
    final = outcome.final_url
    if outcome.redirects and home_redirect(link_url, final):
        hops = len(outcome.redirects)
        return f"redirects to the home page {final} ({hops} hop{'s' if hops > 1 else ''})"
    page = outcome.page
    if page is None or reader is None:
        return None
    said = phrases_for(ctx.config.soft_404_phrases).evidence(page.title, page.heading)
    if said is not None:
        return said
    origin = origin_of(final)
    if not origin:
        return None
    templates = ctx.templates

    async def wait(event: anyio.Event) -> None:
        if lease.slot is None:
            await event.wait()
        else:  # waiting for another link's probe: the global slot goes to hosts with work
            async with lease.slot.lent():
                await event.wait()

    root = await templates.get(origin, lambda: learn_template(origin, None, ctx, lease), wait)
    if root is None or root.page is None:
        return None  # a well-behaved host (404 for unknown paths), or no usable answer
    fingerprinted = with_simhash(page, reader.body(), content_type(outcome), final)
    found = _matches(fingerprinted, final, root, origin)
    section = section_of(final)
    if found is None and section is not None and templates.section_allowed(origin, section):
        # a catch-all host whose sections may have templates of their own
        learned = await templates.get(
            f"{origin}/{section}", lambda: learn_template(origin, section, ctx, lease), wait
        )
        if learned is not None:
            found = _matches(fingerprinted, final, learned, origin)
    return found


def _matches(page: PageFacts, url: str, template: Template, origin: str) -> str | None:
    if template.page is None:
        return None
    score = template_match(page, url, template.page, template.url)
    if score is None:
        return None
    probe = template.url[len(origin) :]
    return f"same page as this host's not-found page (similarity {score:.2f}, probe {probe})"
