"""Text clean-up shared by the parsers: full-width to half-width, whitespace."""

import re
import unicodedata

_SPACES = re.compile(r"\s+")


def halfwidth(text: str) -> str:
    """Fold full-width digits, letters and punctuation to ASCII (NFKC), e.g. "５，０" -> "5,0"."""
    return unicodedata.normalize("NFKC", text)


def squash(text: str) -> str:
    """Half-width text with all whitespace removed; the key used to compare labels."""
    return _SPACES.sub("", halfwidth(text))


def collapse_spaces(text: str) -> str:
    """Strip and turn each whitespace run (newlines, ideographic spaces) into one space."""
    return _SPACES.sub(" ", text.replace("\u3000", " ")).strip()


def strip_spaces(text: str) -> str:
    """Remove all whitespace; Chinese sheets pad short names with spaces ("王  明")."""
    return _SPACES.sub("", text.replace("\u3000", " "))


_CJK_GAP = re.compile(r"(?<=[\u3400-\u9fff])\s+(?=[\u3400-\u9fff])")


def tidy(text: str) -> str:
    """Collapse whitespace and drop the padding between Chinese characters ("王  明" -> "王明")."""
    return _CJK_GAP.sub("", collapse_spaces(text))
