#!/bin/sh
# stats_html.sh - provex stats --html: one self-contained page with SVG
# charts (a bar per value, two bars per histogram bin), every string from
# the store escaped, "sample of N" where a figure is over a sample; the
# bad inputs (no synthetic or no real documents, one document per class,
# 10,000 identical documents, empty documents, usage errors); and the
# page opened in headless Chromium: the DOM it builds has the bars
# expected, and its screenshot is a picture of charts, not a blank page;
# ratio bins that resolve where the documents are (a few very repetitive
# ones gathered in an open last bin) and each series' exact median; the
# detector's per-group figures of newer runs (own, pooled and matched
# AUC, TPR at each FPR, AUC by length, the control, uncovered values).
. "$top_srcdir/tests/cli/lib.sh"
S=$T/s.pvx

ix() {	# ix STORE JSONL: indexes without valgrind (indexing is tested elsewhere)
	"$PROVEX" index "$1" "$2" --id-field id --origin-field origin --source-field source \
		--generator-field generator -q
}

# 150 real documents (short, two sources, one named with markup and
# quotes), 120 synthetic ones by two generators (longer, repetitive), 5
# of unknown origin (and 3 with an empty text, which provex index leaves
# out)
python3 - "$T/in.jsonl" <<'EOF'
import json, random, sys
r = random.Random(7)
real = "the river town market bridge morning said walked old house children bread".split()
syn = "delve tapestry robust leverage seamless pivotal realm foster".split()
out = open(sys.argv[1], "w")
def doc(i, origin, source, gen, text):
    d = {"id": "d%d" % i, "origin": origin, "source": source, "text": text}
    if gen:
        d["generator"] = gen
    out.write(json.dumps(d) + "\n")
i = 0
for k in range(150):
    src = "news" if k % 3 else "<script>alert(\"pwned\")</script> & 'quoted'"
    doc(i, "real", src, None, " ".join(r.choice(real) for _ in range(r.randint(3, 60)))); i += 1
for k in range(120):
    words = [r.choice(syn) for _ in range(r.randint(40, 400))]
    doc(i, "synthetic", "forum", "gen-<b>%d</b>" % (k % 2), " ".join(words)); i += 1
for k in range(5):
    doc(i, "unknown", "web", None, "unknown origin text %d" % k); i += 1
for k in range(3):
    doc(i, "real", "news", None, ""); i += 1
EOF
ix "$S" "$T/in.jsonl"
ok $? "index a store whose source names hold markup and quotes"

out=$(pv stats "$S" --html "$T/page.html" --sample 50)
ok $? "stats --html exits 0"
like "$out" "^wrote $T/page.html: 275 documents \(compression ratios over a sample of 50\)$" \
	"it says what it wrote"
H=$T/page.html
like "$(head -c 15 "$H")" '^<!DOCTYPE html>' "the file is an HTML page"
is "$(grep -ci '<script' "$H")" 0 "no script element, not even from the source name"
like "$(cat "$H")" '&lt;script&gt;alert\(&quot;pwned&quot;\)&lt;/script&gt; &amp; &#39;quoted&#39;' \
	"the source name is escaped: markup, both quotes and the ampersand"
like "$(cat "$H")" 'gen-&lt;b&gt;0&lt;/b&gt;' "so are generator names"
unlike "$(cat "$H")" 'gen-<b>' "never raw"
unlike "$(cat "$H")" '(src=|href=|url\(|@import|https?:)' "nothing is fetched: no links, sources or URLs"
like "$(cat "$H")" 'a sample of 50 of 270 documents' "the ratio histogram says it is over a sample of 50"
like "$(cat "$H")" 'length in bytes, log scale; all 270 documents\.' \
	"the length histogram is over every real and synthetic document"
like "$(cat "$H")" 'run provex detect' "without a detect run the page says to run provex detect"
like "$(cat "$H")" 'run provex review' "and provex review for the review results"

