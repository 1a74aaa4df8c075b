"""The LibreOffice comparison of issue 6: the same convention de stage written as an
equivalent ODT and converted by `soffice --headless --convert-to pdf`, against our own PDF.

    python3 -m tests.benchmarks.libreoffice                    # /tmp/fabrique-bench.sqlite
    python3 -m tests.benchmarks.libreoffice --db PATH --repeat 10 --keep /tmp/lo

The ODT is not written by hand: it is translated, flowable by flowable, from the very story
app/pdf/convention.py lays out (title and summary, the 16 articles with the clauses of
resources/clauses/convention.md filled in, the party, hours, supervision, insurance and
signature tables, the annex), with the same page header and footer. Not part of the CI run.
"""

import argparse
import html
import json
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from datetime import date
from io import BytesIO
from pathlib import Path
from typing import Any
from xml.etree import ElementTree
from xml.sax.saxutils import escape, quoteattr

from pypdf import PdfReader
from reportlab.lib.colors import Color
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import (
    CondPageBreak,
    Flowable,
    KeepTogether,
    PageBreak,
    Paragraph,
    Spacer,
    Table,
)
from reportlab.platypus.flowables import HRFlowable

from app.pdf import convention, layout
from app.pdf.convention_data import ConventionData
from app.pdf.fonts import FONT_BOLD, FONT_ITALIC, register_fonts

__all__ = ["TARGET_RATIO", "measure", "write_convention_odt"]

TARGET_RATIO = 20  # issue 6: our PDF at least 20 times faster than LibreOffice headless
FONT = "DejaVu Sans"  # the family our PDF embeds; LibreOffice takes it from the system fonts

_NAMESPACES = " ".join(
    f'xmlns:{prefix}="{uri}"'
    for prefix, uri in {
        "office": "urn:oasis:names:tc:opendocument:xmlns:office:1.0",
        "style": "urn:oasis:names:tc:opendocument:xmlns:style:1.0",
        "text": "urn:oasis:names:tc:opendocument:xmlns:text:1.0",
        "table": "urn:oasis:names:tc:opendocument:xmlns:table:1.0",
        "fo": "urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0",
        "svg": "urn:oasis:names:tc:opendocument:xmlns:svg-compatible:1.0",
        "meta": "urn:oasis:names:tc:opendocument:xmlns:meta:1.0",
        "dc": "http://purl.org/dc/elements/1.1/",
    }.items()
)
_ALIGN = {0: "start", 1: "center", 2: "end", 4: "justify"}
_VALIGN = {"TOP": "top", "MIDDLE": "middle", "BOTTOM": "bottom"}
_OUTLINE = {"h1": 1, "annex_title": 1, "h2": 2}  # reportlab style → heading level
_SIDES = ("top", "bottom", "left", "right")


# --------------------------------------------------------------------------- small helpers


def _pt(value: float) -> str:
    return f"{value:.2f}".rstrip("0").rstrip(".") + "pt"


def _hex(color: Any) -> str:
    return "#" + color.hexval()[2:] if isinstance(color, Color) else "#000000"


def _flatten(flowables: Iterable[Flowable]) -> Iterator[Flowable]:
    """The flowables in reading order; KeepTogether only matters to reportlab's pagination."""
    for flowable in flowables:
        if isinstance(flowable, KeepTogether):
            yield from _flatten(flowable._content)
        else:
            yield flowable


def _index(value: Any, count: int) -> int | None:
    if not isinstance(value, int):
        return None  # "splitfirst" and the like: not used by our documents
    return value + count if value < 0 else value


def _cell_range(
    start: tuple[Any, Any], stop: tuple[Any, Any], table: Table
) -> tuple[range, range] | None:
    """(rows, columns) a style command covers, negative indices resolved."""
    sc, sr = _index(start[0], table._ncols), _index(start[1], table._nrows)
    ec, er = _index(stop[0], table._ncols), _index(stop[1], table._nrows)
    if sc is None or sr is None or ec is None or er is None:
        return None
    return range(sr, er + 1), range(sc, ec + 1)


