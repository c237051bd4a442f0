"""Dump a TMX or TBX file as translate-toolkit reads it, as JSON on stdout.

Usage: ttk_dump.py tmx|tbx FILE

TMX: per <tu> (translate-toolkit's tmxfile units): tuid, notes, props and,
per <tuv>, its language, text (translate-toolkit's own node text), notes
and props, plus the tu's creationid/creationdate/changedate.
TBX: per <termEntry> (tbxfile units): id, and per scope (concept, each
langSet, each tig/ntig) its data-category elements (descrip, termNote,
admin, note, transac…) as [element, type, text]; terms per language with
their text.
"""

import json
import sys

from translate.storage import lisa, tbx, tmx

XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


def local(tag):
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def text(node):
    return "".join(node.itertext())


def dump_tmx(path):
    with open(path, "rb") as f:
        store = tmx.tmxfile(f)
    units = []
    for u in store.units:
        el = u.xmlelement
        tuvs = []
        for tuv in el.iterchildren():
            if local(tuv.tag) != "tuv":
                continue
            tuvs.append(
                {
                    "lang": tuv.get(XML_LANG) or tuv.get("lang") or "",
                    "text": u.getNodeText(tuv) or "",
                    "notes": [text(n) for n in tuv.iterchildren() if local(n.tag) == "note"],
                    "props": [
                        [p.get("type") or "", text(p)]
                        for p in tuv.iterchildren()
                        if local(p.tag) == "prop"
                    ],
                }
            )
        units.append(
            {
                "tuid": el.get("tuid"),
                "notes": [text(n) for n in el.iterchildren() if local(n.tag) == "note"],
                "props": [
                    [p.get("type") or "", text(p)]
                    for p in el.iterchildren()
                    if local(p.tag) == "prop"
                ],
                "creationid": el.get("creationid"),
                "creationdate": el.get("creationdate"),
                "changedate": el.get("changedate"),
                "tuvs": tuvs,
            }
        )
    header = {"notes": [], "props": []}
    root = store.document.getroot()
    for h in root.iterchildren():
        if local(h.tag) == "header":
            header["notes"] = [text(n) for n in h.iterchildren() if local(n.tag) == "note"]
            header["props"] = [
                [p.get("type") or "", text(p)] for p in h.iterchildren() if local(p.tag) == "prop"
            ]
    return {"header": header, "units": units}


STRUCTURE = {"langSet", "langSec", "tig", "ntig", "termSec", "termGrp", "term"}


def fields(node, group=""):
    """Data-category elements of one scope, not entering sub-scopes, as
    [element, type, text, enclosing group element]."""
    out = []
    for child in node.iterchildren():
        name = local(child.tag)
        if name in ("langSet", "langSec", "tig", "ntig", "termSec"):
            continue
        if name == "termGrp":
            out.extend(fields(child))
            continue
        if name == "term" or not name:
            continue
        if len(child) and name.endswith("Grp"):
            out.extend(fields(child, group or name))
            continue
        out.append([name, child.get("type") or "", " ".join(text(child).split()), group])
    return out


def dump_tbx(path):
    with open(path, "rb") as f:
        store = tbx.tbxfile(f)
    entries = []
    for u in store.units:
        el = u.xmlelement
        langs = []
        for ls in el.iterchildren():
            if local(ls.tag) not in ("langSet", "langSec"):
                continue
            terms = []
            for t in ls.iterchildren():
                if local(t.tag) not in ("tig", "ntig", "termSec"):
                    continue
                term = next((x for x in t.iter() if local(x.tag) == "term"), None)
                terms.append(
                    {
                        "text": " ".join(text(term).split()) if term is not None else "",
                        "fields": fields(t),
                    }
                )
            langs.append(
                {"lang": ls.get(XML_LANG) or ls.get("lang") or "", "fields": fields(ls), "terms": terms}
            )
        entries.append({"id": el.get("id"), "fields": fields(el), "langs": langs})
    return {"entries": entries}


if __name__ == "__main__":
    kind, path = sys.argv[1], sys.argv[2]
    data = dump_tmx(path) if kind == "tmx" else dump_tbx(path)
    json.dump(data, sys.stdout, ensure_ascii=False)
