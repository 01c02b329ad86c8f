"""A problem found in the bundled data, named precisely enough to fix."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One thing wrong with one data file.

    ``where`` names the feature, fact, citation or line inside ``file``.
    """

    file: str
    where: str
    message: str

    def __str__(self) -> str:
        location = f"{self.file}: {self.where}" if self.where else self.file
        return f"{location}: {self.message}"
