"""The refusal the simulator's HTTP layer turns into a FastAPI-style ``{"detail": ...}`` body."""

from __future__ import annotations

from typing import Any


class ApiError(Exception):
    """A refusal that the HTTP layer turns into ``{"detail": ...}`` with ``status``."""

    def __init__(self, status: int, detail: str | list[Any] | dict[str, Any]) -> None:
        """Store the status code and FastAPI-style detail."""
        super().__init__(status, detail)
        self.status = status
        self.detail = detail
