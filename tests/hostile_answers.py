"""Hostile answers: what someone might type into the answer box to break or abuse the checker.

Each entry is ``(label, text)``. ``{marker}`` stands for a file path: if any of these were executed it
would create that file, so a test can prove nothing ran. Builders make the ones too big to write out.
"""

from __future__ import annotations

CODE_EXECUTION: list[tuple[str, str]] = [
    ("import os system", "__import__('os').system('touch {marker}')"),
    ("open for writing", "open('{marker}', 'w').write('x')"),
    ("exec a string", "exec(\"open('{marker}', 'w')\")"),
    ("eval a string", "eval(\"__import__('os').system('touch {marker}')\")"),
    ("compile and exec", "exec(compile('open(\"{marker}\",\"w\")', 'x', 'exec'))"),
    ("pathlib touch", "__import__('pathlib').Path('{marker}').touch()"),
    ("subclasses walk", "().__class__.__base__.__subclasses__()"),
    ("mro walk on a name", "i.__class__.__mro__[1].__subclasses__()"),
    ("builtins dict", "__builtins__.__dict__['open']('{marker}', 'w')"),
    (
        "popen via subclasses",
        "[c for c in ().__class__.__bases__[0].__subclasses__() if c.__name__ == 'Popen'][0]"
        "('touch {marker}', shell=True)",
    ),
    ("globals lookup", "globals()['__builtins__']['open']('{marker}', 'w')"),
    ("lambda call", "(lambda: __import__('os').system('touch {marker}'))()"),
    ("f-string", "f\"{{__import__('os').system('touch {marker}')}}\""),
    ("import statement", "import os; os.system('touch {marker}')"),
    ("statement after newline", "1\n__import__('os').system('touch {marker}')"),
    ("semicolon", "1; open('{marker}', 'w')"),
    ("walrus", "(x := open('{marker}', 'w'))"),
    ("getattr", "getattr(__import__('os'), 'system')('touch {marker}')"),
    ("breakpoint", "breakpoint()"),
    ("input", "input()"),
    ("exit", "exit()"),
    ("help", "help()"),
    ("vars", "vars()"),
    ("format string attack", "'{0.__class__}'.format(1)"),
    ("sympy-style eval bait", "Symbol('x').__class__.__init__.__globals__"),
    ("full-width import", "＿＿import＿＿（'os'）"),
    ("full-width eval", "ｅｖａｌ（１）"),
    ("unicode escape", "\\u005f\\u005fimport\\u005f\\u005f"),
    ("backslash continuation", "1 + \\\n__import__('os')"),
    ("comment", "1 # __import__('os')"),
    ("yield", "(yield)"),
    ("await", "await i"),
    ("ellipsis", "..."),
    ("bytes", "b'x'"),
    ("dict", "{1: 2}"),
    ("set", "{1, 2}"),
    ("starred", "*i"),
    ("keyword argument", "max(i, key=print)"),
    ("double-star argument", "max(**{'i': 1})"),
    ("subscript", "i[0]"),
    ("slice", "(1, 2)[0:1]"),
    ("conditional", "1 if i else 0"),
    ("boolean", "i and k"),
    ("comparison chain", "0 < i < 100"),
    ("bare dunder", "__class__"),
    ("underscore", "_"),
    ("none", "None"),
    ("true", "True"),
]

HUGE_NUMBERS: list[tuple[str, str]] = [
    ("power tower", "9**9**9"),
    ("caret tower", "9^9^9"),
    ("tall tower", "2**2**2**2**2**2"),
    ("ten to the ten to the ten", "10**10**10"),
    ("power of powers", "(10**100)**(10**100)"),
    ("two to the million", "2^1000000"),
    ("product of big powers", "10**500 * 10**500 * 10**500"),
    ("big power with names", "i**i**i**i"),
    ("superscript tower", "2" + "²" * 60),
    ("superscript big exponent", "2" + "⁹" * 40),
    ("scientific huge", "1e999999"),
    ("scientific tiny", "1e-999999"),
    ("scientific long exponent", "1e" + "9" * 100),
    ("long integer", "9" * 199),
    ("long decimal", "0." + "0" * 190 + "1"),
    ("long thousands", ",".join(["999"] * 60)),
    ("floor of a huge irrational", "floor(sqrt(2) * 10^150)"),
    ("irrational tower", "sqrt(2)^511"),
    ("many radicals", "sqrt(2)*sqrt(3)*sqrt(5)*sqrt(7)*sqrt(11)*sqrt(13)*sqrt(17)*sqrt(19)*sqrt(23)"),
    ("radical of a big number", "sqrt(" + "7" * 50 + ")"),
    ("radicals of names", "sqrt(i)*sqrt(k)*sqrt(p + 1)*sqrt(s + 2)"),
    ("nested radicals", "sqrt(sqrt(sqrt(sqrt(sqrt(sqrt(2))))))"),
    ("modulo of a big power", "(7**300) % 13"),
    ("floor division of big powers", "(7**300) // (3**300)"),
    ("max of big powers", "max(" + ", ".join(["9**99"] * 20) + ")"),
    ("zero to a negative power", "0**-1"),
    ("division by zero", "1/0"),
    ("zero over zero", "0/0"),
    ("division by a zero name", "1/(i - i)"),
    ("negative square root", "sqrt(-1)"),
    ("complex literal", "1j"),
    ("hex literal", "0x7fffffff"),
]


