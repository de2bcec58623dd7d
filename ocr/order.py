"""Reading order across Tesseract's layout blocks: a form's label column and value column become rows again.

Tesseract's layout analysis (psm 3) cuts a page into blocks and reads block after block. On a two-column
article that is right; on a form, once its leaders are gone, the labels and the values often become two
blocks side by side, and the page reads as all labels, then all values. What tells them apart, measured
on the blocks themselves:

* side by side: one block lies left of the other and their heights overlap;
* row-aligned: most lines of the smaller block have a line of the other at the same height;
* not two text columns: a two-column article has running text (lines of many words) on both sides; a
  form's label column, a table's cells and a card's label/value pairs do not.

Blocks joined this way are read row by row (pieces of one row become one line, left to right), at the
place of their first block in Tesseract's order; every word is kept.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Protocol


class _Word(Protocol):
    box: tuple[int, int, int, int]
    line_no: int
    block_no: int


# A block of running text: its median line holds RUNNING_WORDS words or more (one line will do: Tesseract
# cuts a column's first lines into blocks of their own). Two
# such blocks side by side are columns of an article (a width rule failed on columns of short lines); a form's
# labels (1-4 words), a table's cells and a card's label/value pairs are not.
RUNNING_WORDS = 5
ALIGNED_SHARE = 0.5  # share of the smaller block's lines with a partner line at the same height
ROW_OVERLAP = 0.5    # vertical overlap (of the smaller height) for two lines to be one row


def _union(boxes):
    return (min(b[0] for b in boxes), min(b[1] for b in boxes), max(b[2] for b in boxes), max(b[3] for b in boxes))


def _overlap(a, b) -> float:
    """Vertical overlap of two boxes as a share of the smaller height."""
    inter = min(a[3], b[3]) - max(a[1], b[1])
    return inter / max(1, min(a[3] - a[1], b[3] - b[1]))


def rows_across_blocks(words: Sequence[_Word]) -> list:
    """The words with line numbers re-assigned so that row-aligned side-by-side blocks read as rows."""
    lines: dict[int, list] = {}
    for w in words:
        lines.setdefault(w.line_no, []).append(w)
    blocks: dict[int, list[int]] = {}
    for no, ws in lines.items():
        blocks.setdefault(ws[0].block_no, []).append(no)
    if len(blocks) < 2:
        return list(words)
    line_box = {no: _union([w.box for w in ws]) for no, ws in lines.items()}
    block_box = {b: _union([line_box[n] for n in ns]) for b, ns in blocks.items()}
    parent = {b: b for b in blocks}

    def find(b):
        while parent[b] != b:
            parent[b] = parent[parent[b]]
            b = parent[b]
        return b

    def running_text(b: int) -> bool:
        counts = sorted(len(lines[n]) for n in blocks[b])
        return counts[len(counts) // 2] >= RUNNING_WORDS

    ids = sorted(blocks)
    for i, a in enumerate(ids):
        for b in ids[i + 1:]:
            ba, bb = block_box[a], block_box[b]
            if not (ba[2] <= bb[0] + 2 or bb[2] <= ba[0] + 2) or _overlap(ba, bb) < 0.3:
                continue
            if running_text(a) and running_text(b):  # two columns of an article, not labels and values
                continue
            small, other = (a, b) if len(blocks[a]) <= len(blocks[b]) else (b, a)
            partners = sum(any(_overlap(line_box[n], line_box[m]) >= ROW_OVERLAP for m in blocks[other])
                           for n in blocks[small])
            if partners >= ALIGNED_SHARE * len(blocks[small]):
                parent[find(a)] = find(b)
    groups: dict[int, list[int]] = {}
    for b in ids:
        groups.setdefault(find(b), []).append(b)
    units = []  # (box, lines in reading order; a line = a list of line numbers read as one row)
    for members in groups.values():
        nos = [n for b in members for n in blocks[b]]
        if len(members) == 1:
            rows = [[n] for n in sorted(nos)]
        else:
            rows = []
            for n in sorted(nos, key=lambda n: (line_box[n][1] + line_box[n][3]) / 2):
                if rows and any(_overlap(line_box[n], line_box[m]) >= ROW_OVERLAP for m in rows[-1]):
                    rows[-1].append(n)
                else:
                    rows.append([n])
        units.append((_union([block_box[b] for b in members]), rows, min(nos)))
    out: list = []
    next_line = 0
    for _, rows, _ in xy_cut(units):
        for row in rows:
            row_words = sorted((w for n in row for w in lines[n]), key=lambda w: w.box[0]) if len(row) > 1 \
                else lines[row[0]]
            out += [replace(w, line_no=next_line) for w in row_words]
            next_line += 1
    return out


def xy_cut(units: list) -> list:
    """Recursive XY-cut (Nagy & Seth): split the units at horizontal gaps no unit spans (top to bottom),
    each band at vertical gaps (left to right), and so on; units that cannot be split keep Tesseract's
    order. A header over two columns reads header, left column, right column."""
    if len(units) <= 1:
        return units
    for axis in (1, 0):  # 1: cut between rows (y), 0: cut between columns (x)
        parts = _split(units, axis)
        if len(parts) > 1:
            return [u for part in parts for u in xy_cut(part)]
    return sorted(units, key=lambda u: u[2])


def _split(units: list, axis: int) -> list[list]:
    lo, hi = axis, axis + 2
    ordered = sorted(units, key=lambda u: u[0][lo])
    parts: list[list] = [[ordered[0]]]
    reach = ordered[0][0][hi]
    for u in ordered[1:]:
        if u[0][lo] >= reach:  # a gap nothing spans
            parts.append([u])
        else:
            parts[-1].append(u)
        reach = max(reach, u[0][hi])
    return parts