def _borders(table: Table) -> dict[tuple[int, int], dict[str, str]]:
    """fo:border values per cell, from reportlab's line commands (later ones win)."""
    result: dict[tuple[int, int], dict[str, str]] = {}
    for op, start, stop, weight, color, *_ in table._linecmds:
        covered = _cell_range(start, stop, table)
        if covered is None or not weight:
            continue
        rows, cols = covered
        line = f"{_pt(weight)} solid {_hex(color)}"
        for r in rows:
            for c in cols:
                sides = {
                    "GRID": _SIDES,
                    "BOX": _edge_sides(r, c, rows, cols),
                    "OUTLINE": _edge_sides(r, c, rows, cols),
                    "INNERGRID": tuple(s for s in _SIDES if s not in _edge_sides(r, c, rows, cols)),
                    "LINEABOVE": ("top",),
                    "LINEBELOW": ("bottom",),
                    "LINEBEFORE": ("left",),
                    "LINEAFTER": ("right",),
                }.get(op, ())
                for side in sides:
                    result.setdefault((r, c), {})[side] = line
    return result


def _edge_sides(r: int, c: int, rows: range, cols: range) -> tuple[str, ...]:
    edges = {"top": r == rows[0], "bottom": r == rows[-1], "left": c == cols[0]}
    edges["right"] = c == cols[-1]
    return tuple(side for side, on_edge in edges.items() if on_edge)


def _backgrounds(table: Table) -> dict[tuple[int, int], str]:
    result: dict[tuple[int, int], str] = {}
    for op, start, stop, color, *_ in table._bkgrndcmds:
        covered = _cell_range(start, stop, table)
        if op != "BACKGROUND" or covered is None or not isinstance(color, Color):
            continue
        for r in covered[0]:
            for c in covered[1]:
                result[(r, c)] = _hex(color)
    return result


# --------------------------------------------------------------------------- story → ODF


