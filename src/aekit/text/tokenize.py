"""Sentence splitting and word tokenization with regular expressions.

A dependency-free stand-in for the NLTK ``sent_tokenize``/``word_tokenize`` pair
used in the Packt chapter on sentence autoencoders, tuned for English newswire
(Reuters-21578) and for GloVe's vocabulary: tokens are lowercased, clitics are
split as in the Penn Treebank (``company's`` → ``company 's``, ``didn't`` →
``did n't``), abbreviations keep their period (``u.s.``, ``inc.``, ``jan.``), and
numbers become the single token ``"9"`` as in the chapter, so that ``1,234.5``,
``3.5`` and ``1987/88`` all share one embedding.

Nothing is downloaded: the rules are the regular expressions below, and the whole
Reuters-21578 corpus tokenizes in a few seconds.
"""

from __future__ import annotations

import re

#: What every number becomes, as in the Packt chapter (GloVe has a vector for it).
NUMBER_TOKEN = "9"


def _word_set(words: str) -> frozenset[str]:
    return frozenset(words.split())


# Abbreviations whose period does not end a sentence, lowercase and without the
# period. Words that are also common English words ("ill", "no", "miss") are left
# out, so "he fell ill. Then" still splits; "no" is handled before digits only.
_ABBREVIATIONS = _word_set(
    """
    inc corp co cos ltd plc bhd cie llc bros assn dept govt intl natl
    jan feb mar apr jun jul aug sep sept oct nov dec
    vs etc approx est fig cf viz al ave blvd rd ft mt jr sr
    ala ariz ark calif colo conn fla ga kan ky md mich minn mont neb nev okla
    penn tenn tex vt wis wyo
    """
)
# Titles always precede a name, so even "Mr. The" would not end a sentence.
_TITLES = _word_set(
    "mr mrs ms messrs dr prof sen rep gov gen lt col capt sgt adm maj rev hon st "
    "pres supt"
)
# After an abbreviation that can end a sentence ("... the U.S. The ..."), a new
# sentence is assumed only before one of these words.
_STARTERS = _word_set(
    "The It He She They We But In This That These Those Its His Her Their There "
    "And However Also Under While When If As On At For Some Most"
)

# A sentence may end at . ! or ?, possibly repeated and followed by closing quotes
# or brackets, then whitespace.
_CANDIDATE = re.compile(r"([.!?])[.!?]*[\"')\]]*\s+(?=\S)")
# Blank lines and indented lines start a new paragraph or table row in newswire.
_HARD_BREAK = re.compile(r"\n[ \t]*\n\s*|\n(?:[ \t]{2,}|\t)")
_OPENERS = "\"'([`"

_NUMBER = re.compile(r"\d+(?:[.,/:-]\d+)*")
_NEGATION = re.compile(r"n't\b", re.IGNORECASE)
_CLITICS = r"(?:s|re|ve|ll|d|m)\b"
# Branches are ordered by how cheaply they fail: Python's re tries them in turn at
# every token, and the abbreviation list is only tried for words followed by a
# period (the lookahead), which keeps tokenizing the corpus at a few seconds.
_TOKEN_PATTERN = (
    r"(?=[a-z][a-z.]*\.)(?:"
    r"(?:[a-z]\.){2,}"  # dotted acronyms: u.s. e.g. u.k.
    r"|(?:"
    + "|".join(sorted(_ABBREVIATIONS | _TITLES, key=len, reverse=True))
    + r")\.(?!\w)"  # inc. jan. mr.
    r"|no\.(?=\s*\d)"  # no. 2
    r"|[a-z]\.(?=\s+\w)"  # initials: james a. baker
    r")"
    r"|\d+(?:[.,/:]\d+)+"  # 1,234.5 when numbers are kept
    # Words, joined by - & or an apostrophe that starts no clitic: long-term,
    # at&t, o'neill, and n't (split off by _NEGATION first).
    rf"|[^\W_]+(?:(?:[-&]|'(?!{_CLITICS}))[^\W_]+)*"
    rf"|(?<=\w)'{_CLITICS}"  # 's 're 've 'll 'd 'm
    r"|\.\.\.|--+"
    r"|[^\w\s]|_"
)
_TOKEN = re.compile(_TOKEN_PATTERN)
_TOKEN_ANY_CASE = re.compile(_TOKEN_PATTERN, re.IGNORECASE)