# the charts, counted in the file itself
python3 - "$H" > "$T/count" <<'EOF'
import sys
from html.parser import HTMLParser
class P(HTMLParser):
    def __init__(self):
        super().__init__(); self.svgs = []; self.cur = None
    def handle_starttag(self, tag, a):
        a = dict(a)
        if tag == "svg":
            self.cur = {"a": a, "real": 0, "synthetic": 0, "count": 0}
            self.svgs.append(self.cur)
        elif tag == "rect" and self.cur is not None:
            for c in (a.get("class") or "").split():
                if c in ("real", "synthetic", "count"):
                    self.cur[c] += 1
    def handle_endtag(self, tag):
        if tag == "svg":
            self.cur = None
p = P(); p.feed(open(sys.argv[1], encoding="utf-8").read())
bad = 0
for s in p.svgs:
    a = s["a"]
    if a.get("class") == "hist":
        n = int(a["data-bins"])
        if s["real"] != n or s["synthetic"] != n:
            bad += 1
        print("hist", a["data-figure"], n, s["real"], s["synthetic"])
    elif a.get("class") == "counts":
        if s["count"] != int(a["data-bars"]):
            bad += 1
        print("counts", a["data-field"], s["count"])
print("bad", bad)
EOF
like "$(cat "$T/count")" '^hist length [0-9]+ ' "a length histogram"
like "$(cat "$T/count")" '^hist ratio [0-9]+ ' "a ratio histogram"
like "$(cat "$T/count")" '^counts source 4$' "a bar per source"
like "$(cat "$T/count")" '^counts origin 3$' "a bar per origin"
like "$(cat "$T/count")" '^bad 0$' "each histogram has a real and a synthetic bar per bin; each count chart a bar per value"

# ---- bins where the documents are ----
# 200 real documents (words from a large vocabulary), 194 synthetic ones
# (from a small one: they compress better) and 6 very repetitive synthetic
# ones (ratios of 50 and more).  Bins from the smallest ratio to the 99th
# percentile put 99.5% of the real and 97% of the synthetic documents in
# the first bin; bins over each series' bulk spread them out and gather
# the repetitive ones in an open last bin.
python3 - "$T/bulk.jsonl" "$T/bulk.want" <<'EOF'
import json, random, statistics, sys
r = random.Random(11)
def word(k): return "".join(r.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(k))
big = [word(r.randint(3, 9)) for _ in range(3000)]
small = big[:150]
out = open(sys.argv[1], "w")
lens = {"real": [], "synthetic": []}
def doc(i, origin, text):
    out.write(json.dumps({"id": "b%d" % i, "origin": origin, "text": text}) + "\n")
    lens[origin].append(len(text.encode()))
for i in range(200):
    doc(i, "real", " ".join(r.choice(big) for _ in range(r.randint(40, 300))))
for i in range(194):
    doc(200 + i, "synthetic", " ".join(r.choice(small) for _ in range(r.randint(40, 300))))
for i in range(6):
    doc(400 + i, "synthetic", ("as an AI model I cannot %d " % i) * r.randint(200, 400))
def shown(m):   # as the page shows a median: thousands separators, .5
    return "{:,}".format(int(m)) + (".5" if m != int(m) else "")
open(sys.argv[2], "w").write("real %s synthetic %s\n" % (shown(statistics.median(lens["real"])),
                                                       shown(statistics.median(lens["synthetic"]))))
EOF
ix "$T/bulk.pvx" "$T/bulk.jsonl"
pv stats "$T/bulk.pvx" --html "$T/bulk.html" > /dev/null
ok $? "stats --html on 400 documents, 6 of them very repetitive"
python3 - "$T/bulk.html" > "$T/bulk.bins" <<'EOF'
import re, sys
h = open(sys.argv[1], encoding="utf-8").read()
svg = re.search(r'<svg class="hist" data-figure="ratio".*?</svg>', h, re.S).group(0)
bins = {}
for side, lab, n, p in re.findall(r'<title>(real|synthetic), from ([^:]*): ([\d,]+) documents \(([\d.]+)%\)</title>', svg):
    bins.setdefault(lab, {})[side] = (int(n.replace(",", "")), float(p))
labs = list(bins)
first, last = bins[labs[0]], bins[labs[-1]]
used = sum(1 for l in labs if bins[l]["real"][0] > 0)
print("first %.1f %.1f" % (first["real"][1], first["synthetic"][1]))
print("used %d" % used)
print("last %s %d" % (labs[-1], last["synthetic"][0]))
print("medians %d" % len(re.findall(r'<line class="median (real|synthetic)"', svg)))
EOF
ok "$(awk '/^first/ { print ($2 < 50 && $3 < 50) ? 0 : 1 }' "$T/bulk.bins")" \
	"the first ratio bin no longer holds the bulk ($(grep first "$T/bulk.bins"): % of real, synthetic)"