class _OdfBody:
    """The office:text of a reportlab story, and the styles it needs."""

    def __init__(self) -> None:
        self.paragraph_styles: dict[str, ParagraphStyle] = {}
        self.automatic: dict[str, str] = {}  # automatic style XML by name, in creation order
        self._names: dict[str, str] = {}  # style XML without its name → name
        self._tables = 0
        self._page_break_pending = False

    def blocks(self, flowables: Iterable[Flowable]) -> str:
        out: list[str] = []
        bullets: list[str] = []
        for flowable in _flatten(flowables):
            if isinstance(flowable, Paragraph) and flowable.bulletText:
                bullets.append(self._paragraph(flowable))
                continue
            if bullets:
                out.append(self._bullet_list(bullets))
                bullets = []
            out.append(self._block(flowable))
        if bullets:
            out.append(self._bullet_list(bullets))
        return "".join(out)

    def _block(self, flowable: Flowable) -> str:
        if isinstance(flowable, Paragraph):
            return self._paragraph(flowable)
        if isinstance(flowable, Table):
            return self._table(flowable)
        if isinstance(flowable, HRFlowable):
            return self._rule(flowable)
        if isinstance(flowable, CondPageBreak):
            return ""  # LibreOffice paginates by itself (headings keep with what follows)
        if isinstance(flowable, Spacer):
            return self._spacer(flowable.height)
        if isinstance(flowable, PageBreak):
            self._page_break_pending = True
            return ""
        if type(flowable).__name__ == "NullActionFlowable":
            return ""
        raise TypeError(f"no ODF equivalent for {type(flowable).__name__}: extend libreoffice.py")

    # ----------------------------------------------------------------- automatic styles

    def _automatic(self, prefix: str, family: str, body: str, parent: str = "") -> str:
        parent_attr = f' style:parent-style-name="{parent}"' if parent else ""
        key = f'style:family="{family}"{parent_attr}>{body}'
        if key not in self._names:
            name = f"{prefix}{len(self._names) + 1}"
            self._names[key] = name
            self.automatic[name] = f'<style:style style:name="{name}" {key}</style:style>'
        return self._names[key]

    def _starting_page(self) -> str:
        """The property that starts a new page, once after a reportlab PageBreak."""
        if not self._page_break_pending:
            return ""
        self._page_break_pending = False
        return ' fo:break-before="page"'

    def _text_style(self, tag: str, attributes: dict[str, str]) -> str:
        if tag in ("b", "strong"):
            body = 'fo:font-weight="bold" style:font-weight-asian="bold"'
        elif tag in ("i", "em"):
            body = 'fo:font-style="italic"'
        elif tag == "u":
            body = 'style:text-underline-style="solid" style:text-underline-width="auto"'
        elif tag == "font" and "color" in attributes:
            body = f"fo:color={quoteattr(attributes['color'])}"
        else:
            return ""
        return self._automatic("T", "text", f"<style:text-properties {body}/>")

    # ----------------------------------------------------------------- paragraphs

    def _paragraph(self, paragraph: Paragraph) -> str:
        style = paragraph.style
        self.paragraph_styles.setdefault(style.name, style)
        name = style.name
        text = self._inline(paragraph.text)
        properties = self._starting_page()
        if style.alignment == 4 and "<text:line-break/>" in text:
            # reportlab never stretches a line ended by <br/>; LibreOffice would.
            properties += ' fo:text-align="start"'
        if properties:
            body = f"<style:paragraph-properties{properties}/>"
            name = self._automatic("P", "paragraph", body, style.name)
        level = _OUTLINE.get(style.name)
        if level:
            return f'<text:h text:style-name="{name}" text:outline-level="{level}">{text}</text:h>'
        return f'<text:p text:style-name="{name}">{text}</text:p>'

    def _inline(self, markup: str) -> str:
        """reportlab paragraph markup (escaped text, <b>, <i>, <font color>, <br/>) as ODF."""
        try:
            root = ElementTree.fromstring(f"<para>{markup}</para>")
        except ElementTree.ParseError:
            return escape(html.unescape(re.sub(r"<[^>]*>", "", markup)))
        return self._inline_children(root)

    def _inline_children(self, element: ElementTree.Element) -> str:
        parts = [escape(element.text or "")]
        for child in element:
            tag = child.tag.lower()
            if tag == "br":
                parts.append("<text:line-break/>")
            else:
                inner = self._inline_children(child)
                style = self._text_style(tag, dict(child.attrib))
                parts.append(
                    f'<text:span text:style-name="{style}">{inner}</text:span>' if style else inner
                )
            parts.append(escape(child.tail or ""))
        return "".join(parts)

    def _bullet_list(self, items: Sequence[str]) -> str:
        listed = "".join(f"<text:list-item>{item}</text:list-item>" for item in items)
        return f'<text:list text:style-name="Tirets">{listed}</text:list>'

    def _spacer(self, height: float) -> str:
        if height <= 0:
            return ""
        body = (
            f'<style:paragraph-properties fo:line-height="{_pt(height)}" '
            'fo:margin-top="0pt" fo:margin-bottom="0pt"/>'
            '<style:text-properties fo:font-size="2pt"/>'
        )
        return f'<text:p text:style-name="{self._automatic("Espace", "paragraph", body)}"/>'

    def _rule(self, rule: HRFlowable) -> str:
        body = (
            '<style:paragraph-properties fo:line-height="1pt" fo:margin-top="0pt" '
            f'fo:margin-bottom="{_pt(rule.spaceAfter)}" fo:padding="0pt" '
            'fo:keep-with-next="always" '
            f'fo:border-bottom="{_pt(rule.lineWidth)} solid {_hex(rule.color)}"/>'
            '<style:text-properties fo:font-size="1pt"/>'
        )
        return f'<text:p text:style-name="{self._automatic("Filet", "paragraph", body)}"/>'

    # ----------------------------------------------------------------- tables

    def _table(self, table: Table) -> str:
        self._tables += 1
        name = f"Tableau{self._tables}"
        widths = [
            float(w) if isinstance(w, int | float) else layout.CONTENT_WIDTH / table._ncols
            for w in table._colWidths
        ]
        starts_page = self._starting_page()
        self.automatic[name] = (
            f'<style:style style:name="{name}" style:family="table">'
            f'<style:table-properties style:width="{_pt(sum(widths))}" table:align="left" '
            # Every table of the convention sits in a KeepTogether: it never splits either.
            'fo:margin-top="0pt" fo:margin-bottom="0pt" style:may-break-between-rows="false"'
            f"{starts_page}/></style:style>"
        )
        columns = "".join(
            f'<table:table-column table:style-name="{self._column(width)}"/>' for width in widths
        )
        styles = self._cell_styles(table)
        rows = []
        for r, values in enumerate(table._cellvalues):
            cells = "".join(
                f'<table:table-cell table:style-name="{styles[r, c]}" office:value-type="string">'
                f"{self._cell(value)}</table:table-cell>"
                for c, value in enumerate(values)
            )
            rows.append(
                f'<table:table-row table:style-name="{self._row_style(table, r)}">'
                f"{cells}</table:table-row>"
            )
        return (
            f'<table:table table:name="{name}" table:style-name="{name}">'
            f"{columns}{''.join(rows)}</table:table>"
        )

    def _column(self, width: float) -> str:
        body = f'<style:table-column-properties style:column-width="{_pt(width)}"/>'
        return self._automatic("Colonne", "table-column", body)

    def _row_style(self, table: Table, r: int) -> str:
        """A row never splits across pages; a height fixed in reportlab is its minimum."""
        heights = table._argH if isinstance(table._argH, list | tuple) else []
        height = heights[r] if r < len(heights) else None
        minimum = (
            f' style:min-row-height="{_pt(height)}"' if isinstance(height, int | float) else ""
        )
        body = f'<style:table-row-properties fo:keep-together="always"{minimum}/>'
        return self._automatic("Ligne", "table-row", body)

    def _cell_styles(self, table: Table) -> dict[tuple[int, int], str]:
        borders, backgrounds = _borders(table), _backgrounds(table)
        return {
            (r, c): self._cell_style(table, r, c, borders, backgrounds)
            for r in range(table._nrows)
            for c in range(table._ncols)
        }

    def _cell_style(
        self,
        table: Table,
        r: int,
        c: int,
        borders: dict[tuple[int, int], dict[str, str]],
        backgrounds: dict[tuple[int, int], str],
    ) -> str:
        cell = table._cellStyles[r][c]
        sides = borders.get((r, c), {})
        properties = [
            f'fo:background-color="{backgrounds.get((r, c), "transparent")}"',
            *(f'fo:border-{side}="{sides.get(side, "none")}"' for side in _SIDES),
            f'fo:padding-left="{_pt(cell.leftPadding)}"',
            f'fo:padding-right="{_pt(cell.rightPadding)}"',
            f'fo:padding-top="{_pt(cell.topPadding)}"',
            f'fo:padding-bottom="{_pt(cell.bottomPadding)}"',
            f'style:vertical-align="{_VALIGN.get(str(cell.valign).upper(), "bottom")}"',
        ]
        body = f"<style:table-cell-properties {' '.join(properties)}/>"
        return self._automatic("Cellule", "table-cell", body)

    def _cell(self, value: Any) -> str:
        if isinstance(value, list | tuple):
            inner = self.blocks(value)
        elif isinstance(value, Flowable):
            inner = self.blocks([value])
        else:
            text = "" if value is None else str(value)
            inner = f"<text:p>{escape(text)}</text:p>" if text else ""
        # A cell holding only a nested table is valid ODF, but a cell needs some content.
        return inner or "<text:p/>"


