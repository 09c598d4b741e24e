"""`linkcheck demo`: a bundled library checked against a bundled web on 127.0.0.1.

`site.DemoSite` serves the demo's three sites (news, partner, cdn) from this process;
`run.write_library` writes the bundled articles (package data, `library/*.md`) with URLs that
point at them; `run.check_library` checks them with the normal pipeline and `run.demo_config`;
`showcase.SHOWCASE` says what each showcase URL demonstrates and the verdict expected, and
`showcase.FINDINGS` the AMP findings planted in the library (exactly those).
The images under `images/` are real files (JPEG 640x360, PNG 400x400, GIF 300x200,
WebP 320x180; 7 KB in all), drawn once with Pillow: the image prober reads their real headers.
"""

from linkcheck.demo.run import (
    AMP_CACHE_EXCLUDE,
    DEMO_NETWORK,
    allow_own_site,
    check_library,
    demo_config,
    output_files,
    write_library,
)
from linkcheck.demo.showcase import FINDINGS, SHOWCASE, Showcase, ShowcaseFinding
from linkcheck.demo.site import DemoSite, LoggedRequest

__all__ = [
    "AMP_CACHE_EXCLUDE",
    "DEMO_NETWORK",
    "FINDINGS",
    "SHOWCASE",
    "DemoSite",
    "LoggedRequest",
    "Showcase",
    "ShowcaseFinding",
    "allow_own_site",
    "check_library",
    "demo_config",
    "output_files",
    "write_library",
]
