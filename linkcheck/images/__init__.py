"""Images: pixel size and format from the first bytes, and the ranged fetch that feeds them."""

from linkcheck.images.prober import ImageProber, probe_bytes

__all__ = ["ImageProber", "probe_bytes"]