ok "$(awk '/^used/ { print ($2 >= 8) ? 0 : 1 }' "$T/bulk.bins")" \
	"the real documents spread over many bins ($(grep used "$T/bulk.bins"))"
like "$(cat "$T/bulk.bins")" '^last >=[0-9.]+ ([6-9]|1[0-9])$' \
	"the repetitive documents are gathered in an open last bin ($(grep last "$T/bulk.bins"))"
like "$(cat "$T/bulk.bins")" '^medians 2$' "a dashed line at each series' median ratio"
read -r _ mreal _ msyn < "$T/bulk.want"
like "$(cat "$T/bulk.html")" "real \(200; <span class=\"median\">median $mreal bytes</span>\)" \
	"the length legend gives the real median, exact ($mreal)"
like "$(cat "$T/bulk.html")" "synthetic \(200; <span class=\"median\">median $msyn bytes</span>\)" \
	"and the synthetic one ($msyn)"

# ---- bad inputs ----
out=$(pv stats "$S" 'origin:real' --html "$T/real.html")
ok $? "a filter without synthetic documents"
like "$(cat "$T/real.html")" 'no synthetic documents: only the real ones are drawn' \
	"the page says there is nothing to compare with"
is "$(grep -c 'class="bar synthetic"' "$T/real.html")" 0 "and draws no synthetic bar"
pv stats "$S" 'origin:synthetic' --html "$T/syn.html" > /dev/null
like "$(cat "$T/syn.html")" 'no real documents: only the synthetic ones' "and without real documents"
pv stats "$S" 'source:nowhere' --html "$T/none.html" > /dev/null
ok $? "a filter matching nothing"
like "$(cat "$T/none.html")" 'No document matches this filter' "says so"

printf '%s\n' '{"id":"a","origin":"real","text":"one real document"}' \
	'{"id":"b","origin":"synthetic","text":"one synthetic document"}' > "$T/one.jsonl"
ix "$T/one.pvx" "$T/one.jsonl"
pv stats "$T/one.pvx" --html "$T/one.html" > /dev/null
ok $? "one document per class"
is "$(grep -c 'class="bar real"' "$T/one.html")" "$(grep -c 'class="bar synthetic"' "$T/one.html")" \
	"as many real bars as synthetic ones"
like "$(cat "$T/one.html")" '100\.0%\)</title>' "each document is all of its series"

python3 -c '
import json
for i in range(10000):
    print(json.dumps({"id": "s%d" % i, "origin": "real" if i % 2 else "synthetic", "text": "the same text every time"}))
' > "$T/same.jsonl"
ix "$T/same.pvx" "$T/same.jsonl"
out=$(pv stats "$T/same.pvx" --html "$T/same.html" --sample 1000)
ok $? "10,000 identical documents"
like "$out" "10,000 documents \(compression ratios over a sample of 1,000\)" "sampled"
like "$(cat "$T/same.html")" 'data-figure="length" data-bins="1"' "one length bin"
like "$(cat "$T/same.html")" 'data-figure="ratio" data-bins="1"' "one ratio bin"

# provex index leaves out empty texts; blank ones (spaces, a newline) are
# documents without words
printf '%s\n' '{"id":"a","origin":"real","text":""}' '{"id":"b","origin":"synthetic","text":" "}' \
	'{"id":"c","origin":"real","text":"   "}' '{"id":"d","origin":"synthetic","text":"\n"}' > "$T/empty.jsonl"
ix "$T/empty.pvx" "$T/empty.jsonl"
out=$(pv stats "$T/empty.pvx" --html "$T/empty.html")
ok $? "empty and blank documents"
like "$out" ": 3 documents" "counted"
is "$(grep -c 'class="bar real"' "$T/empty.html")" "$(grep -c 'class="bar synthetic"' "$T/empty.html")" \
	"drawn as any other"
unlike "$(cat "$T/empty.html")" '[^a-z](nan|inf|-nan)[^a-z]' "no NaN or infinity on the page"

