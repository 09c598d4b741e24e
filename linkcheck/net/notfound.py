"""What makes a page that answers 2xx a "not found" page: judgement only, no I/O.

- `NotFoundPhrases.evidence(title, heading)`: the title or first heading says "not found"
  (a multilingual phrase list, plus the configured phrases). The phrase must DOMINATE the
  text: split at the separators titles use (" | ", " - ", " – ", ...), every segment but at
  most one short one at either end (the site name) must be "not found" words, and at least one
  must be a phrase (or "404" with an error word). "404 Day: how the web forgets" is a story.
- `home_redirect(link_url, final_url)`: a redirect that ends on the site's home page (`/`,
  `/index.html`, a language root like `/en/`) from a link whose own path is none of these.
- `template_match(...)`: a page that is a near-duplicate of the page its host serves for a
  made-up path (same title and first heading once the words of each URL's path are set
  aside, similar length, similar simhash of visible text).

False positives are worse than misses: each rule asks for clear evidence.
"""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import unquote, urlsplit

from linkcheck.models import PageFacts
from linkcheck.net.page import similarity

__all__ = [
    "BUILTIN_PHRASES",
    "NotFoundPhrases",
    "home_redirect",
    "is_home_path",
    "normalize",
    "template_match",
]

BUILTIN_PHRASES: tuple[str, ...] = (
    # English
    "not found", "page not found", "file not found", "article not found", "story not found",
    "content not found", "document not found", "page cannot be found", "page can't be found",
    "that page can't be found", "this page can't be found", "page could not be found",
    "the page could not be found", "the page you requested could not be found",
    "the page you are looking for could not be found", "we can't find that page",
    "we couldn't find that page", "we can't find the page you're looking for",
    "page does not exist", "this page does not exist", "this page doesn't exist",
    "page no longer exists", "this page no longer exists", "this article is no longer available",
    "page not available", "nothing found", "nothing was found", "page missing",
    # Spanish
    "página no encontrada", "no encontrada", "no encontrado", "página no existe",
    "la página no existe", "esta página no existe", "no se encontró la página",
    "la página que buscas no existe", "página no disponible",
    # French
    "page introuvable", "page non trouvée", "page inexistante", "introuvable",
    "cette page n'existe pas", "la page demandée est introuvable", "page non disponible",
    "la page que vous recherchez est introuvable",
    # German
    "seite nicht gefunden", "nicht gefunden", "seite existiert nicht",
    "diese seite existiert nicht", "seite nicht verfügbar", "seite wurde nicht gefunden",
    "die seite wurde nicht gefunden",
    # Portuguese
    "página não encontrada", "não encontrada", "não encontrado", "página não existe",
    "esta página não existe", "página inexistente",
    # Italian
    "pagina non trovata", "non trovata", "pagina non esistente", "la pagina non esiste",
    "pagina non disponibile", "questa pagina non esiste",
    # Dutch
    "pagina niet gevonden", "niet gevonden", "pagina bestaat niet", "deze pagina bestaat niet",
    # Nordic, Polish, Czech, Romanian, Turkish, Hungarian, Greek, Russian, Ukrainian
    "sidan hittades inte", "sidan finns inte", "siden blev ikke fundet", "siden findes ikke",
    "siden finnes ikke", "siden ble ikke funnet", "sivua ei löytynyt",
    "nie znaleziono strony", "strona nie została znaleziona", "nie znaleziono",
    "stránka nenalezena", "stránka nebyla nalezena", "pagina nu a fost găsită",
    "sayfa bulunamadı", "az oldal nem található", "η σελίδα δεν βρέθηκε",
    "страница не найдена", "сторінку не знайдено",
    # Asian languages
    "ページが見つかりません", "お探しのページは見つかりませんでした", "页面不存在", "找不到页面",
    "页面未找到", "網頁不存在", "페이지를 찾을 수 없습니다", "halaman tidak ditemukan",
    "không tìm thấy trang", "الصفحة غير موجودة",
)  # fmt: skip

# words a "not found" title wraps its phrase in: stripped from a segment's ends
_STATUS_WORDS = frozenset({"404", "410"})
_ERROR_WORDS = frozenset(
    {
        "error", "err", "http", "code", "oops", "ooops", "whoops", "sorry", "uh", "oh",
        "erreur", "fehler", "errore", "erro", "fout", "blad", "hata", "chyba", "ошибка",
        "lo", "siento", "desole", "entschuldigung", "spiacenti", "desculpe", "helaas",
    }
)  # fmt: skip
_FILLERS = _STATUS_WORDS | _ERROR_WORDS

