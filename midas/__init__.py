"""MIDAS: the open platform that runs a national manufacturing digital-transformation program."""

__version__ = "0.1.0"
