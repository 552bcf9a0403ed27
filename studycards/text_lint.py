"""The words of a generated question, checked the way ``check`` checks its numbers.

Every text a learner reads (the prompt, the worked solution, each listed mistake's feedback and the torch
line) must read as if a person wrote it for that very question. A template slip shows up as one of:

- ``template-syntax``: template code in the text (``==``, ``… if … else …``, a leftover ``{`` or ``}``);
- ``bare-name``: a card's name written where its value belongs. Seen in the *template*, outside ``{}``:
  a name in a sum or product beside filled-in values (``{k}·d``), a name after ``=`` once values have
  been filled in (``{k}·{d} = answer``), or a name in a place where the card elsewhere writes that
  placeholder (``half filters`` beside ``{half} filters``, ``convL`` beside ``conv{L}``). Formulas
  written in letters, ``(i − k + 2p)/s + 1``, are left alone; a deck lists in ``plain_names`` the
  names it means to write as words;
- ``article``: "a" before a number read with "an" ("a 84×84"), or "an" before one read with "a";
- ``plural``: a plural noun after 1 ("1 input channels");
- ``hedged-plural``: a noun that hedges its number ("3 block(s)"): the template knows the number, so
  ``{plural(n, 'block')}`` says it;
- ``sign``: a plus before a negative number ("0.48 + −0.07"): ``{signed(x)}`` writes "− 0.07";
- ``zero-term``: a term that is zero times something ("64 + 0·(3·3·64·64 + 64)"), a step the question
  does not have;
- ``mixed-grouping``: one formula writing some numbers with thousands separators and others without
  ("512·2048 + 2,048"): a deck's literal numbers from 1,000 on are grouped, as its values are;
- ``precision``: a prompt that asks for some number of decimals ("(three decimals)") on a card whose
  ``decimals`` field says otherwise, so the answer shown would not be the one asked for.

Code blocks (fenced with ``` in a deck text) and `backticks` are code, not prose: only the template
syntax rule looks inside them. The core, no UI: ``check`` reports these problems, tests call them.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from studycards.deck import PLACEHOLDER, CardTemplate, _unescape_braces
from studycards.grammar import reads_with_an
from studycards.text_blocks import QUIZ_BLOCK_WIDTH


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


_STOP_WORDS = _words(
    "the a an and or of to in is are be was with for by on at as it its not no per each from than that this "
    "then so but if else one both all any every only here there"
)
# Words ending in s that follow a number without being a plural noun ("stride 1 keeps the size").
_NOT_PLURAL = _words(
    "is was has does goes keeps stays gives makes takes means needs counts adds holds sees reads runs "
    "uses looks moves shows sums becomes remains leaves starts ends grows shrinks halves doubles divides "
    "multiplies applies works acts contains plus minus thus its this his yes less unless across bias always "
    "as us gas lens axis basis analysis"
)
# Words after which "1" is a label or a value, not a count: "sums to 1 contains", "stride 1 keeps".
_ONE_IS_NOT_A_COUNT = _words(
    "to equals is be than stride padding dilation dim dimension index step layer option axis position"
)
_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_TOKEN = re.compile(
    r"(?P<value>\x00)|(?P<number>\d+(?:\.\d+)?[A-Za-z_]*)|(?P<word>[A-Za-z_][A-Za-z0-9_]*)"
    r"|(?P<op>[+\-−·×*/^=÷])|(?P<open>[(\[])|(?P<close>[)\]])|(?P<space>[ \t]+)|(?P<other>.)",
    re.S,
)


@dataclass(frozen=True)
class TextProblem:
    """One text of one question that does not read right: where, which rule, and the words at fault."""

    field: str
    rule: str
    words: str

    def __str__(self) -> str:
        return f"field {self.field!r}: {_RULE_TEXT[self.rule]}: “{self.words}”"


_RULE_TEXT = {
    "template-syntax": "template syntax in the text",
    "bare-name": "a name where its value belongs",
    "article": "wrong article before a number",
    "plural": "a plural after 1",
    "hedged-plural": "a plural hedged with (s) where the number is known",
    "sign": "a plus before a negative number",
    "zero-term": "a term that is zero times something",
    "mixed-grouping": "a formula with some numbers grouped (2,048) and others not (2048)",
    "precision": "the decimals the prompt asks for differ from the card's decimals field",
    "block-width": f"a block line wider than the {QUIZ_BLOCK_WIDTH} columns an 80-column quiz shows",
}


# --- the rendered text ------------------------------------------------------------------------------


def text_problems(text: str, field: str, template: str | None = None) -> list[TextProblem]:
    """Problems in one rendered text; ``template`` (its deck text) tells escaped braces from leftovers."""
    return list(_text_problems(text, field, template))


@functools.lru_cache(maxsize=8192)
def _text_problems(text: str, field: str, template: str | None) -> tuple[TextProblem, ...]:
    """Remembered: a feedback or torch line that uses a few of a card's values reads the same at many
    seeds, and ``check`` reads hundreds of them per card."""
    from studycards.text_blocks import segments

    problems: list[TextProblem] = []
    escaped = 0 if template is None else template.count("{{") + template.count("}}")
    braces = [m for m in re.finditer(r"[{}]", text)]
    if len(braces) > escaped:
        problems.append(TextProblem(field, "template-syntax", _around(text, braces[0].start())))
    for segment in segments(text):
        if segment.block:
            problems += [
                TextProblem(field, "block-width", line) for line in segment.lines if len(line) > QUIZ_BLOCK_WIDTH
            ]
            continue
        prose = _without_backticks(segment.text)
        for pattern in (r"==|!=", r"\bif\b[^\n.;:?!]*?\belse\b"):
            match = re.search(pattern, prose)
            if match:
                problems.append(TextProblem(field, "template-syntax", _around(prose, match.start())))
        problems += _article_problems(prose, field)
        problems += _plural_problems(prose, field)
        problems += _grouping_problems(prose, field)
        for rule, pattern in _PATTERN_RULES:
            problems += [TextProblem(field, rule, _around(prose, m.start())) for m in re.finditer(pattern, prose)]
    return tuple(problems)


_NUMBER = r"(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?"
# Numbers joined by operators (a comma followed by a space is a tuple's or a sentence's, not a formula's).
_FORMULA_RUN = re.compile(rf"{_NUMBER}(?:[ ()]*[·×*/+−\-=²][ ()]*{_NUMBER})+")
_GROUPED = re.compile(r"(?<![\d.])\d{1,3}(?:,\d{3})+(?![\d])")
_UNGROUPED = re.compile(r"(?<![\d,.])\d{4,}(?![\d,])")


def _grouping_problems(text: str, field: str) -> list[TextProblem]:
    """A formula run that groups some of its numbers and not others ("512·2048 + 2,048")."""
    found = []
    for line in text.splitlines():
        for run in _FORMULA_RUN.finditer(line):
            if _GROUPED.search(run.group(0)) and _UNGROUPED.search(run.group(0)):
                found.append(TextProblem(field, "mixed-grouping", run.group(0).strip()))
    return found


_PATTERN_RULES = (
    ("hedged-plural", r"[a-z]\(s\)"),
    ("sign", r"[+−-] *\(?[−-] ?\d"),
    ("zero-term", r"(?<![\d.,])0 ?[·×*] ?\("),
)


def _article_problems(text: str, field: str) -> list[TextProblem]:
    found = []
    for match in re.finditer(r"(?<![\w'’-])([Aa]n?) (\d[\d,]*(?:\.\d+)?)(?![\d])", text):
        number = int(match.group(2).split(".")[0].replace(",", ""))
        wants = "an" if reads_with_an(number) else "a"
        if match.group(1).lower() != wants:
            found.append(TextProblem(field, "article", match.group(0)))
    return found


def _plural_problems(text: str, field: str) -> list[TextProblem]:
    found = []
    pattern = r"(?<![\w.,×·/^−\-+*=(\[])1 (?:([a-z][a-z-]*) )?([a-z]+s)\b(?![(\[])"
    for match in re.finditer(pattern, text):
        first, noun = match.group(1), match.group(2)
        if _neighbour(text[: match.start()], backwards=True) in _ONE_IS_NOT_A_COUNT:
            continue
        if first is not None and (first in _NOT_PLURAL or first in _STOP_WORDS or first.endswith("s")):
            continue
        if noun in _NOT_PLURAL or noun.endswith(("ss", "us", "is")) or len(noun) < 3:
            continue
        found.append(TextProblem(field, "plural", match.group(0)))
    return found


# --- the template: names outside placeholders -------------------------------------------------------


def template_problems(card: CardTemplate) -> list[TextProblem]:
    """Names a card's texts write where their values belong, and a precision asked that the card does not
    show: seen once per card, in its templates."""
    names = (set(card.params) | set(card.derived) | {"answer"}) - set(card.plain_names)
    texts = list(card_texts(card))
    before, after, glued = _placeholder_contexts(text for _, text in texts)
    problems: list[TextProblem] = _precision_problems(card)
    for field, template in texts:
        for line in _prose_lines(template):
            problems += _names_in_line(line, field, names, before, after, glued)
    return problems


_DECIMAL_WORDS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6}
_DECIMALS_ASKED = re.compile(r"\b(one|two|three|four|five|six|\d) decimals?\b", re.I)


def _precision_problems(card: CardTemplate) -> list[TextProblem]:
    """A prompt asking "(three decimals)" must be a card that shows three: ``decimals = 3``."""
    match = _DECIMALS_ASKED.search(card.prompt)
    if match is None:
        return []
    word = match.group(1).lower()
    asked = int(word) if word.isdigit() else _DECIMAL_WORDS[word]
    if card.decimals == asked:
        return []
    shown = "not set" if card.decimals is None else card.decimals
    return [TextProblem("prompt", "precision", f"{match.group(0)} (decimals = {shown})")]


def card_texts(card: CardTemplate) -> Iterable[tuple[str, str]]:
    """(field, template) for every text of a card the learner reads."""
    yield "prompt", card.prompt
    for index, option in enumerate(card.choices, start=1):
        yield f"choices[{index}]", option
    yield "solution", card.solution
    for mistake in card.mistakes:
        yield f"mistakes.{mistake.id}.feedback", mistake.feedback


def _prose_lines(template: str) -> list[str]:
    """The template's prose lines, code blocks and backticks left out; placeholders as ``\\x00``."""
    from studycards.text_blocks import segments

    masked = PLACEHOLDER.sub("\x00", _unescape_braces(template))
    lines: list[str] = []
    for segment in segments(masked):
        if not segment.block:
            lines += _without_backticks(segment.text).splitlines()
    return lines