def _deep(prefix: str, middle: str, suffix: str, times: int) -> str:
    return prefix * times + middle + suffix * times


NESTING: list[tuple[str, str]] = [
    ("100 brackets", _deep("(", "1", ")", 100)),
    ("1000 brackets", _deep("(", "1", ")", 1000)),
    ("unclosed brackets", "(" * 199),
    ("unary minus chain", "-" * 199 + "1"),
    ("unary plus chain", "+" * 199 + "1"),
    ("inversion chain", "~" * 199 + "1"),
    ("nested floors", _deep("floor(", "1", ")", 30)),
    ("nested lists", _deep("[", "1", "]", 60)),
    ("long sum", "+".join(["1"] * 100)),
    ("long product of names", "*".join(["i"] * 100)),
    ("wide shape", "(" + ",".join(["1"] * 99) + ")"),
    ("wide max", "max(" + ",".join(["1"] * 98) + ")"),
]

CONTROL_AND_UNICODE: list[tuple[str, str]] = [
    ("NUL inside", "1\x002"),
    ("NUL alone", "\x00"),
    ("escape sequence", "\x1b[2J\x1b[31m1"),
    ("bell and backspace", "\x07\x081"),
    ("delete", "1\x7f"),
    ("carriage return overwrite", "999\r1"),
    ("right-to-left override", "\u202e1+1"),
    ("zero-width space", "1\u200b2"),
    ("zero-width joiner", "i\u200dk"),
    ("byte order mark", "\ufeff1"),
    ("private use", "\ue0001"),
    ("lone surrogate", "1\ud800"),
    ("cyrillic i", "і - k + 2*p"),
    ("cyrillic a e o", "аео"),
    ("greek omicron", "ο"),
    ("mathematical italic", "(𝑖 − 𝑘 + 2𝑝)/𝑠 + 1"),
    ("script e", "ℯ**2"),
    ("vulgar fraction", "½"),
    ("circled digit", "①"),
    ("roman numeral", "Ⅳ"),
    ("arabic-indic digit", "٣"),
    ("devanagari digit", "३"),
    ("fullwidth digits and dunder", "１＋＿＿class＿＿"),
    ("combining accent", "i\u0301"),
    ("emoji", "🔥"),
    ("tab and newlines only", "\t\n\r"),
]


FUNCTIONS_AND_FORMS: list[tuple[str, str]] = [
    ("exp tower", "exp(exp(exp(99)))"),
    ("exp of a huge number", "exp(10**150)"),
    ("exp of a huge negative number", "exp(-10**150)"),
    ("exp just past its range", "exp(301)"),
    ("exp squared past the bounds", "exp(300)*exp(300)"),
    ("exp to a big power", "exp(300)^512"),
    ("log of zero", "log(0)"),
    ("log of a negative number", "log(-1)"),
    ("log of a zero name", "log(i - i)"),
    ("log of a log of a small number", "log(log(0.5))"),
    ("log of a tiny number", "log(1e-60)"),
    ("tanh of a huge number", "tanh(10**150)"),
    ("sigmoid of a huge negative number", "sigmoid(-10**150)"),
    ("nested sigma", _deep("σ(", "1", ")", 19)),
    ("nested exp", _deep("exp(", "1", ")", 19)),
    ("nested log", _deep("log(", "9", ")", 19)),
    ("tanh to a big power", "tanh(1)^512"),
    ("function without brackets", "exp 1"),
    ("function with two arguments", "log(8, 2)"),
    ("function as a keyword call", "exp(x=1)"),
    ("many times signs", "8" + "×8" * 99),
    ("dangling times sign", "8×"),
    ("leading times sign", "×8"),
    ("times signs only", "×××"),
    ("decimal comma", "0,416"),
    ("zero-led thousands", "0,000,001"),
    ("superscript three", "³"),
    ("circled three", "③"),
    ("vulgar fraction", "½"),
]


def long_inputs() -> list[tuple[str, str]]:
    return [
        ("201 characters", "1" * 201),
        ("ten thousand letters", "a" * 10_000),
        ("long sum", "1+" * 5000 + "1"),
        ("million digits", "1" * 1_000_000),
        ("million spaces then a number", " " * 1_000_000 + "1"),
        ("megabyte of brackets", "(" * 1_000_000),
    ]


def corpus(marker: str) -> list[tuple[str, str]]:
    """Every hostile answer, ``{marker}`` replaced by the file a successful attack would create."""
    entries = CODE_EXECUTION + HUGE_NUMBERS + NESTING + CONTROL_AND_UNICODE + FUNCTIONS_AND_FORMS + long_inputs()
    return [(label, text.replace("{marker}", marker)) for label, text in entries]
