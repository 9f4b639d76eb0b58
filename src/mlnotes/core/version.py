"""The package's version and the version of what it keeps in the build environment."""

__version__ = "0.2.0"

#: bump when the shape of what we keep in the build environment changes
ENV_VERSION = 9  # 9: each document's explicit labels (read/labels)