def _placeholder_contexts(templates: Iterable[str]) -> tuple[set, set, set]:
    """Where the card writes a lone ``{name}``: the word before it, the word after it, a word glued to it."""
    before: set[tuple[str, str]] = set()
    after: set[tuple[str, str]] = set()
    glued: set[str] = set()
    for template in templates:
        text = _unescape_braces(template)
        for match in PLACEHOLDER.finditer(text):
            name = match.group(1).strip()
            if not name.isidentifier():
                continue
            head = text[: match.start()]
            tail = text[match.end() :]
            prefix = re.search(r"([A-Za-z]+)$", head)
            if prefix:
                glued.add(prefix.group(1) + name)
            word = re.search(r"([A-Za-z_]+)[ \t]+$", head)
            if word and word.group(1).lower() not in _STOP_WORDS:
                before.add((word.group(1).lower(), name))
            word = re.match(r"[ \t]+([A-Za-z_]+)", tail)
            if word and word.group(1).lower() not in _STOP_WORDS:
                after.add((name, word.group(1).lower()))
    return before, after, glued


def _names_in_line(
    line: str, field: str, names: set[str], before: set, after: set, glued: set
) -> list[TextProblem]:
    problems: list[TextProblem] = []
    for word in _WORD.finditer(line):
        token = word.group(0)
        if token in glued and token not in names:
            problems.append(TextProblem(field, "bare-name", _shown(line, word.start(), word.end())))
    for match in _WORD.finditer(line):
        token, start, end = match.group(0), match.start(), match.end()
        if token not in names or _glued_to_word(line, start, end) or _beside_operator(line, start, end):
            continue  # a name inside a formula in letters, (i − k + 2p)/s: the runs below judge it
        previous = _neighbour(line[:start], backwards=True)
        following = _neighbour(line[end:], backwards=False)
        if (previous, token) in before or (token, following) in after:
            problems.append(TextProblem(field, "bare-name", _shown(line, start, end)))
    for run in _runs(line):
        problems += _names_in_run(run, field, names)
    return problems