# ---- usage ----
pv stats "$S" --html "$T/x.html" --json > /dev/null 2> "$T/err"
is $? 2 "--html with --json is a usage error"
like "$(cat "$T/err")" 'does not go with --json' "saying why"
pv stats "$S" --html "$T/x.html" --sample 0 > /dev/null 2>&1
is $? 2 "--sample 0 is a usage error"
pv stats "$S" --html "$T/no/such/dir/x.html" > /dev/null 2> "$T/err"
is $? 1 "an unwritable file fails"
like "$(cat "$T/err")" "no/such/dir/x.html" "naming it"

# ---- in a browser ----
chrome=
for c in chromium chromium-browser google-chrome; do
	if command -v "$c" > /dev/null 2>&1; then chrome=$c; break; fi
done
if [ -z "$chrome" ]; then
	skip "chromium is not installed (scripts/bootstrap check installs it): the page is not opened in a browser"
else
	run_chrome() {
		HOME=$T timeout 120 "$chrome" --headless --no-sandbox --disable-gpu \
			--no-first-run --user-data-dir="$T/chrome" "$@" 2> "$T/chrome.err"
	}
	run_chrome --dump-dom "file://$H" > "$T/dom.html"
	ok $? "chromium opens the page (--dump-dom)"
	python3 - "$T/dom.html" > "$T/domcount" <<'EOF'
import sys
from html.parser import HTMLParser
class P(HTMLParser):
    def __init__(self):
        super().__init__(); self.svgs = []; self.cur = None; self.scripts = 0
    def handle_starttag(self, tag, a):
        a = dict(a)
        if tag == "script":
            self.scripts += 1
        if tag == "svg":
            self.cur = {"a": a, "real": 0, "synthetic": 0, "count": 0}
            self.svgs.append(self.cur)
        elif tag == "rect" and self.cur is not None:
            for c in (a.get("class") or "").split():
                if c in ("real", "synthetic", "count"):
                    self.cur[c] += 1
    def handle_endtag(self, tag):
        if tag == "svg":
            self.cur = None
p = P(); p.feed(open(sys.argv[1], encoding="utf-8").read())
hist = [s for s in p.svgs if s["a"].get("class") == "hist"]
counts = [s for s in p.svgs if s["a"].get("class") == "counts"]
ok = all(s["real"] == int(s["a"]["data-bins"]) == s["synthetic"] for s in hist)
ok = ok and all(s["count"] == int(s["a"]["data-bars"]) for s in counts)
print("svgs %d hist %d counts %d scripts %d bars-ok %d" % (len(p.svgs), len(hist), len(counts), p.scripts, ok))
EOF
	like "$(cat "$T/domcount")" 'hist 2 counts 5 scripts 0 bars-ok 1' \
		"the DOM has two histograms and five count charts with the bars expected, and no script ($(cat "$T/domcount"))"
	run_chrome --screenshot="$T/shot.png" --window-size=1200,2000 "file://$H" > /dev/null
	ok $? "chromium takes a screenshot"
	cat > "$T/pixels.py" <<'EOF'
import struct, sys, zlib
data = open(sys.argv[1], "rb").read()
assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
pos, idat, w = 8, b"", 0
while pos < len(data):
    n, kind = struct.unpack(">I4s", data[pos:pos + 8])
    body = data[pos + 8:pos + 8 + n]
    if kind == b"IHDR":
        w, h, depth, ctype, _, _, interlace = struct.unpack(">IIBBBBB", body)
    elif kind == b"IDAT":
        idat += body
    pos += 12 + n
