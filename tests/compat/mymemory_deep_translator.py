"""deep-translator's MyMemoryTranslator pointed at a mustalah server.

Usage: mymemory_deep_translator.py GET_URL SOURCE TARGET TEXT
Prints JSON: the translation, and all matches (return_all=True).
"""

import json
import sys

from deep_translator import MyMemoryTranslator
from deep_translator.exceptions import RequestError

url, source, target, text = sys.argv[1:]
t = MyMemoryTranslator(source=source, target=target)
# The client has no URL option: its base URL is this attribute.
t._base_url = url
out = {"codes": [t._source, t._target]}
try:
    out["translation"] = t.translate(text)
    out["all"] = t.translate(text, return_all=True)
except RequestError as e:
    out["error"] = str(e)
print(json.dumps(out, ensure_ascii=False))
