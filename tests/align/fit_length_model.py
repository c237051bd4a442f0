#!/usr/bin/env python3
"""Refits the aligner's length model (src/bitext/length.rs) from a memory.

Input: a memory export in TSV (`GET /v1/memories/{tm}/export?format=tsv`,
or `mustalah tm export --format tsv`), plain or gzip; the first two columns
are source and target, the header row is skipped. Only pairs that are one
sentence on each side (no sentence-final . ! ? ؟ followed by more text, no
line break) and at least 20 characters long on the source side are used,
so the fit measures translation length, not segmentation.

Length counts code points that are neither whitespace nor Arabic diacritics
(U+064B-U+0652, U+0670) nor tatweel (U+0640), exactly as
`bitext::length::sentence_length`.

Prints the fitted constants for Arabic source, English target:
  ratio = sum(len_en) / sum(len_ar)
  variance = mean((len_en - ratio*len_ar)^2 / len_ar)
The source language of the file is detected from its script (the shared
Debian memory is English -> Arabic and is read the other way round).

Usage: fit_length_model.py MEMORY.tsv[.gz] [--min-chars 20]
"""
import gzip
import re
import sys

INNER_END = re.compile(r"[.!?\u061f][\"')\]\u00bb\u201d]*\s+\S")


def length(s):
    return sum(
        1
        for c in s
        if not c.isspace() and not ("\u064b" <= c <= "\u0652" or c in "\u0670\u0640")
    )


def unescape(field):
    out, i = [], 0
    while i < len(field):
        c = field[i]
        if c == "\\" and i + 1 < len(field):
            n = field[i + 1]
            out.append({"n": "\n", "t": "\t", "r": "\r", "\\": "\\"}.get(n, n))
            i += 2
        else:
            out.append(c)
            i += 1
    return "".join(out)


def one_sentence(s):
    s = s.strip()
    return s and "\n" not in s and not INNER_END.search(s)


def is_arabic(s):
    ar = sum(1 for c in s if "\u0600" <= c <= "\u06ff")
    return ar * 2 > sum(1 for c in s if c.isalpha())


def main(argv):
    if not argv or argv[0] in ("-h", "--help"):
        print(__doc__)
        return 2
    path = argv[0]
    min_chars = 20
    if "--min-chars" in argv:
        min_chars = int(argv[argv.index("--min-chars") + 1])
    opener = gzip.open if path.endswith(".gz") else open
    pairs = []
    with opener(path, "rt", encoding="utf-8") as f:
        next(f, None)
        for line in f:
            cols = line.rstrip("\n").split("\t")
            if len(cols) < 2:
                continue
            a, b = unescape(cols[0]), unescape(cols[1])
            if not (one_sentence(a) and one_sentence(b)):
                continue
            if is_arabic(a) and not is_arabic(b):
                ar, en = a, b
            elif is_arabic(b) and not is_arabic(a):
                ar, en = b, a
            else:
                continue
            la, le = length(ar), length(en)
            if la >= min_chars and le > 0:
                pairs.append((la, le))
    if not pairs:
        print("no usable one-sentence Arabic-English pairs", file=sys.stderr)
        return 1
    ratio = sum(e for _, e in pairs) / sum(a for a, _ in pairs)
    variance = sum((e - ratio * a) ** 2 / a for a, e in pairs) / len(pairs)
    print(f"pairs used: {len(pairs)}")
    print("pub const ARABIC_ENGLISH: LengthModel = LengthModel {")
    print(f"    ratio: {ratio:.4f},")
    print(f"    variance: {variance:.4f},")
    print("};")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
