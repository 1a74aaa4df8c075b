"""Editable text templates of the agreement documents (resources/clauses/*.md).

A template is a Markdown-like file the coordination can adapt without touching the code:
- an optional first line "# Titre" gives the document's title (placeholders allowed);
- each section starts with "## N. Titre"; paragraphs are separated by a blank line, a line
  starting with "- " is a bullet, **text** prints in bold;
- the line "{{donnees}}" marks where the section's table goes (without it, the table follows
  the text);
- "{champ}" placeholders are filled from the database; an unknown one stays visible between
  square brackets, an empty one prints as a blank to fill in by hand;
- a paragraph or bullet starting with a condition prints only when it holds: "{?champ}" when
  the field is filled, "{?!champ}" when it is empty, "{?champ=valeur}" when the field is that
  value, "{?!champ=valeur}" when it is not (an unknown field prints the text, with the
  condition visible between square brackets);
- <!-- comments --> are not printed.
Template and values are both escaped, so markup typed anywhere prints literally.
"""

import functools
import re
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape

from reportlab.lib.styles import ParagraphStyle
from reportlab.platypus import Flowable, KeepTogether

from app.pdf.layout import BLANK, escape_text, section_heading
from app.pdf.paragraph import Paragraph
from app.resources_access import resource

__all__ = [
    "CLAUSES_DIR",
    "DATA_MARKER",
    "Clause",
    "Template",
    "clause_section",
    "fill_placeholders",
    "load_template",
    "parse_clauses",
    "template_sections",
]

CLAUSES_DIR = resource("clauses")
DATA_MARKER = "{{donnees}}"
PARSED_TEMPLATES = 32  # distinct template texts kept parsed (four documents, a few edits)

_HEADING = re.compile(r"^##\s+(\d+)\s*[.)]?\s*(.*?)\s*$")
_TITLE = re.compile(r"^#\s+(.*?)\s*$")
_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)
_PLACEHOLDER = re.compile(r"\{([A-Za-z_][\w.]*)\}")
_BOLD = re.compile(r"\*\*(.+?)\*\*")
_CONDITION = re.compile(r"^\{\?(!?)([A-Za-z_][\w.]*)(?:=([^}]*))?\}\s*")


@dataclass(frozen=True)
class Clause:
    number: int
    title: str
    # ("p", text), ("li", text) or ("data", ""): raw template text, not yet escaped.
    blocks: tuple[tuple[str, str], ...]

    @property
    def bullets(self) -> tuple[str, ...]:
        return tuple(text for kind, text in self.blocks if kind == "li")


@dataclass(frozen=True)
class Template:
    title: str  # raw, placeholders not yet filled; "" when the file has none
    clauses: dict[int, Clause]


def _clean(text: str) -> str:
    return _COMMENT.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))


def parse_clauses(text: str, default_titles: Mapping[int, str] | None = None) -> dict[int, Clause]:
    """Sections of a template: "## N. Titre" headings followed by paragraphs; a line
    starting with "- " is a bullet, "{{donnees}}" marks where the section's table goes.
    A heading without a title takes the one of `default_titles`.

    The result is kept per text: a file read again with the same content is not parsed
    again, an edited file (whatever its date or size) is."""
    defaults = tuple(sorted((default_titles or {}).items()))
    return dict(_parsed_clauses(text, defaults))


@functools.lru_cache(maxsize=PARSED_TEMPLATES)
def _parsed_clauses(
    text: str, default_titles: tuple[tuple[int, str], ...]
) -> tuple[tuple[int, Clause], ...]:
    defaults = dict(default_titles)
    result: dict[int, Clause] = {}
    number: int | None = None
    title = ""
    blocks: list[tuple[str, str]] = []
    paragraph: list[str] = []

    def flush_paragraph() -> None:
        if paragraph:
            blocks.append(("p", " ".join(paragraph)))
            paragraph.clear()

    def flush_clause() -> None:
        flush_paragraph()
        if number is not None and number not in result:
            result[number] = Clause(number, title or defaults.get(number, ""), tuple(blocks))
        blocks.clear()

    for raw in _clean(text).split("\n"):
        line = raw.strip()
        heading = _HEADING.match(line)
        if heading:
            flush_clause()
            number, title = int(heading.group(1)), heading.group(2)
            continue
        if number is None:
            continue
        if not line:
            flush_paragraph()
        elif line == DATA_MARKER:
            flush_paragraph()
            blocks.append(("data", ""))
        elif line.startswith(("- ", "* ")):
            flush_paragraph()
            blocks.append(("li", line[2:].strip()))
        else:
            paragraph.append(line)
    flush_clause()
    return tuple(result.items())


def _title(text: str) -> str:
    for raw in _clean(text).split("\n"):
        line = raw.strip()
        if line.startswith("##"):
            return ""
        match = _TITLE.match(line)
        if match:
            return match.group(1)
    return ""


