"""K-MDS on the platform: the command line, API and page around the pure library :mod:`midas.standard`.

``cli.app`` is mounted as ``midas standard``, ``api.router`` under ``/api/v1`` and ``pages.router`` in the web
application. Nothing here stores anything: validating a file and downloading the templates change no data.
"""

from midas.kmds.service import TEMPLATE_FORMATS, TemplateFile, read_limited, template_file, validate_upload

__all__ = ["TEMPLATE_FORMATS", "TemplateFile", "read_limited", "template_file", "validate_upload"]
