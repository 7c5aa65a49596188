"""MIDAS: the open platform that runs a national manufacturing digital-transformation program."""

from midas.compiled import install as _install_compiled_modules

__version__ = "0.1.0"

# The hot ingestion modules load from their mypyc build when one was made from their present source (midas compile).
_install_compiled_modules()
