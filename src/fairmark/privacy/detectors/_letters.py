"""Letter classes shared by the name and address patterns (Python ``re`` and RE2 alike).

``re.ASCII`` (which the scan uses so that ``\\b`` and ``\\d`` mean the same in Python and in
RE2) would make ``\\w`` ASCII-only, so Latin letters with diacritics are spelled out as
literal ranges: Basic Latin, Latin-1 Supplement (without × and ÷) and Latin Extended-A
(Unicode Standard, code charts U+0000-U+017F). Greek, Cyrillic and other scripts are not
covered by the name and address patterns.
"""

UPPER = "A-ZÀ-ÖØ-ÞĀĂĄĆĈĊČĎĐĒĔĖĘĚĜĞĠĢĤĦĨĪĬĮİĲĴĶĹĻĽĿŁŃŅŇŊŌŎŐŒŔŖŘŚŜŞŠŢŤŦŨŪŬŮŰŲŴŶŸŹŻŽ"
"""Upper-case Latin letters (character-class body)."""

LETTER = "A-Za-zÀ-ÖØ-öø-ÿĀ-ž"
"""Any Latin letter (character-class body)."""
