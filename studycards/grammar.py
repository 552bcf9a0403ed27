"""English around numbers: "an 84×84 map", "a 12-channel image", "1 channel", "3 channels".

Deck texts call these from their placeholders (``{an(i)}×{i}``, ``{plural(c, 'input channel')}``), so a
template reads right for every number it draws; the text lint (``text_lint.py``) uses the same rules to
catch a text that gets them wrong. Pure functions, no UI.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

from studycards.formula import rounded

# Numbers below 100 whose English name starts with a vowel sound: eight, eleven, eighteen, eighty(-x).
_AN_BELOW_100 = frozenset({8, 11, 18, *range(80, 90)})

# Plurals a placeholder may need that are not simply "+s" (the last word is what changes).
_IRREGULAR = {
    "batch": "batches",
    "axis": "axes",
    "matrix": "matrices",
    "index": "indices",
    "vertex": "vertices",
    "child": "children",
    "box": "boxes",
    "pass": "passes",
    "class": "classes",
}


def reads_with_an(number: Any) -> bool:
    """Whether a number is spoken starting with a vowel sound, so it takes "an": 8, 11, 18, 80–89, 800…

    A whole number is read in groups of three digits from the left ("eleven thousand", "eight hundred
    and five"), so the leading group decides: 11,000 and 18,500 take "an", 1,100 ("one thousand one
    hundred") does not. A decimal is read by its whole part ("eight point five"); a negative number
    starts with "minus".
    """
    if isinstance(number, bool):
        return False
    if isinstance(number, Fraction | float):
        number = int(number)  # a decimal is read by its whole part: 8.5 is "eight point five"
    if not isinstance(number, int) or number < 0:
        return False
    while number >= 1000:
        number //= 1000
    if number >= 100:
        return number // 100 == 8
    return number in _AN_BELOW_100


def article(number: Any) -> str:
    """ "a" or "an", whichever goes before ``number`` read aloud."""
    return "an" if reads_with_an(number) else "a"


def an(number: Any) -> str:
    """The number with its article: ``an(84)`` is "an 84", ``an(12)`` is "a 12"."""
    from studycards.formula import display_value

    return f"{article(number)} {display_value(number)}"


def plural_of(noun: str) -> str:
    """The plural of a noun phrase: its last word takes the plural ("input channel" → "input channels")."""
    head, _, last = noun.rpartition(" ")
    lower = last.lower()
    if lower in _IRREGULAR:
        plural = _IRREGULAR[lower]
    elif lower.endswith(("s", "x", "z", "ch", "sh")):
        plural = last + "es"
    elif lower.endswith("y") and len(lower) > 1 and lower[-2] not in "aeiou":
        plural = last[:-1] + "ies"
    else:
        plural = last + "s"
    return f"{head} {plural}" if head else plural


def noun_for(number: Any, noun: str, plural: str | None = None) -> str:
    """The noun (singular after exactly 1, plural otherwise) without the number: "channel"/"channels"."""
    if number == 1 and not isinstance(number, bool):
        return noun
    return plural if plural is not None else plural_of(noun)


def plural(number: Any, noun: str, plural_form: str | None = None) -> str:
    """The number followed by its noun: ``plural(1, 'channel')`` is "1 channel", ``plural(3, …)`` "3 channels".

    ``plural_form`` spells an irregular plural the rules above do not know (``plural(n, 'mouse', 'mice')``).
    """
    from studycards.formula import display_value

    if not isinstance(noun, str) or (plural_form is not None and not isinstance(plural_form, str)):
        raise TypeError("plural(number, 'noun') needs the noun as a quoted text")
    return f"{display_value(number)} {noun_for(number, noun, plural_form)}"


def outline(placeholder: str) -> str:
    """A placeholder written out where it has no numbers (the rule, in stats): ``an(d)`` → "a d",
    ``plural(c, 'input channel')`` → "c input channels"; any other formula stays as written."""
    import re

    text = placeholder.strip()
    call = re.fullmatch(r"(an|An)\((.+)\)", text)
    if call:
        return f"{'A' if call.group(1) == 'An' else 'a'} {call.group(2).strip()}"
    call = re.fullmatch(r"plural\((.+?),\s*(['\"])(.+?)\2\s*(?:,\s*(['\"])(.+?)\4\s*)?\)", text)
    if call:
        return f"{call.group(1).strip()} {call.group(5) or plural_of(call.group(3))}"
    return text


def _checked_an(number: Any) -> str:
    if isinstance(number, bool) or not isinstance(number, int | Fraction):
        raise TypeError("an(number) needs a number")
    return an(number)


def _checked_an_capital(number: Any) -> str:
    """``An(n)`` starts a sentence: "An 84×84 input", "A 12×12 input"."""
    text = _checked_an(number)
    return text[0].upper() + text[1:]


def fixed(number: Any, digits: Any) -> str:
    """The number with exactly ``digits`` decimals, as a prompt that asks "(two decimals)" wants it shown:
    ``fixed(1.8, 2)`` is "1.80", where ``{round(1.8, 2)}`` would read "1.8"."""
    from studycards.rendering import display_value

    if isinstance(number, bool) or not isinstance(number, int | Fraction):
        raise TypeError("fixed(number, digits) needs a number")
    value = Fraction(rounded(number, digits))
    whole_part = display_value(int(abs(value)))
    sign = "−" if value < 0 else ""
    if digits == 0:
        return sign + whole_part
    decimals = str(abs(value.numerator) * 10**digits // value.denominator % 10**digits).zfill(digits)
    return f"{sign}{whole_part}.{decimals}"


def signed(number: Any) -> str:
    """A term added to a sum, its sign as the operator: ``signed(0.48)`` is "+ 0.48", ``signed(-0.07)``
    "− 0.07", so ``{a} {signed(b)}`` never reads "0.48 + -0.07"."""
    from studycards.rendering import display_value

    if isinstance(number, bool) or not isinstance(number, int | Fraction):
        raise TypeError("signed(number) needs a number")
    return f"− {display_value(-number)}" if number < 0 else f"+ {display_value(number)}"


# What placeholders may call, beyond the formula functions: name → function. ``round`` is the figure after
# "about", rounded as a person rounds.
TEXT_FUNCTIONS = {
    "an": _checked_an, "An": _checked_an_capital, "plural": plural, "fixed": fixed, "signed": signed, "round": rounded,
}  # fmt: skip
