# ruff: noqa: RUF001 (text in other scripts is what this module handles)
"""Which language an article is in, and the word lists the summarizer's rules read per language.

The language comes from the article (the feed's or the page's declaration) when it has one,
else from the text: the writing system decides most (kana is Japanese, Han without kana
Chinese, Hangul Korean, Greek, Hebrew, Thai); Latin-script text is told apart by counting the
function words of the languages the rules know (news text has dozens in its first lines),
and what stays unclear goes to `py3langid` (langid.py's model; it takes about 0.5 s to load,
so it is loaded only when the cheap tests do not decide: English, French, German... never
wait for it). Its model knows 140 labels, Volapük, Latin and Esperanto among them, and names
one for any text: "Volapük" is "vo", "Ja" Afrikaans, "Photo: AP" Czech. So it chooses only
among the languages news is written in (`_NEWS_LANGUAGES`) and is believed only from a
probability of `_MIN_CONFIDENCE`; below it, or for text it calls no language at all ("zxx"),
there is no answer and the caller uses the newsletter's language. So restricted, it names all
971 texts of the dev files right from their first 80 characters (10 of them under the floor
there, 2 at 160 characters, none at 800, the sample it reads). The whole detector measured 260
of 260 on the multilingual dev files and 511 of 511 on the English ones
(bench/eval_multilingual.py prints the count).

`rules(code)` gives the word lists of a language: pronouns that point back, connectives that
need the sentence before, subordinators, attribution verbs, abbreviations and function words.
Languages without lists get the language-neutral rules only (casing, length, full stop).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from typing import Any

__all__ = ["CJK", "LanguageRules", "count_words", "detect", "is_cjk", "normalise", "rules"]

# Chinese and Japanese write no spaces: their tokens are characters (and bigrams of them).
CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff66-\uff9f]")
_CJK_RUN = re.compile(f"{CJK.pattern}+")
_KANA = re.compile(r"[\u3040-\u30ff]")
_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]")
_SCRIPTS = (
    (re.compile(r"[\uac00-\ud7af]"), "ko"),
    (re.compile(r"[\u0370-\u03ff]"), "el"),
    (re.compile(r"[\u0590-\u05ff]"), "he"),
    (re.compile(r"[\u0e00-\u0e7f]"), "th"),
)
# Anything but Latin letters, punctuation, currency signs and the like.
_NOT_LATIN = re.compile("[^\x00-\u024f\u1e00-\u1eff\u2000-\u20cf\u2100-\u214f]")
_SAMPLE = 800  # characters of the text the detector reads


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


@dataclass(frozen=True)
class LanguageRules:
    """Word lists (lower case) of one language; empty lists mean "no rule of that kind"."""

    code: str
    anaphora: frozenset[str] = frozenset()  # first words that point back ("he", "il", "он")
    connectives: frozenset[str] = frozenset()  # first words that need the sentence before
    subordinators: frozenset[str] = frozenset()  # a clause opened by one needs a main clause
    say: frozenset[str] = frozenset()  # attribution verbs ("said", "a déclaré" -> "déclaré")
    abbreviations: frozenset[str] = frozenset()  # never end a sentence before a full stop
    stopwords: frozenset[str] = frozenset()  # function words (not content)
    ordinals: bool = False  # "am 3. Oktober": a number and a full stop is an ordinal
    # "Il y a eu...", "C'est ainsi que...": openers that lean back beyond their first word
    leaning: tuple[str, ...] = ()


_FR = LanguageRules(
    "fr",
    anaphora=_words("il ils elle elles c ce cet cette ces cela ça celui celle ceux celles lui y"),
    connectives=_words(
        "et mais ou donc or car puis ainsi alors pourtant cependant toutefois néanmoins aussi"
        " enfin également d'ailleurs"
    ),
    subordinators=_words("quand lorsque si bien parce puisque comme alors tandis avant après"),
    say=_words("déclaré dit affirmé expliqué indiqué précisé ajouté souligné estimé annoncé"),
    abbreviations=_words("m mm mme mmes mlle dr pr me st ste av bd etc cf env p ex apr j.-c"),
    stopwords=_words(
        "le la les l un une des du de d et ou à au aux en dans par pour sur avec sans sous"
        " ce cette ces il elle ils elles on nous vous je se s sa son ses leur leurs qui que qu"
        " quoi dont où est sont été être a ont avait avoir fait plus pas ne n y été mais comme"
    ),
    leaning=(
        "il y a eu",
        "c'est ainsi",
        "c\u2019est ainsi",
        "c'est pourquoi",
        "c\u2019est pourquoi",
    ),
)
_DE = LanguageRules(
    "de",
    anaphora=_words(
        "er sie es ihr ihre ihrem ihren ihrer sein seine seinem seinen seiner dies"
        " diese dieser dieses diesem diesen dort dabei damit darauf daher deshalb"
    ),
    connectives=_words(
        "und aber oder doch denn also dennoch trotzdem zudem außerdem allerdings jedoch sondern"
        " dazu ebenso auch"
    ),
    subordinators=_words("wenn als weil obwohl da nachdem bevor während falls ob dass seit"),
    say=_words("sagte sagt erklärte betonte teilte sagten erklärt betont schrieb"),
    abbreviations=_words(
        "z.b bzw ca dr prof nr str usw vgl u.a d.h s etc inkl mio mrd evtl ggf sog hr fr bzw"
        " jan feb apr jun jul aug sep sept okt nov dez"
    ),
    stopwords=_words(
        "der die das den dem des ein eine einen einem einer eines und oder aber in im an am auf"
        " aus bei mit nach von vom zu zum zur für über unter vor ist sind war waren wird werden"
        " hat haben hatte sich nicht auch es er sie wir ich ihr als wie dass so noch nur"
    ),
    ordinals=True,
)
_ES = LanguageRules(
    "es",
    anaphora=_words(
        "él ella ellos ellas esto esta este estos estas eso esa ese esos esas allí"
        " ello aquello su sus"
    ),
    connectives=_words(
        "y e pero o u pues sin además así entonces también asimismo incluso sino luego"
    ),
    subordinators=_words("cuando si aunque porque mientras como antes después"),
    say=_words("dijo afirmó explicó señaló indicó aseguró añadió declaró agregó"),
    abbreviations=_words("sr sra srta dr dra d dña ud uds etc pág núm no art av"),
    stopwords=_words(
        "el la los las un una unos unas de del al a y o e en por para con sin sobre que se su"
        " sus es son fue ha han era lo le les no más como pero este esta esto ya muy también"
    ),
)
_IT = LanguageRules(
    "it",
    anaphora=_words(
        "lui lei loro esso essa essi esse questo questa questi queste quello quella"
        " ciò suo sua suoi sue"
    ),
    connectives=_words("e ed ma o oppure però quindi dunque inoltre anche così poi infatti"),
    subordinators=_words("quando se sebbene perché mentre come prima dopo poiché benché"),
    say=_words("detto dichiarato spiegato affermato aggiunto sottolineato"),
    abbreviations=_words("sig sigg dott prof ing avv on ecc pag n art"),
    stopwords=_words(
        "il lo la i gli le un uno una di del della dei delle a al alla ai da dal in nel nella"
        " con su per tra fra e o che non si è sono era ha hanno più come ma anche questo"
    ),
)
_PT = LanguageRules(
    "pt",
    anaphora=_words(
        "ele ela eles elas isto isso aquilo este esta estes estas esse essa esses"
        " essas lá seu sua seus suas"
    ),
    connectives=_words("e mas ou porém contudo assim então também além portanto entretanto"),
    subordinators=_words("quando se embora porque enquanto como antes depois"),
    say=_words("disse afirmou explicou declarou acrescentou destacou"),
    abbreviations=_words("sr sra dr dra prof etc pág n art av"),
    stopwords=_words(
        "o a os as um uma de do da dos das em no na nos nas por para com sem sobre que se seu"
        " sua é são foi foram ser ter tem não mais como mas ao aos à também já muito"
    ),
)
_NL = LanguageRules(
    "nl",
    anaphora=_words("hij zij ze hem haar hun dit deze dat die daar"),  # not "het": also "the"
    connectives=_words("en maar of dus toch daarom ook bovendien echter want"),
    subordinators=_words("als toen omdat hoewel terwijl voordat nadat sinds zodra indien"),
    say=_words("zei zegt verklaarde aldus benadrukte schreef"),
    abbreviations=_words("dhr mevr mr dr prof drs ir bijv o.a nr enz blz ca"),
    stopwords=_words(
        "de het een en of in op aan van voor met door naar bij uit over onder is zijn was waren"
        " wordt worden heeft hebben had dat die dit deze niet ook als er te om maar nog wel"
    ),
)
_RU = LanguageRules(
    "ru",
    anaphora=_words(
        "он она оно они его её ее их им ему ей это этот эта эти этого тот та те"
        " там такой такая такие"
    ),
    connectives=_words("и а но или однако поэтому также тоже зато впрочем причем притом ведь"),
    subordinators=_words("когда если хотя потому поскольку пока как прежде после"),
    say=_words("сказал сказала заявил заявила отметил отметила сообщил сообщила пояснил"),
    abbreviations=_words(
        "г гг т.е т.д т.п им ул д пр см стр руб млн млрд тыс коп проф акад ген"
        " янв фев мар апр авг сен сент окт ноя дек"
    ),
    stopwords=_words(
        "и в во не что он на я с со как а то все она так его но да ты к у же вы за бы по только"
        " ее её мне было вот от меня еще ещё нет о из ему для при это этот который которые"
    ),
)
_EN = LanguageRules("en")  # English keeps its own, longer rules (features, shape, compress)
_RULES = {r.code: r for r in (_EN, _FR, _DE, _ES, _IT, _PT, _NL, _RU)}
_NEUTRAL = {"": LanguageRules("")}


def count_words(text: str) -> int:
    """Words of a text; in Chinese and Japanese, which write no spaces, two characters count one."""
    words = len(text.split())
    if text.isascii():
        return words
    cjk = sum(len(run) for run in _CJK_RUN.findall(text))
    per = 3 if _KANA.search(text) else 2
    return words + (cjk + per - 1) // per if cjk else words


def rules(code: str | None) -> LanguageRules:
    """The rules of a language ("de", "pt-BR" -> "pt"); unknown languages get neutral ones."""
    base = (code or "").split("-")[0].split("_")[0].lower()
    return _RULES.get(base) or _NEUTRAL.setdefault(base, LanguageRules(base))


def is_cjk(code: str | None) -> bool:
    return (code or "").split("-")[0].lower() in ("zh", "ja")


def normalise(code: str | None) -> str | None:
    """ "pt-BR" -> "pt", "EN_us" -> "en", "" -> None."""
    base = (code or "").strip().replace("_", "-").split("-")[0].lower()
    return base or None


# Function words that mark one Latin-script language among the eight with rules.
_MARKERS = {
    "en": _words("the and of to is was that with for are have has said from which been were"),
    "fr": _words("le la les des est et une dans pour qui sur au du avec été sont pas"),
    "de": _words("der die und das ist nicht mit den sich des dem auch ein eine von wird"),
    "es": _words("el la los las que y del en por con una para es se fue su al"),
    "it": _words("il che di della per non una sono del alla gli nel anche è ha le"),
    "pt": _words("o que os da do em uma para com não são foi ao dos das é"),
    "nl": _words("de het een en van is dat op te zijn voor met niet die ook bij"),
}


_MARKED: dict[str, tuple[str, ...]] = {}
for _code, _markers in _MARKERS.items():
    for _marker in _markers:
        _MARKED[_marker] = (*_MARKED.get(_marker, ()), _code)


def _latin(sample: str) -> str | None:
    counts = dict.fromkeys(_MARKERS, 0)
    for word in sample.lower().split():
        for code in _MARKED.get(word, ()):
            counts[code] += 1
    ranked = sorted(counts.values(), reverse=True)
    best = max(counts, key=counts.__getitem__)
    hits, second = ranked[0], ranked[1]
    return best if hits >= 8 and hits >= 2 * second else None


def _script(sample: str) -> str | None:
    if sample.isascii() or _NOT_LATIN.search(sample) is None:
        return _latin(sample)
    if _KANA.search(sample):
        return "ja"
    if len(_HAN.findall(sample)) > len(sample) // 10:
        return "zh"
    letters = [ch for ch in sample if ch.isalpha()]
    if not letters:
        return None
    for pattern, code in _SCRIPTS:
        if len(pattern.findall(sample)) > len(letters) // 3:
            return code
    if all(ch < "\u0250" for ch in letters[:200]):  # Latin letters
        return _latin(sample)
    return None


# The languages of the world's news press that py3langid knows (ISO 639-1), and "zxx" (no
# linguistic content), which it may answer for junk and which means "no language".
_NEWS_LANGUAGES = _words(
    "af am ar az be bg bn bs ca cs cy da de el en es et eu fa fi fr ga gl gu ha he hi hr hu hy"
    " id ig is it ja ka kk km kn ko ku ky lb lo lt lv mk ml mn mr ms mt my ne nl nn no pa pl"
    " ps pt ro ru si sk sl so sq sr sv sw ta te th tl tr uk ur uz vi xh yo zh zu zxx"
)
_MIN_CONFIDENCE = 0.5


@cache
def _identifier() -> Any:
    """py3langid's model (about 0.5 s to load, on first use), choosing among news languages."""
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    identifier = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    identifier.set_languages(sorted(_NEWS_LANGUAGES))
    return identifier


def detect(text: str) -> str | None:
    """The language of a text by its script, its function words, else py3langid when it is
    sure enough of a news language; None for empty text or text in no language it knows."""
    sample = text[:_SAMPLE]
    if not sample.strip():
        return None
    found = _script(sample)
    if found is not None:
        return found
    code, confidence = _identifier().classify(sample)
    if code == "zxx" or confidence < _MIN_CONFIDENCE:
        return None
    return str(code)
