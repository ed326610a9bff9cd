"""The version of cpflag: the single source read by the build (``[tool.hatch.version]``)."""

__version__ = "0.1.0.dev0"