def load_template(
    name: str, path: Path | None = None, default_titles: Mapping[int, str] | None = None
) -> Template:
    """The template `path`, by default resources/clauses/<name>.md, read at each call (so an
    edit shows in the next document) and parsed once per content."""
    text = (path or CLAUSES_DIR / f"{name}.md").read_text(encoding="utf-8")
    return Template(title=_title(text), clauses=parse_clauses(text, default_titles))


def fill_placeholders(template: str, values: Mapping[str, str]) -> str:
    """Paragraph markup for a template text: the template and the values are escaped,
    **bold** becomes bold, an empty value prints as a blank to fill in by hand and an
    unknown placeholder stays visible between square brackets."""

    def replace(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in values:
            return f"[{name}]"
        value = values[name].strip()
        return escape_text(value) if value else BLANK

    filled = _PLACEHOLDER.sub(replace, escape(template))
    return _BOLD.sub(r"<b>\1</b>", filled)


def _condition(text: str, values: Mapping[str, str]) -> tuple[bool, str]:
    """Whether a block starting with "{?champ}", "{?!champ}", "{?champ=valeur}" or
    "{?!champ=valeur}" prints, and its text without the condition."""
    match = _CONDITION.match(text)
    if match is None:
        return True, text
    negated, name, expected = match.groups()
    rest = text[match.end() :]
    if name not in values:
        return True, f"[{match.group(0).strip()[1:-1]}] {rest}"
    value = values[name].strip()
    holds = value == expected.strip() if expected is not None else bool(value)
    return holds != bool(negated), rest


def clause_paragraphs(
    blocks: Sequence[tuple[str, str]], values: Mapping[str, str], style: dict[str, ParagraphStyle]
) -> list[Flowable]:
    """The text blocks as paragraphs and bullets ("data" blocks are skipped)."""
    flow: list[Flowable] = []
    for kind, raw in blocks:
        shown, text = _condition(raw, values)
        if not shown:
            continue
        if kind == "li":
            flow.append(Paragraph(fill_placeholders(text, values), style["bullet"], bulletText="–"))
        elif kind == "p":
            flow.append(Paragraph(fill_placeholders(text, values), style["clause"]))
    return flow


def clause_section(
    heading_markup: str,
    clause: Clause | None,
    data_flow: list[Flowable],
    values: Mapping[str, str],
    style: dict[str, ParagraphStyle],
    *,
    keep_whole: bool = False,
    bullets: bool = True,
) -> list[Flowable]:
    """A heading (none when `heading_markup` is empty), the section's text with `data_flow`
    where its "{{donnees}}" line stands (after the text without one). The heading never
    stays alone at the foot of a page, nor does a paragraph ending with ":" leave its first
    bullet. With `bullets` false the bullets are not printed (a section whose bullets feed a
    table)."""
    # Groups of flowables printed on one page; the data block is one group when kept whole.
    data_groups = [data_flow] if keep_whole and data_flow else [[f] for f in data_flow]
    groups: list[list[Flowable]] = []
    placed = False
    lead_in = False  # the last group is a paragraph announcing a list
    for kind, text in clause.blocks if clause else ():
        if kind == "data":
            if not placed:
                groups += data_groups
                placed = True
            lead_in = False
        elif bullets or kind != "li":
            printed = clause_paragraphs(((kind, text),), values, style)
            if not printed:
                continue
            if lead_in and kind == "li":
                groups[-1] += printed
            else:
                groups += [[f] for f in printed]
            lead_in = kind == "p" and text.rstrip().endswith(":")
    if not placed:
        groups += data_groups
    kept = [KeepTogether(group) if len(group) > 1 else group[0] for group in groups]
    if not heading_markup:
        return kept
    heading = section_heading(heading_markup, style)
    first = groups[0] if groups else []
    return [*heading[:1], KeepTogether([*heading[1:], *first]), *kept[1:]]


def template_sections(
    template: Template,
    default_titles: Mapping[int, str],
    blocks: Mapping[int, list[Flowable]],
    values: Mapping[str, str],
    style: dict[str, ParagraphStyle],
    *,
    heading: Callable[[int, str], str],
    hidden: Collection[int] = (),
    keep_whole: Collection[int] = (),
    table_bullets: Collection[int] = (),
) -> list[Flowable]:
    """Every section of the document in number order: those the code knows (with their
    default title when the file lacks them) and those the file adds. A section without a
    title prints without a heading; the others are headed `heading(rank, title_markup)`,
    rank counting the headed sections from 1. `hidden` sections print nothing (their
    bullets feed a table); the bullets of `table_bullets` sections are left to their
    table."""
    flow: list[Flowable] = []
    rank = 0
    for number in sorted(set(default_titles) | set(template.clauses)):
        if number in hidden:
            continue
        clause = template.clauses.get(number)
        title = (clause.title if clause else "") or default_titles.get(number, "")
        markup = ""
        if title:
            rank += 1
            markup = heading(rank, fill_placeholders(title, values))
        flow += clause_section(
            markup,
            clause,
            list(blocks.get(number, [])),
            values,
            style,
            keep_whole=number in keep_whole,
            bullets=number not in table_bullets,
        )
    return flow
