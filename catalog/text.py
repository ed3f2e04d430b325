"""Text helpers for the catalogue: Latin slugs, keyboard layouts, transliteration, query cleaning.

Pure functions (no database), so search and slugs can be reasoned about and tested in isolation.
"""

from __future__ import annotations

import re
import unicodedata

# Russian → Latin for slugs and for matching brand names typed in Cyrillic ("кроссовки" → "krossovki").
_RU_TO_LAT = {
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ё": "e", "ж": "zh", "з": "z", "и": "i",
    "й": "y", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o", "п": "p", "р": "r", "с": "s", "т": "t",
    "у": "u", "ф": "f", "х": "kh", "ц": "ts", "ч": "ch", "ш": "sh", "щ": "shch", "ъ": "", "ы": "y", "ь": "",
    "э": "e", "ю": "yu", "я": "ya",
}  # fmt: skip

# Latin → Russian, longest sequences first, for queries typed in transliteration ("krossovki" → "кроссовки").
_LAT_TO_RU = [
    ("shch", "щ"), ("sch", "щ"), ("zh", "ж"), ("kh", "х"), ("ts", "ц"), ("ch", "ч"), ("sh", "ш"), ("yu", "ю"),
    ("ju", "ю"), ("ya", "я"), ("ja", "я"), ("yo", "ё"), ("jo", "ё"), ("ye", "е"), ("iy", "ий"), ("yy", "ый"),
    ("a", "а"), ("b", "б"), ("v", "в"), ("w", "в"), ("g", "г"), ("d", "д"), ("e", "е"), ("z", "з"), ("i", "и"),
    ("j", "й"), ("y", "ы"), ("k", "к"), ("q", "к"), ("c", "к"), ("l", "л"), ("m", "м"), ("n", "н"), ("o", "о"),
    ("p", "п"), ("r", "р"), ("s", "с"), ("t", "т"), ("u", "у"), ("f", "ф"), ("h", "х"), ("x", "кс"),
]  # fmt: skip
_LAT_TO_RU_RE = re.compile("|".join(re.escape(latin) for latin, _ in _LAT_TO_RU))
_LAT_TO_RU_MAP = dict(_LAT_TO_RU)

# The same physical keys on the ЙЦУКЕН and QWERTY layouts ("rhjccjdrb" typed meaning "кроссовки").
_EN_KEYS = "`qwertyuiop[]asdfghjkl;'zxcvbnm,.~QWERTYUIOP{}ASDFGHJKL:\"ZXCVBNM<>"
_RU_KEYS = "ёйцукенгшщзхъфывапролджэячсмитьбюЁЙЦУКЕНГШЩЗХЪФЫВАПРОЛДЖЭЯЧСМИТЬБЮ"
_EN_TO_RU_LAYOUT = str.maketrans(_EN_KEYS, _RU_KEYS)
_RU_TO_EN_LAYOUT = str.maketrans(_RU_KEYS, _EN_KEYS)

MAX_QUERY_LENGTH = 200
MAX_QUERY_TOKENS = 8
_TOKEN_RE = re.compile(r"[0-9a-zа-яё]+", re.IGNORECASE)
_LATIN_RE = re.compile(r"[a-z]")
_CYRILLIC_RE = re.compile(r"[а-яё]")
# Characters that stand for a letter on the ЙЦУКЕН layout: "ntktajy" and "b;tdcr" (ж on ;) alike.
_LAYOUT_TOKEN_RE = re.compile(r"[0-9a-z`\[\];',.]+", re.IGNORECASE)


def transliterate(text: str) -> str:
    """Russian letters to Latin ones; everything else unchanged."""
    return "".join(_RU_TO_LAT.get(char, _RU_TO_LAT.get(char.lower(), char)) for char in text)


def latin_to_cyrillic(text: str) -> str:
    """Read a transliterated word back as Russian ("krossovki" → "кроссовки")."""
    return _LAT_TO_RU_RE.sub(lambda match: _LAT_TO_RU_MAP[match.group(0)], text.lower())


def en_layout_to_ru(text: str) -> str:
    """Text typed on the QWERTY layout while meaning ЙЦУКЕН ("rhjccjdrb" → "кроссовки")."""
    return text.translate(_EN_TO_RU_LAYOUT)


def ru_layout_to_en(text: str) -> str:
    """Text typed on the ЙЦУКЕН layout while meaning QWERTY ("тшлу" → "nike")."""
    return text.translate(_RU_TO_EN_LAYOUT)


def slugify_ru(text: str, *, max_length: int = 80) -> str:
    """A readable Latin slug: "Кроссовки Nike Air — 42" → "krossovki-nike-air-42"; never empty."""
    latin = transliterate(unicodedata.normalize("NFKC", text).lower())
    latin = unicodedata.normalize("NFKD", latin).encode("ascii", "ignore").decode("ascii")
    slug = re.sub(r"[^a-z0-9]+", "-", latin).strip("-")
    if len(slug) > max_length:
        slug = slug[:max_length].rsplit("-", 1)[0] or slug[:max_length]
    return slug.strip("-") or "item"


def normalize_word(word: str) -> str:
    """The dictionary form of a token: lower case, "ё" read as "е"."""
    return word.lower().replace("ё", "е")


def clean_query(raw: object) -> str:
    """Make any input safe to show and to search: no control characters, bounded length, single spaces."""
    text = raw if isinstance(raw, str) else ""
    text = unicodedata.normalize("NFKC", text[: MAX_QUERY_LENGTH * 4])
    text = "".join(" " if unicodedata.category(char)[0] in "CZ" else char for char in text)
    return " ".join(text.split())[:MAX_QUERY_LENGTH].strip()


def tokenize(text: str) -> list[str]:
    """Search tokens: letters and digits only (so no tsquery operator can come from the user), capped."""
    return [normalize_word(token) for token in _TOKEN_RE.findall(text)][:MAX_QUERY_TOKENS]


def words_of(text: str) -> list[str]:
    """Every dictionary word of a text (titles, brand and category names), uncapped."""
    return [normalize_word(token) for token in _TOKEN_RE.findall(text)]


def layout_tokens(text: str) -> list[str]:
    """Tokens of a query that may be Russian typed on QWERTY, keeping the keys that are letters there."""
    return [token.lower() for token in _LAYOUT_TOKEN_RE.findall(text)][:MAX_QUERY_TOKENS]


def has_latin(word: str) -> bool:
    return bool(_LATIN_RE.search(word.lower()))


def has_cyrillic(word: str) -> bool:
    return bool(_CYRILLIC_RE.search(word.lower()))