# --------------------------------------------------------------------------- styles.xml


def _paragraph_style(style: ParagraphStyle) -> str:
    weight = "bold" if style.fontName == FONT_BOLD else "normal"
    slant = "italic" if style.fontName == FONT_ITALIC else "normal"
    paragraph = [
        f'fo:text-align="{_ALIGN.get(style.alignment, "start")}"',
        f'style:line-height-at-least="{_pt(style.leading)}"',
        f'fo:margin-top="{_pt(style.spaceBefore)}"',
        f'fo:margin-bottom="{_pt(style.spaceAfter)}"',
        f'fo:margin-left="{_pt(style.leftIndent)}"',
    ]
    if getattr(style, "keepWithNext", 0):
        paragraph.append('fo:keep-with-next="always"')
    text = (
        f'style:font-name="{FONT}" fo:font-size="{_pt(style.fontSize)}" '
        f'fo:font-weight="{weight}" fo:font-style="{slant}" fo:color="{_hex(style.textColor)}"'
    )
    level = _OUTLINE.get(style.name)
    outline = f' style:default-outline-level="{level}"' if level else ""
    return (
        f'<style:style style:name="{style.name}" style:family="paragraph"{outline}>'
        f"<style:paragraph-properties {' '.join(paragraph)}/>"
        f"<style:text-properties {text}/></style:style>"
    )


