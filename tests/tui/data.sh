# data.sh - the small store the interface tests browse, sourced by
# tests/tui/lib.sh.  tui_store FILE makes it: 60 documents (e1..e60),
# odd ones real from "news" or "books", even ones synthetic from "forum"
# by gpt-x, plus
#   e7   escape sequences (a title change, clear screen, colours, bell)
#   e8   CJK and emoji
#   e9   200 numbered lines ("line 1 of nine" ...), for reading and search
#   e10  invalid UTF-8 and control characters
tui_store() {
	python3 - "$T/tui.jsonl" <<'PY'
import json, sys
out = open(sys.argv[1], "wb")
for i in range(1, 61):
    real = i % 2 == 1
    d = {"id": "e%d" % i, "origin": "real" if real else "synthetic",
         "source": ("news" if i % 4 == 1 else "books") if real else "forum",
         "text": "document %d talks about %s and more words here" % (i, "apples" if i % 3 else "pears")}
    if not real:
        d["generator"] = "gpt-x"
    if i == 7:
        d["text"] = "escape \x1b]0;PWNED\x07 title \x1b[2J cleared \x1b[31m red \x07 bell"
    if i == 8:
        d["text"] = "\u6f22\u5b57\u30c6\u30b9\u30c8 wide \U0001F600 emoji end"
    if i == 9:
        d["text"] = "\n".join("line %d of nine%s" % (k, " needle" if k in (50, 150) else "") for k in range(1, 201))
    if i == 10:
        line = json.dumps(dict(d, text="BADBYTES")).encode()
        line = line.replace(b"BADBYTES", b"bad \xff\xfe bytes \\u0001 ctrl")
        out.write(line + b"\n")
        continue
    out.write(json.dumps(d).encode() + b"\n")
PY
	pv index "$1" "$T/tui.jsonl" --id-field id --origin-field origin --source-field source \
		--generator-field generator -q
}
