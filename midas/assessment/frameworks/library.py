"""Framework versions side by side: a round pins one version, and a changed file under an old version is caught.

The library is an in-memory index; the next layer stores frameworks in the database and fills one of these.
"""

from __future__ import annotations

from midas.assessment.frameworks.model import Framework, FrameworkRef
from midas.errors import Conflict, NotFound


class FrameworkLibrary:
    """Every version of every framework, keyed by (id, version)."""

    def __init__(self) -> None:
        self._frameworks: dict[tuple[str, str], Framework] = {}

    def register(self, framework: Framework) -> FrameworkRef:
        """Add a version; the same content again is a no-op, different content under a known version is refused."""
        key = (framework.id, framework.version)
        known = self._frameworks.get(key)
        if known is not None and known.content_hash != framework.content_hash:
            raise Conflict(
                "Framework {id} version {version} is already registered with other content; give the changed "
                "file a new version", {"id": framework.id, "version": framework.version},
            )
        self._frameworks[key] = framework
        return pin(framework)

    def get(self, framework_id: str, version: str) -> Framework:
        framework = self._frameworks.get((framework_id, version))
        if framework is None:
            raise NotFound("Framework {id} version {version} does not exist", {"id": framework_id, "version": version})
        return framework

    def versions(self, framework_id: str) -> tuple[str, ...]:
        """The versions of one framework, in the order they were registered."""
        return tuple(version for known_id, version in self._frameworks if known_id == framework_id)

    def resolve(self, ref: FrameworkRef) -> Framework:
        """The exact framework a round was pinned to; refused if that version's content has changed since."""
        framework = self.get(ref.id, ref.version)
        if framework.content_hash != ref.content_hash:
            raise Conflict("Framework {id} version {version} has changed since it was pinned",
                           {"id": ref.id, "version": ref.version})
        return framework


def pin(framework: Framework) -> FrameworkRef:
    """What a round stores to stay on this exact framework version."""
    return FrameworkRef(framework.id, framework.version, framework.content_hash)
