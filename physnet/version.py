"""physnet's version, recorded in the files a run writes (stored networks) so that a reader can
say which version wrote them."""

__version__ = "0.2.0"

__all__ = ["__version__"]
