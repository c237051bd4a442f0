"""Runs Weblate's own tmserver machinery code against a mustalah server.

Weblate's machinery classes import its whole Django stack (models, cache,
settings), which cannot be installed next to the other clients (it pins an
older translate-toolkit and needs native builds). So this script takes the
classes `BatchMachineTranslation`, `MachineTranslation` (weblate/machinery/
base.py), `TMServerTranslation` (weblate/machinery/tmserver.py) and the
function `request` (weblate/utils/requests.py) from the pinned Weblate wheel,
unchanged, and executes them with small stand-ins for the Django pieces they
touch (the cache, gettext, site URL, error reporting, the similarity
comparer). The URLs, headers and parsing are Weblate's code.

Usage: weblate_tmserver.py WEBLATE_SRC_DIR BASE_URL SOURCE TARGET TEXT...
Prints one JSON object: languages, is_supported, and the suggestions per text.
"""

import ast
import functools
import itertools
import json
import pathlib
import sys
import urllib.parse

import requests
import requests.exceptions


def classes(path, names):
    tree = ast.parse(pathlib.Path(path).read_text(encoding="utf-8"))
    return [n for n in tree.body if isinstance(n, (ast.ClassDef, ast.FunctionDef)) and n.name in names]


class Cache:
    def __init__(self):
        self.d = {}

    def get(self, key, default=None):
        return self.d.get(key, default)

    def set(self, key, value, timeout=None):
        self.d[key] = value

    def incr(self, key, delta=1):
        self.d[key] = self.d.get(key, 0) + delta

    def delete_many(self, keys):
        for k in keys:
            self.d.pop(k, None)


def main():
    src, base, source, target, *texts = sys.argv[1:]
    src = pathlib.Path(src) / "weblate"
    nodes = (
        classes(src / "utils/requests.py", {"request"})
        + classes(src / "machinery/base.py", {"MachineTranslationError", "MachineryRateLimitError", "BatchMachineTranslation", "MachineTranslation"})
        + classes(src / "machinery/tmserver.py", {"TMServerTranslation"})
    )
    future = ast.ImportFrom(module="__future__", names=[ast.alias(name="annotations")], level=0)
    module = ast.fix_missing_locations(ast.Module(body=[future, *nodes], type_ignores=[]))
    ns = {
        "__name__": "weblate_machinery_under_test",
        "requests": requests,
        "HTTPError": requests.exceptions.HTTPError,
        "JSONDecodeError": requests.exceptions.JSONDecodeError,
        "RequestException": requests.exceptions.RequestException,
        "quote": urllib.parse.quote,
        "chain": itertools.chain,
        "cached_property": functools.cached_property,
        "cache": Cache(),
        "gettext": lambda s: s,
        "get_site_url": lambda: "http://weblate.invalid",
        "report_error": lambda *a, **k: None,
        "Comparer": object,
        "USER_AGENT": "Weblate/5.14.3",
        "LOGGER": None,
        "BaseMachineryForm": None,
        "URLMachineryForm": None,
        "ClassVar": None,
        "time": __import__("time"),
    }
    exec(compile(module, "weblate-machinery", "exec"), ns)
    machine = ns["TMServerTranslation"]({"url": base})
    src_code = machine.map_language_code(source)
    tgt_code = machine.map_language_code(target)
    out = {
        "languages": sorted(map(list, machine.download_languages())),
        "is_supported": machine.is_supported(src_code, tgt_code),
        "codes": [src_code, tgt_code],
        "results": [
            list(machine.download_translations(src_code, tgt_code, t, None, None, 75))
            for t in texts
        ],
    }
    print(json.dumps(out, ensure_ascii=False))


main()