OTHER, WEAK, STRONG = 0, 1, 2
SITE_NAME_WORDS = 6  # the most words of the one segment that may be the site name
EVIDENCE_SHOWN = 80  # characters of a title or heading quoted in the evidence

# the separators of "Page not found | Example News", "404 - Not Found", "Error :: Site"
_SEPARATOR = re.compile(r"\s+(?:[-–—|·•»«/:]{1,2})\s+|\s*[|·•»«]\s*")
_NON_WORD = re.compile(r"[\W_]+")
_APOSTROPHES = re.compile(r"['’`´]")


def normalize(text: str) -> str:
    """Lower case, accents and apostrophes dropped, punctuation as spaces, spaces collapsed."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(_NON_WORD.sub(" ", _APOSTROPHES.sub("", bare)).split())


class NotFoundPhrases:
    """The phrase list (built in + configured) and the matcher."""

    def __init__(self, extra: tuple[str, ...] = ()) -> None:
        phrases = (normalize(p) for p in (*BUILTIN_PHRASES, *extra))
        self.phrases = frozenset(p for p in phrases if p)

    def _segment(self, segment: str) -> int:
        words = normalize(segment).split()
        status = error = False
        for end in (0, -1):  # fillers (and stray numbers: "Error 404 (Not Found)!!1") at ends
            while words and (words[end] in _FILLERS or words[end].isdigit()):
                status |= words[end] in _STATUS_WORDS
                error |= words[end] in _ERROR_WORDS
                words.pop(end)
        if words:
            return STRONG if " ".join(words) in self.phrases else OTHER
        if status:
            return STRONG if error else WEAK  # "Error 404" / "404"
        return OTHER  # "Oops!" alone

    def verdict(self, text: str | None) -> int:
        """STRONG: the text says "not found"; WEAK: it is a bare "404"; OTHER: anything else."""
        if not text:
            return OTHER
        segments = [s for s in _SEPARATOR.split(text) if normalize(s)]
        if not segments:
            return OTHER
        scores = [self._segment(s) for s in segments]
        others = [i for i, score in enumerate(scores) if score == OTHER]
        if len(others) == len(segments) or len(others) > 1:
            return OTHER
        if others:  # one segment that is no "not found" word: only a short site name at an end
            i = others[0]
            if i not in (0, len(segments) - 1):
                return OTHER
            if len(normalize(segments[i]).split()) > SITE_NAME_WORDS:
                return OTHER
        return max(scores)

    def evidence(self, title: str | None, heading: str | None) -> str | None:
        """Why a 2xx page's title or first heading makes it a "not found" page, or None."""
        t, h = self.verdict(title), self.verdict(heading)
        if t == STRONG:
            return f"title says {_quote(title)}"
        # a heading counts unless the title is a story's (more words than a site name)
        title_is_story = t == OTHER and len(normalize(title or "").split()) > SITE_NAME_WORDS
        if h == STRONG and not title_is_story:
            return f"first heading says {_quote(heading)}"
        if t == WEAK and h == WEAK:
            return f"title and first heading say {_quote(title)}"
        return None


def _quote(text: str | None) -> str:
    text = text or ""
    return '"' + (text if len(text) <= EVIDENCE_SHOWN else text[: EVIDENCE_SHOWN - 1] + "…") + '"'


# ---------------------------------------------------------------------------------------------
# Redirects to the home page

