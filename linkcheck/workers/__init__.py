"""Checking in several processes: the CPU of one Python process is the limit of a large run.

A run over ~100,000 links spends one to two milliseconds of CPU per request (HTTP parsing,
reading pages, the politeness bookkeeping), so one process tops out far below what polite
per-host limits allow. `check_in_workers` gives the links to N checking processes (`spawn`ed,
so no state of this process leaks into them) and yields their results as they arrive.

Politeness stays exact, because each host's limits are *divided*, not copied (`split`): a
host with more than 1/N of the links is shared by every worker, each with its part of the
host's concurrency and rate; every other host is owned by one worker, which keeps nearly all
of its limits (the others keep one request in flight and a sliver of the rate for redirect
hops). The sum over the workers is never above what one process would allow, whichever host
a link or its redirect hops reach. A worker adapts its share of a host's rate (AIMD) from the
answers it gets and pauses for a Retry-After it is sent; an owner sees all of its host's
answers, as one process would. Each worker learns a host's not-found page for itself
(soft-404 checks: one probe per host and worker that needs it).

The parent keeps everything else: reading, the plan, the state store, the report. A worker
receives (its Config, its links, their revalidation data) and sends back lists of
`CheckResult`s (every ~50 ms) and, at the end, its per-host statistics, which are added up.
A stop (Ctrl-C, SIGTERM, --max-time) is sent to every worker, which stops at once; a worker
that ends without saying so (killed, out of memory) turns each link it did not report into an
`internal_error` warning, and the other workers carry on.
"""

from linkcheck.workers.divide import AUTO_MAX, AUTO_MIN_LINKS, combine, cores, split, worker_count
from linkcheck.workers.parent import Pool, check_in_workers, check_links
from linkcheck.workers.wire import main_hidden

__all__ = [
    "AUTO_MAX",
    "AUTO_MIN_LINKS",
    "Pool",
    "check_in_workers",
    "check_links",
    "combine",
    "cores",
    "main_hidden",
    "split",
    "worker_count",
]