def split_sentences(text: str) -> list[str]:
    """Split text into sentences.

    A sentence ends at ``.``, ``!`` or ``?`` (with any closing quotes or brackets)
    followed by whitespace, and at a blank or indented line. A period does not end
    a sentence after a known abbreviation (``Inc.``, ``Jan.``, ``Calif.``), a
    dotted acronym (``U.S.``), a single-letter initial or ``No.`` before a number,
    unless a typical sentence opener (``The``, ``It``, ``But`` …) follows; never
    after a title (``Mr.``, ``Dr.``). In mixed-case text a period followed by a
    lowercase word does not end a sentence either (``5 dlrs. a share``).

    Parameters
    ----------
    text : str
        Any text; line breaks inside a paragraph are allowed.

    Returns
    -------
    list of str
        The sentences, stripped of surrounding whitespace, in order; empty for
        empty or blank text.

    Raises
    ------
    TypeError
        If ``text`` is not a string.

    Examples
    --------
    >>> split_sentences("U.S. exports rose 3.5 pct. Imports fell.")
    ['U.S. exports rose 3.5 pct.', 'Imports fell.']
    """
    _check_text(text)
    sentences: list[str] = []
    for block in _HARD_BREAK.split(text):
        mixed_case = block != block.lower()
        start = 0
        for match in _CANDIDATE.finditer(block):
            if match.group(1) == "." and not _period_ends_sentence(
                block, match.start(), match.end(), mixed_case
            ):
                continue
            sentences.append(block[start : match.end()].strip())
            start = match.end()
        sentences.append(block[start:].strip())
    return [s for s in sentences if s]


def _period_ends_sentence(block: str, dot: int, after: int, mixed_case: bool) -> bool:
    before = block[max(0, dot - 40) : dot].rsplit(None, 1)
    word = before[-1].lstrip(_OPENERS) if before else ""
    following = block[after : after + 40].split(None, 1)
    next_word = following[0].lstrip(_OPENERS) if following else ""
    if mixed_case and next_word[:1].islower():
        return False
    lower = word.lower()
    if lower in _TITLES:
        return False
    abbreviated = (
        lower in _ABBREVIATIONS
        or (len(word) == 1 and word.isalpha())
        or ("." in word and word.replace(".", "").isalpha())
        or (lower == "no" and next_word[:1].isdigit())
    )
    return not abbreviated or next_word.rstrip(",") in _STARTERS


def tokenize(
    text: str, *, lowercase: bool = True, replace_numbers: bool = True
) -> list[str]:
    """Split one sentence (or any text) into word tokens.

    Tokens are words (``long-term``, ``at&t`` and ``o'neill`` stay whole),
    abbreviations with their period (``u.s.``, ``inc.``), Penn Treebank clitics
    (``'s``, ``n't``, ``'re`` …), numbers, and single punctuation marks (``"``,
    ``,``, ``.``, ``$``, ``%`` …; ``...`` and ``--`` stay whole).

    Parameters
    ----------
    text : str
        Usually one sentence from :func:`split_sentences`; sentence-final periods
        become their own token.
    lowercase : bool, default True
        Lowercase everything, as GloVe's 6B vocabulary is lowercase.
    replace_numbers : bool, default True
        Replace every number, including ``1,234.5``, ``3.5``, ``1987/88``,
        ``1986-87`` and ``15:30``, by :data:`NUMBER_TOKEN` (``"9"``), and every
        digit run inside a word likewise (``mid-1987`` → ``mid-9``), as the Packt
        chapter does.

    Returns
    -------
    list of str
        Empty for empty or blank text.

    Raises
    ------
    TypeError
        If ``text`` is not a string.

    Examples
    --------
    >>> tokenize('The U.S. company\\'s profit rose 1,234.5 mln dlrs, "a record."')
    ['the', 'u.s.', 'company', "'s", 'profit', 'rose', '9', 'mln', 'dlrs', ',', \
'"', 'a', 'record', '.', '"']
    """
    _check_text(text)
    if lowercase:
        text = text.lower()
    if replace_numbers:
        text = _NUMBER.sub(NUMBER_TOKEN, text)
    if "'" in text:
        text = _NEGATION.sub(r" \g<0>", text)
    return (_TOKEN if lowercase else _TOKEN_ANY_CASE).findall(text)


def tokenize_sentences(
    text: str, *, lowercase: bool = True, replace_numbers: bool = True
) -> list[list[str]]:
    """Split text into sentences, then each sentence into tokens.

    Parameters
    ----------
    text : str
        Any text, e.g. the ``text`` of a Reuters document.
    lowercase, replace_numbers : bool, default True
        As for :func:`tokenize`.

    Returns
    -------
    list of list of str
        One token list per sentence of :func:`split_sentences`; sentences without
        any token are left out.

    Examples
    --------
    >>> tokenize_sentences("Profit rose 5 pct. It was a record!")
    [['profit', 'rose', '9', 'pct', '.'], ['it', 'was', 'a', 'record', '!']]
    """
    sentences = (
        tokenize(s, lowercase=lowercase, replace_numbers=replace_numbers)
        for s in split_sentences(text)
    )
    return [tokens for tokens in sentences if tokens]


def _check_text(text: object) -> None:
    if not isinstance(text, str):
        raise TypeError(f"expected a str of text, got {type(text).__name__}")