assert depth == 8 and interlace == 0 and ctype in (0, 2, 4, 6), "unexpected PNG format"
bpp = {0: 1, 2: 3, 4: 2, 6: 4}[ctype]
raw = zlib.decompress(idat)
stride = w * bpp
prev = bytearray(stride)
rows = []
i = 0
for y in range(h):
    f = raw[i]; line = bytearray(raw[i + 1:i + 1 + stride]); i += 1 + stride
    for x in range(stride):
        a = line[x - bpp] if x >= bpp else 0
        b = prev[x]
        c = prev[x - bpp] if x >= bpp else 0
        if f == 1: line[x] = (line[x] + a) & 255
        elif f == 2: line[x] = (line[x] + b) & 255
        elif f == 3: line[x] = (line[x] + (a + b) // 2) & 255
        elif f == 4:
            p = a + b - c; pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
            pr = a if pa <= pb and pa <= pc else (b if pb <= pc else c)
            line[x] = (line[x] + pr) & 255
    rows.append(bytes(line)); prev = line
colours = {}
nonwhite = real = synth = 0
for line in rows:
    for x in range(0, stride, bpp):
        px = tuple(line[x:x + 3]) if bpp >= 3 else (line[x],) * 3
        colours[px] = colours.get(px, 0) + 1
        if px != (255, 255, 255):
            nonwhite += 1
        if abs(px[0] - 0x2f) < 8 and abs(px[1] - 0x6d) < 8 and abs(px[2] - 0xb5) < 8:
            real += 1
        if abs(px[0] - 0xe8) < 8 and abs(px[1] - 0x78) < 8 and abs(px[2] - 0x2a) < 8:
            synth += 1
total = w * h
top = max(colours.values())
print("size %dx%d nonwhite %.3f top %.3f colours %d real %d synthetic %d" %
      (w, h, nonwhite / total, top / total, len(colours), real, synth))
EOF
	python3 "$T/pixels.py" "$T/shot.png" > "$T/pixels"
	px=$(cat "$T/pixels")
	# the same measure on a blank page tells the two apart
	printf '<!DOCTYPE html><html><body></body></html>\n' > "$T/blank.html"
	run_chrome --screenshot="$T/blank.png" --window-size=1200,2000 "file://$T/blank.html" > /dev/null
	blank=$(python3 "$T/pixels.py" "$T/blank.png")
	ok "$(echo "$blank" | awk '{ print ($4 < 0.01) ? 0 : 1 }')" \
		"while a blank page measures blank ($blank)"
	like "$px" '^size 1200x2000 ' "the screenshot is 1200x2000 ($px)"
	ok "$(echo "$px" | awk '{ print ($4 >= 0.03 && $6 <= 0.97) ? 0 : 1 }')" \
		"it is not blank: a fair share of pixels are neither white nor one colour"
	ok "$(echo "$px" | awk '{ print ($8 > 20) ? 0 : 1 }')" "it has many colours (text, bars, axes)"
	ok "$(echo "$px" | awk '{ print ($10 >= 2000 && $12 >= 2000) ? 0 : 1 }')" \
		"the real (blue) and synthetic (orange) bars are drawn: thousands of pixels each"
fi

# ---- the detector's per-group figures ----
# a run of provex detect, its summary then replaced by one with the
# figures of newer runs (so this does not wait on what detect writes):
# own, pooled and matched AUCs, TPR at 1% and 5% FPR, AUC by length, the
# shuffled-label control, the values a group never covers; one group of
# an older run, and a group name with markup
"$PROVEX" detect "$S" --by generator --folds 3 > /dev/null 2>&1
ok $? "provex detect on the store"
# end to end, once provex detect writes them: the page shows its figures
if sqlite3 "$S" "SELECT summary FROM detect_runs ORDER BY id DESC LIMIT 1" | grep -q '"own":'; then
	pv stats "$S" --html "$T/e2e.html" > /dev/null
	like "$(cat "$T/e2e.html")" '<tr><td>gen-&lt;b&gt;0&lt;/b&gt;</td><td class="n">60</td><td class="n">150</td><td class="n">[01]\.[0-9]{3} \([01]\.[0-9]{3}&ndash;[01]\.[0-9]{3}\)</td><td class="n">[01]\.[0-9]{3} \(' \
		"end to end: the page shows the own and pooled AUCs provex detect wrote"
	like "$(cat "$T/e2e.html")" '<p id="control"[^>]*>Control, the labels shuffled: AUC [01]\.[0-9]{3} ' \
		"and its control"
else
	skip "provex detect does not write the per-group figures yet: no end-to-end check"
	skip "nor of the control"
fi
cat > "$T/summary.json" <<'EOF'
{"overall":{"auc":0.9,"ci":[0.85,0.95],"se":0.02},"real":150,"synthetic":120,
 "by":"generator","model":"logistic regression","match":"source",
 "control":{"auc":0.503,"ci":[0.47,0.53],"se":0.01},
 "groups":[{"value":"gen-<i>new</i>","synthetic":60,"real":150,"auc":0.87,"ci":[0.83,0.91],
  "words":null,"pooled":{"auc":0.87,"ci":[0.83,0.91],"se":0.02,"real":150},
  "own":{"auc":0.912,"ci":[0.88,0.94],"se":0.015,"real":150},
  "matched":{"auc":0.701,"ci":[0.65,0.75],"se":0.03,"real":100,"field":"source"},
  "tpr":[{"fpr":0.01,"tpr":0.62,"ci":[0.58,0.66],"threshold":0.83,"model":"own"},
         {"fpr":0.05,"tpr":0.8,"ci":[0.76,0.84],"threshold":0.41,"model":"own"}],
  "length_bins":[{"min_bytes":0,"max_bytes":500,"synthetic":20,"real":140,"auc":0.8,"ci":[0.7,0.9]},
                 {"min_bytes":500,"max_bytes":null,"synthetic":40,"real":0,"auc":null,"ci":null}],
  "uncovered":{"field":"source","values":1,"real":50}},
  {"value":"gen-old","synthetic":60,"real":150,"auc":0.6,"ci":[0.55,0.65]}]}
EOF
sqlite3 "$S" "UPDATE detect_runs SET summary = CAST(readfile('$T/summary.json') AS TEXT) WHERE id = (SELECT max(id) FROM detect_runs)"
ok $? "its summary replaced by one with the per-group figures"
pv stats "$S" --html "$T/det.html" > /dev/null
ok $? "stats --html with them"
D=$(cat "$T/det.html")
like "$D" '<th class="n">own AUC</th><th class="n">pooled AUC</th><th class="n">matched AUC</th><th class="n">TPR at 1% FPR</th><th class="n">TPR at 5% FPR</th>' \
	"the detector table has a column per figure, a TPR column per FPR"
like "$D" '<tr><td>gen-&lt;i&gt;new&lt;/i&gt;</td><td class="n">60</td><td class="n">150</td><td class="n">0\.912 \(0\.880&ndash;0\.940\)</td><td class="n">0\.870 \(0\.830&ndash;0\.910\)</td><td class="n">0\.701 \(0\.650&ndash;0\.750\)<br><span class="note">over 100 real</span></td><td class="n">62\.0% \(58\.0&ndash;66\.0\)</td><td class="n">80\.0% \(76\.0&ndash;84\.0\)</td></tr>' \
	"a group's row: own, pooled, matched (over its 100 real documents), TPR at 1% and 5%, its name escaped"
unlike "$D" 'gen-<i>' "never raw"
like "$D" '<tr><td>gen-old</td><td class="n">60</td><td class="n">150</td><td class="n">&mdash;</td><td class="n">0\.600 \(0\.550&ndash;0\.650\)</td><td class="n">&mdash;</td><td class="n">&mdash;</td><td class="n">&mdash;</td></tr>' \
	"a group of an older run: a dash for each figure it does not have"
like "$D" 'Control, the labels shuffled: AUC 0\.503 \(0\.470&ndash;0\.530\): about 0\.5' "the shuffled-label control"
like "$D" '<p class="warn uncovered">gen-&lt;i&gt;new&lt;/i&gt;: 50 real documents in 1 source values it never covers: topic may pass for style; its matched AUC \(<code>--match source</code>\) leaves them out\.</p>' \
	"a warning for the source values the group never covers, naming --match source"
like "$D" 'data-figure="detector-length"' "the AUC by length"
like "$D" '<td class="n">500&ndash;</td><td class="n">40</td><td class="n">0</td><td class="n">&mdash;</td>' \
	"a length bin with no real documents has no AUC"
like "$D" 'Model: logistic regression, by generator, <code>--match source</code>' "the run's model and --match"
unlike "$D" '[^a-z](nan|inf|-nan)[^a-z]' "no NaN or infinity"

# a target that is not a regular file is refused, never renamed over
mkfifo "$T/fifo"
err=$(pv stats "$S" --html "$T/fifo" 2>&1); st=$?
is $st 2 "stats --html FIFO: a usage error"
like "$err" "not a regular file" "says why"
ok $([ -p "$T/fifo" ]; echo $?) "the FIFO is still a FIFO"

done_testing
