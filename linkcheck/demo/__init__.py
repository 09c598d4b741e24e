"""`linkcheck demo`: a bundled library checked against a bundled web on 127.0.0.1.

`site.DemoSite` serves the demo's three sites (news, partner, cdn) from this process;
`run.write_library` writes the bundled articles (package data, `library/*.md`) with URLs that
point at them; `run.check_library` checks them with the normal pipeline and `run.demo_config`;
`showcase.SHOWCASE` says what each showcase URL demonstrates and the verdict expected.
The images under `images/` are real files (JPEG 640x360, PNG 400x400, GIF 300x200,
WebP 320x180; 7 KB in all), drawn once with Pillow: the image prober reads their real headers.
"""

from linkcheck.demo.run import (
    DEMO_NETWORK,
    allow_own_site,
    check_library,
    demo_config,
    output_files,
    write_library,
)
from linkcheck.demo.showcase import SHOWCASE, Showcase
from linkcheck.demo.site import DemoSite, LoggedRequest

__all__ = [
    "DEMO_NETWORK",
    "SHOWCASE",
    "DemoSite",
    "LoggedRequest",
    "Showcase",
    "allow_own_site",
    "check_library",
    "demo_config",
    "output_files",
    "write_library",
]
