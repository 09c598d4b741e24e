"""linkcheck: check the links and image sizes of a content library."""

__version__ = "0.1.0"
__all__ = ["__version__"]
