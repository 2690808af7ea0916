"""A small name → factory registry (after timm's ``_registry``).

A model is a name plus keyword configuration; the estimators never hard-code the
module classes, and tests iterate over :meth:`Registry.names` to cover every model.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, Generic, TypeVar

from .exceptions import RegistryError

T = TypeVar("T")


class Registry(Generic[T]):
    """Map names to factories. Registering a name twice raises.

    Parameters
    ----------
    kind : str
        What the registry holds, used in error messages ("model", "preset", ...).
    """

    def __init__(self, kind: str) -> None:
        self.kind = kind
        self._entries: dict[str, T] = {}

    def register(self, name: str, entry: T | None = None) -> Any:
        """Register ``entry`` under ``name``; a decorator when ``entry`` is None."""
        if not isinstance(name, str) or not name:
            raise RegistryError(
                f"{self.kind} name must be a non-empty string, got {name!r}"
            )

        def add(obj: T) -> T:
            if name in self._entries:
                raise RegistryError(f"{self.kind} {name!r} is already registered")
            self._entries[name] = obj
            return obj

        if entry is None:
            return add
        return add(entry)

    def get(self, name: str) -> T:
        """Return the entry for ``name``; unknown names raise, listing known ones."""
        try:
            return self._entries[name]
        except (KeyError, TypeError):
            known = ", ".join(sorted(self._entries)) or "none"
            raise RegistryError(
                f"unknown {self.kind} {name!r}; known {self.kind}s: {known}"
            ) from None

    def names(self) -> list[str]:
        """Sorted list of registered names."""
        return sorted(self._entries)

    def __contains__(self, name: object) -> bool:
        return name in self._entries

    def __iter__(self) -> Iterator[str]:
        return iter(self.names())

    def __len__(self) -> int:
        return len(self._entries)
