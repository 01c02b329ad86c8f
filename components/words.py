"""Words for people: counts with the right plural ("1 passage", "2 passages", "1,204 mentions")."""
from __future__ import annotations


def plural(count: int, singular: str, plural_form: str | None = None) -> str:
    """'1 document', '3 documents', '1,204 mentions'; ``plural_form`` for irregular words."""
    word = singular if count == 1 else (plural_form or singular + "s")
    return f"{count:,} {word}"