def _glued_to_word(line: str, start: int, end: int) -> bool:
    return (start and (line[start - 1].isalnum() or line[start - 1] in "_'’")) or (
        end < len(line) and (line[end].isalnum() or line[end] in "_")
    )


def _beside_operator(line: str, start: int, end: int) -> bool:
    left = line[:start].rstrip(" \t")
    right = line[end:].lstrip(" \t")
    return bool(left and left[-1] in _OPERATORS) or bool(right and right[0] in _OPERATORS)


_OPERATORS = "+-−·×*/^=÷()[]²³"


def _neighbour(text: str, backwards: bool) -> str | None:
    match = re.search(r"([A-Za-z_]+)[ \t]+$", text) if backwards else re.match(r"[ \t]+([A-Za-z_]+)", text)
    return match.group(1).lower() if match else None


def _runs(line: str) -> list[list[tuple[str, str]]]:
    """Stretches of a line that read as one formula: operands joined by operators or brackets."""
    runs: list[list[tuple[str, str]]] = []
    current: list[tuple[str, str]] = []
    joined = True  # whether the next operand continues the current run
    for match in _TOKEN.finditer(line):
        kind = match.lastgroup or "other"
        text = match.group(0)
        if kind == "space":
            continue
        if kind in ("value", "number", "word"):
            if not joined and current:
                runs.append(current)
                current = []
            current.append((kind, text))
            joined = False
        elif kind in ("op", "open", "close"):
            current.append((kind, text))
            joined = kind != "close"
        else:
            if current:
                runs.append(current)
            current, joined = [], True
    if current:
        runs.append(current)
    return [run for run in runs if any(kind == "op" for kind, _ in run)]