def _bullet_list_style() -> str:
    indent = 5 * mm
    return (
        '<text:list-style style:name="Tirets">'
        '<text:list-level-style-bullet text:level="1" text:bullet-char="–">'
        '<style:list-level-properties text:list-level-position-and-space-mode="label-alignment">'
        '<style:list-level-label-alignment text:label-followed-by="listtab" '
        f'text:list-tab-stop-position="{_pt(indent)}" fo:text-indent="{_pt(-3.5 * mm)}" '
        f'fo:margin-left="{_pt(indent)}"/>'
        "</style:list-level-properties></text:list-level-style-bullet></text:list-style>"
    )


def _furniture(data: ConventionData) -> tuple[str, str, str]:
    """(automatic styles, header, footer) of the master page, as our PDF draws them."""
    furniture = layout.agreement_furniture(data, convention._number_label(data))
    right = _pt(layout.CONTENT_WIDTH)
    accent, muted, ink = _hex(layout.ACCENT), _hex(layout.MUTED), _hex(layout.INK)
    styles = (
        '<style:style style:name="Entete1" style:family="paragraph">'
        f'<style:paragraph-properties><style:tab-stops><style:tab-stop style:position="{right}" '
        'style:type="right"/></style:tab-stops></style:paragraph-properties>'
        f'<style:text-properties style:font-name="{FONT}" fo:font-size="9.5pt" '
        f'fo:font-weight="bold" fo:color="{accent}"/></style:style>'
        '<style:style style:name="Entete2" style:family="paragraph">'
        f'<style:paragraph-properties fo:padding-bottom="3pt" fo:border-bottom="1.2pt solid '
        f'{accent}"><style:tab-stops><style:tab-stop style:position="{right}" '
        'style:type="right"/></style:tab-stops></style:paragraph-properties>'
        f'<style:text-properties style:font-name="{FONT}" fo:font-size="7.5pt" '
        f'fo:color="{muted}"/></style:style>'
        '<style:style style:name="Pied" style:family="paragraph">'
        f'<style:text-properties style:font-name="{FONT}" fo:font-size="7.5pt" '
        f'fo:color="{muted}"/></style:style>'
        '<style:style style:name="PiedDroite" style:family="paragraph">'
        '<style:paragraph-properties fo:text-align="end"/>'
        f'<style:text-properties style:font-name="{FONT}" fo:font-size="7.5pt" '
        f'fo:color="{muted}"/></style:style>'
        f'<style:style style:name="Label" style:family="text"><style:text-properties '
        f'fo:font-size="9pt" fo:color="{ink}"/></style:style>'
        '<style:style style:name="PiedTableau" style:family="table"><style:table-properties '
        f'style:width="{right}" table:align="left" fo:border-top="0.5pt solid '
        f'{_hex(layout.RULE)}"/></style:style>'
        '<style:style style:name="PiedColonneA" style:family="table-column">'
        "<style:table-column-properties style:column-width="
        f'"{_pt(layout.CONTENT_WIDTH - 62 * mm)}"/></style:style>'
        '<style:style style:name="PiedColonneB" style:family="table-column">'
        f'<style:table-column-properties style:column-width="{_pt(22 * mm)}"/></style:style>'
        '<style:style style:name="PiedColonneC" style:family="table-column">'
        f'<style:table-column-properties style:column-width="{_pt(40 * mm)}"/></style:style>'
        '<style:style style:name="PiedCellule" style:family="table-cell">'
        '<style:table-cell-properties fo:padding="1pt" fo:border="none" '
        'fo:border-top="0.5pt solid #c3ced3"/></style:style>'
        '<style:style style:name="PiedParaphes" style:family="table-cell">'
        '<style:table-cell-properties fo:padding="1pt" '
        f'fo:border="0.6pt solid {_hex(layout.INK)}"/></style:style>'
    )
    address = " ".join(furniture.organisation_address.split())
    header = (
        f'<text:p text:style-name="Entete1">{escape(furniture.organisation_name)}<text:tab/>'
        f'<text:span text:style-name="Label">{escape(furniture.label)}</text:span></text:p>'
        f'<text:p text:style-name="Entete2">{escape(address)}'
        '<text:tab/>page <text:page-number text:select-page="current">1</text:page-number>'
        " / <text:page-count>1</text:page-count></text:p>"
    )
    initials = (
        '<table:table-cell table:style-name="PiedCellule"><text:p text:style-name="PiedDroite">'
        "Paraphes :</text:p></table:table-cell>"
        '<table:table-cell table:style-name="PiedParaphes"><text:p text:style-name="Pied"/>'
        "</table:table-cell>"
        if furniture.initials_box
        else '<table:table-cell table:style-name="PiedCellule"><text:p/></table:table-cell>' * 2
    )
    footer = (
        '<table:table table:name="Pied" table:style-name="PiedTableau">'
        '<table:table-column table:style-name="PiedColonneA"/>'
        '<table:table-column table:style-name="PiedColonneB"/>'
        '<table:table-column table:style-name="PiedColonneC"/>'
        '<table:table-row><table:table-cell table:style-name="PiedCellule">'
        f'<text:p text:style-name="Pied">{escape(furniture.footer_left)}</text:p>'
        f'<text:p text:style-name="Pied">{escape(furniture.printed_line)}</text:p>'
        f"</table:table-cell>{initials}</table:table-row></table:table>"
    )
    return styles, header, footer


