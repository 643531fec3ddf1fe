"""PDFs whose text copies as it reads, Thai included.

A PDF maps each glyph of a font to one text (its ToUnicode map), while shaped text is not always
one glyph per character in order: HarfBuzz draws Thai SARA AM "ำ" as two glyphs, NIKHAHIT and
SARA AA, and moves the NIKHAHIT before any tone mark ("น้ำ" is drawn น ํ ้ า); a Thai font may
swap a tone mark and the vowel below ("ผู้"). No single text per glyph then gives back the text:
the SARA AA glyph reads "า" alone but must read "ำ" after a NIKHAHIT. So every cluster of glyphs
whose glyphs' own texts do not spell the cluster's text is marked with the text it stands for: a
marked-content span with ``/ActualText`` (ISO 32000-1, 14.9.4), which text extraction and copy
(pdfium, poppler, Acrobat) read instead of the glyphs' texts. Each glyph keeps, in the ToUnicode
map, the text it has when drawn alone, for the readers that ignore ``/ActualText``.

Usage with WeasyPrint: ``write_pdf(document)`` instead of ``document.write_pdf()``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from portal.internals import GlyphClusters, record_glyph_clusters

#: One operand of a TJ array: a hex string of glyph ids, or a number (a shift).
_TJ_OPERAND = re.compile(rb"<([0-9A-Fa-f]*)>|(-?[0-9.]+)")
_TF = re.compile(rb"^/(\S+) \S+ Tf$")


def write_pdf(document, **options) -> bytes:
    """``document`` (a rendered WeasyPrint document) as PDF bytes, with its text as drawn."""
    record_glyph_clusters(document)
    return document.write_pdf(finisher=_mark_clusters, **options)


def actual_text_span(text: str) -> bytes:
    """The operator that opens a marked-content span read as ``text``."""
    return b"/Span <</ActualText <FEFF" + text.encode("utf-16-be").hex().encode() + b">>> BDC"


@dataclass
class _TextOperator:
    """A TJ operator of a content stream: its operands, glyph ids as ints, shifts as bytes."""

    operands: list
    opens: dict  # operand index: the text of the span that opens before it
    closes: set  # operand indexes after which a span closes

    def operations(self) -> list[bytes]:
        result, pieces = [], []

        def flush():
            if pieces:
                result.append(b"[" + b"".join(pieces) + b"] TJ")
                pieces.clear()

        for index, operand in enumerate(self.operands):
            if index in self.opens:
                flush()
                result.append(actual_text_span(self.opens[index]))
            if isinstance(operand, int):
                pieces.append(b"<%04x>" % operand)
            else:
                pieces.append((b" " if pieces and not pieces[-1].endswith(b">") else b"") + operand)
            if index in self.closes:
                flush()
                result.append(b"EMC")
        flush()
        return result


def _parse(stream_objects, font_names):
    """The TJ operators of the content streams, and for each font (by resource name) its glyphs
    in stream order: (operator, operand index, glyph id, run of text it is in)."""
    operators: dict[tuple[int, int], _TextOperator] = {}
    glyphs: dict[bytes, list[list]] = {name: [] for name in font_names}
    run = 0  # one more at each text object and change of font: a span stays within one run
    for number, stream_object in enumerate(stream_objects):
        font = None
        for index, op in enumerate(stream_object.stream):
            op = op.encode() if isinstance(op, str) else op
            if op in (b"BT", b"ET"):
                run += 1
            elif match := _TF.match(op):
                run += 1
                font = match.group(1) if match.group(1) in glyphs else None
            elif font and op.startswith(b"[") and op.endswith(b"] TJ"):
                operator = operators[number, index] = _TextOperator([], {}, set())
                for operand in _TJ_OPERAND.finditer(op[1:-4]):
                    if operand.group(1) is None:
                        operator.operands.append(operand.group(2))
                        continue
                    hexes = operand.group(1)
                    for start in range(0, len(hexes), 4):
                        glyph = int(hexes[start : start + 4], 16)
                        glyphs[font].append((operator, len(operator.operands), glyph, run))
                        operator.operands.append(glyph)
    return operators, glyphs


def _spans(font, drawn, in_streams) -> list[tuple[int, int, str]]:
    """The spans a font's glyphs need: (first glyph, last glyph, text), glyphs by their index in
    ``in_streams``.

    A cluster whose glyphs' texts do not spell its text needs one, and so does one with a mark
    (a glyph that does not advance: poppler reads a mark shifted over its letter as a letter
    of its own, after a space or on a line of its own). A span takes whole TJ
    operators, and at least one letter that advances (not only marks) before the cluster: pdfium
    reads a span as one piece laid over its operator's box, skips an operator that only draws
    blank glyphs, and takes a piece of marks alone for a line of its own.
    """
    bounds = []  # per cluster: first glyph, last glyph
    position = 0
    for cluster, _text in drawn:
        bounds.append((position, position + len(cluster) - 1))
        position += len(cluster)

    def operator(n):
        return in_streams[bounds[n][0]][0]

    def run(n):
        return in_streams[bounds[n][0]][3]

    ranges: list[list[int]] = []  # [first cluster, last cluster]
    for n, (cluster, text) in enumerate(drawn):
        if "".join(font.to_unicode.get(g, "") for g in cluster) == text and all(
            font.widths.get(g, 0) for g in cluster
        ):
            continue
        start, end = n, n
        while (
            start > 0
            and run(start - 1) == run(n)
            and (start == n or all(font.widths.get(g, 0) == 0 for g in drawn[start][0]))
        ):
            start -= 1
        while start > 0 and run(start - 1) == run(n) and operator(start - 1) is operator(start):
            start -= 1
        while (
            end + 1 < len(drawn) and run(end + 1) == run(n) and operator(end + 1) is operator(end)
        ):
            end += 1
        if ranges and ranges[-1][1] >= start:
            ranges[-1][1] = max(ranges[-1][1], end)
        else:
            ranges.append([start, end])
    return [
        (bounds[start][0], bounds[end][1], "".join(text for _c, text in drawn[start : end + 1]))
        for start, end in ranges
    ]


def _mark_clusters(document, pdf) -> None:
    fonts: dict[bytes, list] = {}
    for font in document.fonts.values():
        if isinstance(font.to_unicode, GlyphClusters) and not font.bitmap:
            fonts.setdefault(font.hash.encode(), []).append(font)
    stream_objects = [
        pdf_object
        for pdf_object in pdf.objects
        if isinstance(getattr(pdf_object, "stream", None), list) and b"BT" in pdf_object.stream
    ]
    operators, glyphs = _parse(stream_objects, fonts)
    marked = False
    for name, same_name in fonts.items():
        if len(same_name) != 1:
            continue  # two fonts under one name: their glyphs cannot be told apart
        font = same_name[0]
        drawn = font.to_unicode.drawn
        in_streams = glyphs[name]
        if [g for cluster, _text in drawn for g in cluster] != [g[2] for g in in_streams]:
            continue  # not drawn in stream order (a text in a nested group): left as it is
        for first, last, text in _spans(font, drawn, in_streams):
            in_streams[first][0].opens[in_streams[first][1]] = text
            in_streams[last][0].closes.add(in_streams[last][1])
            marked = True
    if not marked:
        return
    for number, stream_object in enumerate(stream_objects):
        operations = []
        for index, op in enumerate(stream_object.stream):
            operator = operators.get((number, index))
            if operator is not None and (operator.opens or operator.closes):
                operations.extend(operator.operations())
            else:
                operations.append(op)
        stream_object.stream = operations