def _names_in_run(run: Sequence[tuple[str, str]], field: str, names: set[str]) -> list[TextProblem]:
    """A name beside filled-in values on one side of ``=``, or a lone name after a side with values."""
    sides: list[list[tuple[str, str]]] = [[]]
    for kind, text in run:
        if text == "=":
            sides.append([])
        else:
            sides[-1].append((kind, text))
    problems = []
    seen_values = False
    for side in sides:
        has_value = any(kind == "value" for kind, _ in side)
        bare = [text for kind, text in side if kind == "word" and text in names]
        operands = [text for kind, text in side if kind in ("value", "number", "word")]
        if bare and (has_value or (seen_values and operands == bare)):
            problems.append(TextProblem(field, "bare-name", _run_text(run)))
            break
        seen_values = seen_values or has_value
    return problems


def _run_text(run: Sequence[tuple[str, str]]) -> str:
    return " ".join("{…}" if kind == "value" else text for kind, text in run)


def _shown(line: str, start: int, end: int) -> str:
    left = max(0, start - 25)
    right = min(len(line), end + 25)
    return line[left:right].replace("\x00", "{…}").strip()


# --- helpers ---------------------------------------------------------------------------------------


def _without_backticks(text: str) -> str:
    return re.sub(r"`[^`\n]*`", lambda m: " " * len(m.group(0)), text)


def _around(text: str, at: int) -> str:
    line_start = text.rfind("\n", 0, at) + 1
    line_end = text.find("\n", at)
    line = text[line_start : line_end if line_end >= 0 else len(text)]
    offset = at - line_start
    return line[max(0, offset - 30) : offset + 30].strip()


# --- a whole question ------------------------------------------------------------------------------


def question_problems(question, torch_lines: Sequence[str] = ()) -> list[TextProblem]:
    """Every rendered text of one question: prompt, options, solution, each mistake's feedback, the torch line."""
    from studycards.question import fill

    card = question.card
    problems = text_problems(question.prompt, "prompt", card.prompt)
    problems += text_problems(question.solution, "solution", card.solution)
    for index, option in enumerate(card.choices, start=1):
        problems += text_problems(fill(option, question.values), f"choices[{index}]", option)
    templates = {mistake.id: mistake.feedback for mistake in card.mistakes}
    for shown in question.mistakes_shown():
        field = f"mistakes.{shown['id']}.feedback"
        problems += text_problems(shown["feedback"], field, templates[shown["id"]])
    return problems + torch_line_problems(torch_lines)


def torch_line_problems(torch_lines: Sequence[str]) -> list[TextProblem]:
    """The torch line is text the learner reads too: no template syntax, articles and plurals right."""
    return [problem for line in torch_lines for problem in text_problems(line, "torch line")]