def _styles_xml(data: ConventionData, body: _OdfBody) -> str:
    furniture_styles, header, footer = _furniture(data)
    named = "".join(_paragraph_style(style) for style in body.paragraph_styles.values())
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        f'<office:document-styles {_NAMESPACES} office:version="1.3">'
        "<office:font-face-decls>"
        f'<style:font-face style:name="{FONT}" svg:font-family="&apos;{FONT}&apos;" '
        'style:font-family-generic="swiss" style:font-pitch="variable"/>'
        "</office:font-face-decls><office:styles>"
        '<style:default-style style:family="paragraph"><style:paragraph-properties '
        'fo:hyphenation-ladder-count="no-limit" style:writing-mode="lr-tb"/>'
        f'<style:text-properties style:font-name="{FONT}" fo:font-size="9pt" '
        f'fo:language="fr" fo:country="FR" fo:color="{_hex(layout.INK)}"/></style:default-style>'
        '<style:default-style style:family="table-cell"><style:table-cell-properties '
        'fo:padding="0pt"/></style:default-style>'
        f"{named}{_bullet_list_style()}</office:styles>"
        "<office:automatic-styles>"
        '<style:page-layout style:name="A4"><style:page-layout-properties fo:page-width="210mm" '
        'fo:page-height="297mm" style:print-orientation="portrait" fo:margin-top="9mm" '
        f'fo:margin-bottom="6mm" fo:margin-left="{_pt(layout.MARGIN_X)}" '
        f'fo:margin-right="{_pt(layout.MARGIN_X)}"/>'
        '<style:header-style><style:header-footer-properties fo:min-height="0mm" '
        'fo:margin-bottom="8mm"/></style:header-style>'
        '<style:footer-style><style:header-footer-properties fo:min-height="0mm" '
        'fo:margin-top="5mm"/></style:footer-style></style:page-layout>'
        f"{furniture_styles}</office:automatic-styles>"
        '<office:master-styles><style:master-page style:name="Standard" '
        f'style:page-layout-name="A4"><style:header>{header}</style:header>'
        f"<style:footer>{footer}</style:footer></style:master-page></office:master-styles>"
        "</office:document-styles>"
    )


def _content_xml(text: str, body: _OdfBody) -> str:
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        f'<office:document-content {_NAMESPACES} office:version="1.3">'
        f"<office:automatic-styles>{''.join(body.automatic.values())}</office:automatic-styles>"
        f"<office:body><office:text>{text}</office:text></office:body>"
        "</office:document-content>"
    )


