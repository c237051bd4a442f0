#!/usr/bin/env python3
"""Reads XLIFF files with translate-toolkit and prints what it sees, as JSON.

Usage: ttk_read_xliff.py FILE...   (one JSON object per file on stdout)

XLIFF 1.2 files (plain, SDLXLIFF, MQXLIFF) are opened with
translate.storage.xliff (and, for plain XLIFF, translate.storage.poxliff);
per unit: id, source, target, target state / state-qualifier, alt-trans
(match-quality, origin, source, target), notes, get_state_n() by name,
isfuzzy(), istranslated().
XLIFF 2 files (which translate-toolkit does not read) are parsed with lxml,
the XML library translate-toolkit is built on: segments with their state and
target, mtc:match and gls:glossEntry elements.
"""
import json
import sys

from lxml import etree
from translate.storage import poxliff, xliff

NS2 = "urn:oasis:names:tc:xliff:document:2.0"
MTC = "urn:oasis:names:tc:xliff:matches:2.0"
GLS = "urn:oasis:names:tc:xliff:glossary:2.0"


def state_name(u):
    """The name of translate-toolkit's numeric state (S_TRANSLATED, …)."""
    n = u.get_state_n()
    names = [k for k in dir(type(u)) if k.startswith("S_") and getattr(type(u), k) == n]
    return names[0] if names else str(n)


def read12(path, data):
    store = xliff.xlifffile(data)
    units = []
    for u in store.units:
        el = u.xmlelement
        target_el = el.find("{%s}target" % store.namespace)
        alts = []
        for alt in u.getalttrans():
            a = alt.xmlelement
            alts.append({
                "quality": a.get("match-quality"),
                "origin": a.get("origin"),
                "mid": a.get("mid"),
                "source": alt.source,
                "target": alt.target,
            })
        units.append({
            "id": el.get("id"),
            "source": u.source,
            "target": u.target,
            "state": None if target_el is None else target_el.get("state"),
            "state_qualifier": None if target_el is None else target_el.get("state-qualifier"),
            "alttrans": alts,
            "notes": u.getnotes(),
            "state_n": state_name(u),
            "isfuzzy": u.isfuzzy(),
            "istranslated": u.istranslated(),
        })
    out = {"file": path, "reader": "translate.storage.xliff", "units": units}
    if b"sdl.com" not in data and b"MQXliff" not in data:
        po = poxliff.PoXliffFile(data)
        out["poxliff_units"] = len([u for u in po.units if not u.isheader()])
    return out


def read2(path, data):
    root = etree.fromstring(data)
    segs = []
    for seg in root.iter("{%s}segment" % NS2):
        tgt = seg.find("{%s}target" % NS2)
        segs.append({
            "id": seg.get("id"),
            "state": seg.get("state"),
            "subState": seg.get("subState"),
            "target": None if tgt is None else "".join(tgt.itertext()),
        })
    matches = [{
        "ref": m.get("ref"),
        "similarity": m.get("similarity"),
        "matchQuality": m.get("matchQuality"),
        "origin": m.get("origin"),
        "type": m.get("type"),
        "target": "".join(m.find("{%s}target" % NS2).itertext()),
    } for m in root.iter("{%s}match" % MTC)]
    gloss = [{
        "ref": g.get("ref"),
        "term": g.find("{%s}term" % GLS).text,
        "translations": [t.text for t in g.findall("{%s}translation" % GLS)],
    } for g in root.iter("{%s}glossEntry" % GLS)]
    return {"file": path, "reader": "lxml", "segments": segs, "matches": matches, "glossary": gloss}


def main():
    for path in sys.argv[1:]:
        with open(path, "rb") as f:
            data = f.read()
        head = data[:2000]
        if b"xliff:document:2" in head:
            out = read2(path, data)
        else:
            out = read12(path, data)
        print(json.dumps(out, ensure_ascii=False))


if __name__ == "__main__":
    main()
