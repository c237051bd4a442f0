"""language-tool-python with remote_server= pointed at a mustalah server.

Usage: languagetool_python.py SERVER_URL LANGUAGE TEXT
Prints JSON: the matches as the client parsed them (offsets are the
client's, in Python code points, after its own correction for characters
outside the BMP), and the matched text cut from TEXT by those offsets.
"""

import json
import sys

import language_tool_python

url, language, text = sys.argv[1:]
tool = language_tool_python.LanguageTool(language, remote_server=url)
try:
    matches = tool.check(text)
finally:
    tool.close()
print(json.dumps([
    {
        "rule": m.rule_id,
        "category": m.category,
        "offset": m.offset,
        "length": m.error_length,
        "matched": text[m.offset:m.offset + m.error_length],
        "replacements": m.replacements,
        "message": m.message,
    }
    for m in matches
], ensure_ascii=False))