def _meta_xml(data: ConventionData) -> str:
    title = f"{convention._number_label(data)} — {data.trainee.name}"
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        f'<office:document-meta {_NAMESPACES} office:version="1.3"><office:meta>'
        "<meta:generator>Fabrique Accueil (banc d'essai LibreOffice)</meta:generator>"
        f"<dc:title>{escape(title)}</dc:title>"
        f"<dc:subject>{escape(convention.DOCUMENT_TITLE)}</dc:subject>"
        f"<meta:initial-creator>{escape(data.organisation.name)}</meta:initial-creator>"
        "<dc:language>fr-FR</dc:language></office:meta></office:document-meta>"
    )


_MANIFEST = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" '
    'manifest:version="1.3">'
    '<manifest:file-entry manifest:full-path="/" manifest:version="1.3" '
    'manifest:media-type="application/vnd.oasis.opendocument.text"/>'
    '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
    '<manifest:file-entry manifest:full-path="styles.xml" manifest:media-type="text/xml"/>'
    '<manifest:file-entry manifest:full-path="meta.xml" manifest:media-type="text/xml"/>'
    "</manifest:manifest>"
)


def write_convention_odt(data: ConventionData, out: Path, clauses_path: Path | None = None) -> Path:
    """Write the agreement of `data` as an ODT equivalent to our convention PDF: the story
    app/pdf/convention.py builds, translated to ODF (no logo, no draft watermark)."""
    register_fonts()
    path = clauses_path or convention.CLAUSES_PATH
    clauses = convention.parse_clauses(path.read_text(encoding="utf-8"))
    body = _OdfBody()
    text = body.blocks(convention._story(data, clauses))
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            zipfile.ZipInfo("mimetype"),
            "application/vnd.oasis.opendocument.text",
            compress_type=zipfile.ZIP_STORED,
        )
        archive.writestr("content.xml", _content_xml(text, body))
        archive.writestr("styles.xml", _styles_xml(data, body))
        archive.writestr("meta.xml", _meta_xml(data))
        archive.writestr("META-INF/manifest.xml", _MANIFEST)
    return out


# --------------------------------------------------------------------------- measure


def _p95(samples: Sequence[float]) -> float:
    """Same rank as tests/benchmarks/run.py's Measure.p95."""
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def _figures(samples: Sequence[float], pages: int) -> dict[str, Any]:
    return {
        "médiane_ms": round(statistics.median(samples), 2),
        "p95_ms": round(_p95(samples), 2),
        "n": len(samples),
        "pages": pages,
    }


def _pages(pdf: bytes) -> int:
    return len(PdfReader(BytesIO(pdf)).pages)


def _soffice_command(soffice: str, profile: Path, odt: Path, outdir: Path) -> list[str]:
    return [
        soffice,
        f"-env:UserInstallation={profile.as_uri()}",
        "--headless",
        "--norestore",
        "--convert-to",
        "pdf",
        "--outdir",
        str(outdir),
        str(odt),
    ]


def _convert(command: list[str], produced: Path) -> float:
    """Milliseconds of one fresh soffice process converting the ODT."""
    produced.unlink(missing_ok=True)
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, timeout=600, check=False)
    elapsed = (time.perf_counter() - started) * 1000
    if done.returncode != 0 or not produced.is_file():
        reason = (done.stderr or done.stdout).strip() or f"code de sortie {done.returncode}"
        raise RuntimeError(f"soffice n'a pas produit {produced.name} : {reason}")
    return elapsed


def _version(soffice: str) -> str:
    try:
        done = subprocess.run(
            [soffice, "--version"], capture_output=True, text=True, timeout=60, check=False
        )
    except (OSError, subprocess.TimeoutExpired):
        return "inconnue"
    return " ".join(done.stdout.split()[:2]) or "inconnue"


def _ours(
    url: str, agreement_id: int, today: date, repeat: int
) -> tuple[ConventionData, bytes, list[float]]:
    """The agreement's data, our PDF (first render, not counted) and `repeat` timed renders,
    each in its own read session as tests/benchmarks/run.py does."""
    from app.services.agreements.documents import DocumentKind, convention_data, render_document
    from app.services.base_access.opening import open_app_database

    database = open_app_database(url)  # an encrypted base: through its key file
    try:

        def render() -> bytes:
            with database.session(commit=False) as session:
                return render_document(session, agreement_id, DocumentKind.CONVENTION, today=today)

        with database.session(commit=False) as session:
            data = convention_data(session, agreement_id, today=today)
        pdf = render()
        samples = []
        for _ in range(repeat):
            started = time.perf_counter()
            render()
            samples.append((time.perf_counter() - started) * 1000)
    finally:
        database.dispose()
    return data, pdf, samples