_INDEX = re.compile(r"(?:index|default|home|start|main)(?:\.[a-z0-9]{2,5})?", re.I)
_LANGUAGE = re.compile(r"([a-z]{2})(?:[-_](?:[a-z]{2}|[a-z]{4}))?", re.I)
# ISO 639-1: a language root is /<code>/ (or /pt-br/, /zh_hant/), not any two letters (/ok)
_LANGUAGES = frozenset(
    {
     "aa", "ab", "af", "ak", "am", "an", "ar", "as", "av", "ay", "az", "ba", "be", "bg", "bi",
     "bm", "bn", "bo", "br", "bs", "ca", "ce", "ch", "co", "cr", "cs", "cu", "cv", "cy", "da",
     "de", "dv", "dz", "ee", "el", "en", "eo", "es", "et", "eu", "fa", "ff", "fi", "fj", "fo",
     "fr", "fy", "ga", "gd", "gl", "gn", "gu", "gv", "ha", "he", "hi", "ho", "hr", "ht", "hu",
     "hy", "hz", "ia", "id", "ie", "ig", "ii", "ik", "io", "is", "it", "iu", "ja", "jv", "ka",
     "kg", "ki", "kj", "kk", "kl", "km", "kn", "ko", "kr", "ks", "ku", "kv", "kw", "ky", "la",
     "lb", "lg", "li", "ln", "lo", "lt", "lu", "lv", "mg", "mh", "mi", "mk", "ml", "mn", "mr",
     "ms", "mt", "my", "na", "nb", "nd", "ne", "ng", "nl", "nn", "no", "nr", "nv", "ny", "oc",
     "oj", "om", "or", "os", "pa", "pi", "pl", "ps", "pt", "qu", "rm", "rn", "ro", "ru", "rw",
     "sa", "sc", "sd", "se", "sg", "si", "sk", "sl", "sm", "sn", "so", "sq", "sr", "ss", "st",
     "su", "sv", "sw", "ta", "te", "tg", "th", "ti", "tk", "tl", "tn", "to", "tr", "ts", "tt",
     "tw", "ty", "ug", "uk", "ur", "uz", "ve", "vi", "vo", "wa", "wo", "xh", "yi", "yo", "za",
     "zh", "zu",
    }
)  # fmt: skip
# a query that carries where to go back (a consent or login wall), not a home page
_CARRIES_URL = re.compile(r"https?%3a|https?:|%2f|/", re.I)


def is_home_path(path: str) -> bool:
    """`/`, `/index.html`-like, or a language root (`/en/`, `/pt-br/`, `/en/index.html`)."""
    segments = [s for s in path.split("/") if s]
    indexed = bool(segments) and _INDEX.fullmatch(segments[-1]) is not None
    if indexed:
        segments.pop()
    if not segments:
        return True
    if len(segments) != 1 or not (indexed or path.endswith("/")):
        return False
    language = _LANGUAGE.fullmatch(segments[0])
    return language is not None and language.group(1).lower() in _LANGUAGES


def home_redirect(link_url: str, final_url: str) -> bool:
    """Did a link whose own path is no home page end, through redirects, on a home page?"""
    try:
        link, final = urlsplit(link_url), urlsplit(final_url)
    except ValueError:
        return False
    if is_home_path(link.path.rstrip("/") + "/") or not is_home_path(final.path):
        return False
    return not _CARRIES_URL.search(final.query)


# ---------------------------------------------------------------------------------------------
# The host's not-found page

MIN_TEMPLATE_TEXT = 80  # a not-found page with less visible text (an app shell) is not used
MIN_SIMILARITY = 0.85  # simhash: at most 9 of 64 bits differ
MIN_LENGTH_RATIO = 0.8


def _path_words(url: str) -> set[str]:
    try:
        path = urlsplit(url).path
    except ValueError:
        return set()
    return set(normalize(unquote(path)).split())


def _without(text: str | None, words: set[str]) -> str:
    return " ".join(w for w in normalize(text or "").split() if w not in words)


def template_match(
    page: PageFacts, page_url: str, template: PageFacts, template_url: str
) -> float | None:
    """The similarity of a page to its host's not-found page when it is a near-duplicate of it
    (None otherwise). Titles and first headings must agree once the words of each one's own
    path are removed (templates echo the path), lengths must be close, and so must the
    simhash of the visible text."""
    if page.simhash is None or template.simhash is None:
        return None
    if template.text_length < MIN_TEMPLATE_TEXT or page.text_length == 0:
        return None
    low, high = sorted((page.text_length, template.text_length))
    if low / high < MIN_LENGTH_RATIO:
        return None
    score = similarity(page.simhash, template.simhash)
    if score < MIN_SIMILARITY:
        return None
    mine, theirs = _path_words(page_url), _path_words(template_url)
    for a, b in ((page.title, template.title), (page.heading, template.heading)):
        if _without(a, mine) != _without(b, theirs):
            return None
    return score