def measure(
    url: str, info: dict[str, Any], repeat: int, *, keep: Path | None = None
) -> dict[str, Any] | None:
    """LibreOffice headless against our convention PDF, for the first of
    `info["agreement_ids"]`; None when `soffice` is not installed. Each of the `repeat`
    conversions is a fresh `soffice` process on a dedicated profile that one warm-up run,
    not counted, creates first. `keep`: a folder that receives the ODT and both PDFs."""
    soffice = shutil.which("soffice")
    if soffice is None:
        return None
    agreement_id = int(info["agreement_ids"][0])
    today = date.today()
    data, ours_pdf, ours_ms = _ours(url, agreement_id, today, max(2 * repeat, 20))
    with tempfile.TemporaryDirectory(prefix="fabrique-lo-") as folder:
        work = Path(folder)
        odt = write_convention_odt(data, work / "convention.odt")
        profile, outdir = work / "profil", work / "pdf"
        command = _soffice_command(soffice, profile, odt, outdir)
        produced = outdir / "convention.pdf"
        warm_up_ms = _convert(command, produced)
        lo_ms = [_convert(command, produced) for _ in range(repeat)]
        lo_pdf = produced.read_bytes()
        if keep is not None:
            keep.mkdir(parents=True, exist_ok=True)
            shutil.copy(odt, keep / "convention.odt")
            (keep / "libreoffice.pdf").write_bytes(lo_pdf)
            (keep / "fabrique.pdf").write_bytes(ours_pdf)
    libreoffice = _figures(lo_ms, _pages(lo_pdf))
    fabrique = _figures(ours_ms, _pages(ours_pdf))
    ratio = libreoffice["médiane_ms"] / fabrique["médiane_ms"]
    return {
        "libellé": "Une convention en PDF : LibreOffice headless (ODT équivalent) "
        "contre Fabrique Accueil",
        "convention_id": agreement_id,
        "libreoffice": {
            **libreoffice,
            "version": _version(soffice),
            "commande": "soffice -env:UserInstallation=<profil dédié> --headless --norestore "
            "--convert-to pdf --outdir <dossier> convention.odt",
            "préchauffage_ms": round(warm_up_ms, 2),
        },
        "fabrique": fabrique,
        "rapport": round(ratio, 1),
        "cible_rapport": TARGET_RATIO,
        "atteint": ratio >= TARGET_RATIO,
        "résumé": _summary(libreoffice, fabrique, ratio),
    }


def _summary(libreoffice: dict[str, Any], fabrique: dict[str, Any], ratio: float) -> str:
    met = "atteinte" if ratio >= TARGET_RATIO else "non atteinte"
    return (
        f"LibreOffice headless : {libreoffice['médiane_ms']:.0f} ms en médiane "
        f"(p95 {libreoffice['p95_ms']:.0f} ms, {libreoffice['n']} lancements, "
        f"{libreoffice['pages']} pages) ; notre PDF : {fabrique['médiane_ms']:.1f} ms "
        f"({fabrique['pages']} pages) ; {ratio:.0f} fois plus rapide "
        f"(cible ≥ {TARGET_RATIO} : {met})."
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--db", type=Path, default=Path(tempfile.gettempdir()) / "fabrique-bench.sqlite"
    )
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--keep", type=Path, help="dossier où garder l'ODT et les deux PDF")
    args = parser.parse_args(argv)
    info_path = args.db.with_suffix(".json")
    if not args.db.is_file() or not info_path.is_file():
        print(f"Base de mesure absente : {args.db} (lancez d'abord tests.benchmarks.run).")
        return 1
    info = json.loads(info_path.read_text(encoding="utf-8"))
    result = measure(f"sqlite:///{args.db}", info, args.repeat, keep=args.keep)
    if result is None:
        print("LibreOffice n'est pas installé sur cette machine : rapport non mesuré.")
        return 0
    print(json.dumps(result, ensure_ascii=False, indent=2))
    print(f"\nLibreOffice : {result['résumé']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
