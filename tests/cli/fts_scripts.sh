#!/bin/sh
# Words in every script: a word or phrase of any characters is split as the
# full-text index splits texts (never an FTS5 error), case and diacritics
# fold alike for words and phrases, and Chinese, Japanese, Korean and Thai
# are found by any part of two or more characters (by one, too).
. "$top_srcdir/tests/cli/lib.sh"
S=$T/s.pvx

python3 - "$T/in.jsonl" <<'PY'
import json, sys
texts = [
    "The caf\u00e9 arrived early; a\u2248b holds.",          # 1
    "CAF\u00c9 ARRIVED at noon",                              # 2
    "cafe-arrived, then a b",                                 # 3
    "a cafeteria that arrived",                               # 4: not the phrase
    "\u6211\u4eec\u7231\u4e2d\u56fd\u4eba\u6c11\u3002",       # 5 我们爱中国人民。
    "\u4e2d\u56fd",                                           # 6 中国
    "\u5728\u4e2d\u56fd\uff0c\u5927\u5bb6\u597d",             # 7 在中国，大家好
    "\u4e2d\u56fd\u4eba\u548c\u4e2d\u56fd",                   # 8 中国人和中国
    "\u4ed6\u8bf4\uff1a\u4e2d\u56fd\uff01",                   # 9 他说：中国！
    "\u4e2d \u56fd",                                          # 10 中 国: not 中国
    "\u65e5\u672c\u8a9e\u3092\u52c9\u5f37\u3059\u308b",       # 11 日本語を勉強する
    "\u0e20\u0e32\u0e29\u0e32\u0e44\u0e17\u0e22\u0e07\u0e48\u0e32\u0e22",  # 12 Thai
    "\ud55c\uad6d\uc5b4\ub97c \ubc30\uc6b0\ub2e4",            # 13 한국어를 배우다
    "\u0645\u0631\u062d\u0628\u0627 \u0628\u0627\u0644\u0639\u0627\u0644\u0645 "
    "\u05e9\u05dc\u05d5\u05dd \u05e2\u05d5\u05dc\u05dd",      # 14 Arabic, Hebrew
    "I \U0001f44d\U0001f3fd it, iPhone\u624b\u673a \u7b2c3\u7ae0",  # 15
]
with open(sys.argv[1], "w", encoding="utf-8") as f:
    for i, t in enumerate(texts, 1):
        f.write(json.dumps({"id": "t%d" % i, "text": t}) + "\n")
PY
pv index "$S" "$T/in.jsonl" --id-field id --origin real -q
ok $? "index"

ids() {	# ids FILTER: the ext ids found, space-separated
	pv ls "$S" "$1" --json | python3 -c 'import json,sys
print(" ".join(json.loads(l)["ext_id"] for l in sys.stdin))'
}

# ---- the failures of issue 10
out=$(pv count "$S" 'a≈b' 2>&1)
is "$out" 2 "a≈b: the words a and b in a row, no FTS5 error"
is "$(ids '"cafe arrived"')" "t1 t2 t3" '"cafe arrived" folds diacritics as cafe does'
is "$(ids '"café arrived"')" "t1 t2 t3" '"café arrived": the same'
is "$(ids 'cafe arrived')" "t1 t2 t3" "the words: the same"
is "$(pv count "$S" '中国')" 5 "中国 is found in all 5 texts holding it"
is "$(ids '中国')" "t5 t6 t7 t8 t9" "those 5"
is "$(ids '"中国"')" "t5 t6 t7 t8 t9" "as a phrase too"

# ---- any part of a run
is "$(ids '国人')" "t5 t8" "inside a run"
is "$(ids '爱中国人民')" "t5" "a longer part"
is "$(ids '中')" "t5 t6 t7 t8 t9 t10" "one character"
is "$(ids '国')" "t5 t6 t7 t8 t9 t10" "one character that ends runs"
is "$(ids '"中国 人民"')" "" "a phrase does not join two runs"
is "$(ids '本語を勉')" "t11" "Japanese across kanji and kana"
is "$(ids 'ไทย')" "t12" "Thai"
is "$(ids 'ง่าย')" "t12" "Thai with a tone mark (a separator to the tokenizer)"
is "$(ids 'ง้าย')" "" "another tone mark is another word"
is "$(ids '국어')" "t13" "Korean"
is "$(ids 'بالعالم')" "t14" "Arabic: whole words"
is "$(ids '"שלום עולם"')" "t14" "a Hebrew phrase"
is "$(ids 'iphone手')" "t15" "Latin then Chinese in one token"
is "$(ids '第3章')" "t15" "Chinese, a digit, Chinese"
is "$(ids '👍🏽')" "t15" "an emoji with a skin tone: as the tokenizer sees it"
like "$(pv ls "$S" '中国人' --explain 2>&1)" "pv_fts_query" "--explain shows the query"

# ---- hostile strings: no internal error, whatever the bytes
python3 - "$T/hostile" <<'PY'
import sys
lines = [
    "a≈b", "x+y=z", "$HOME", "%s%s%n", "¯\\_(ツ)_/¯",
    "<script>alert(1)</script>", "'; DROP TABLE docs; --", "NEAR(a b)", "^caret",
    "a*b", "**", "()", "-", "--", "@#!", "1/0", "0x41", "∑∫√",
    "½¾", "Ⅻ", "ＡＢＣ１２３", "İstanbul",
    "Straße", "ﬁ", "ǅ",
    # emoji: skin tone, family (zero-width joiners), flag, variation selectors
    "👍🏽", "👨‍👩‍👧‍👦",
    "🇫🇷", "I❤️NY", "1️⃣", "🏽x",
    # right to left, mixed, direction marks and overrides
    "مرحبا بالعالم",
    "שלום עולם", "abc שלום 123",
    "‮abc‬", "‏מימין‎",
    # combining marks
    "é", "Z̤͔ͧ̑̓ä͖̭̈̇lͮ̒"
    "ͫǧ̗͚̚o̙̔ͮ̇͐̇", "́",
    # spaceless scripts, alone and mixed
    "ก่ข", "ភាសាខ្មែរ",
    "မြန်မာ", "ພາສາລາວ",
    "中文English混合", "日本語のテキスト",
    "ｶﾞｷﾞ", "々〆〇", "한국어",
    # zero-width characters
    "a‍b", "​", "﻿BOM",
]
raw = [
    b"\xed\xa0\x80", b"\xed\xbf\xbf", b"a\xed\xa0\xbdb",   # lone surrogates
    b"\xed\xa0\xbd\xed\xb8\x80",                            # a pair, CESU-8
    b"\xff\xfe", b"x\xc3 y", b"\xc0\xaf", b"\xe0\x80\xaf",      # invalid, overlong
    b"\xf8\x88\x80\x80\x80", b"abc\x80def", b"\xf4\x90\x80\x80",
    b"\x01\x02", b"\x1b[31mred", b"tab\there", "中".encode() * 3000,
]
with open(sys.argv[1], "wb") as f:
    for l in lines:
        f.write(l.encode() + b"\n")
    for l in raw:
        f.write(l + b"\n")
PY
nh=$(wc -l < "$T/hostile")
bad=
n=0
tried=0
while IFS= read -r h; do
	n=$((n + 1))
	# under valgrind, one string in eight (each run takes seconds)
	[ -n "${PROVEX_VALGRIND:-}" ] && [ $((n % 8)) -ne 5 ] && continue
	tried=$((tried + 1))
	for f in "$h" "\"$h\""; do
		err=$(pv count "$S" "$f" 2>&1 >/dev/null)
		st=$?
		if { [ $st -ne 0 ] && [ $st -ne 2 ]; } ||
		   printf '%s' "$err" | grep -Eiq 'fts5|sqlite|sql logic|internal'; then
			bad="$bad [$(printf '%s' "$f" | od -An -c | tr -s ' \n' '  ' | cut -c1-60)] status $st: $err;"
		fi
	done
done < "$T/hostile"
is "$bad" "" "$tried of $nh hostile strings, as words and as phrases: no internal error"
ok $([ "$nh" -ge 60 ]; echo $?) "at least 60 of them ($nh)"

# ---- every part of the Chinese texts of a shared corpus, counted against
# the raw texts
Z=$SHARED/corpora/m4-llama2/data/qazh_llama2.jsonl
if [ -f "$Z" ]; then
	M=$T/m.pvx
	pv index "$M" "$Z" --text-field human_text --origin real -q &&
	pv index "$M" "$Z" --text-field machine_text --origin synthetic -q
	ok $? "index m4-llama2's Chinese texts"
	many=40
	[ -n "${PROVEX_VALGRIND:-}" ] && many=4
	# substrings of 1 to 6 letters (Han, kana) at fixed pseudo-random places
	# and the most frequent ones, with the number of documents whose raw
	# text holds each
	python3 - "$Z" "$many" $((many / 10 + 1)) > "$T/subs" <<'PY'
import json, random, re, sys
docs = []
for line in open(sys.argv[1], encoding="utf-8"):
    r = json.loads(line)
    docs += [r[k] for k in ("human_text", "machine_text") if isinstance(r.get(k), str) and r[k]]
letters = re.compile("[\u3040-\u30ff\u4e00-\u9fff]+")
runs = [m.group() for d in docs for m in letters.finditer(d)]
rng = random.Random(10)
seen = set()
while len(seen) < int(sys.argv[2]):
    run = rng.choice(runs)
    n = 1 + len(seen) % 6
    if len(run) < n:
        continue
    i = rng.randrange(len(run) - n + 1)
    sub = run[i:i + n]
    if sub in seen:
        continue
    seen.add(sub)
# and the parts of 2 to 4 letters found in most texts
for n in (2, 3, 4):
    df = {}
    for d in docs:
        for g in {m.group()[i:i + n] for m in letters.finditer(d)
                  for i in range(len(m.group()) - n + 1)}:
            df[g] = df.get(g, 0) + 1
    seen.update(sorted(df, key=lambda g: (-df[g], g))[:int(sys.argv[3])])
for sub in sorted(seen):
    print("%s\t%d\t%d" % (sub, sum(sub in d for d in docs), len(sub)))
PY
	wrong=
	nsub=0
	while IFS="$(printf '\t')" read -r sub want nch; do
		nsub=$((nsub + 1))
		got=$(pv count "$M" "$sub" 2>&1)
		[ "$got" = "$want" ] || wrong="$wrong $sub: $got, raw $want;"
	done < "$T/subs"
	is "$wrong" "" "$nsub parts of Chinese runs found as often as in the raw texts"
	ok $(awk -F'\t' -v want=$((many / 10 + 1)) '$3 >= 2 && $2 > 10 { n++ }
		END { exit !(n >= want) }' "$T/subs"; echo $?) \
		"some of 2 characters or more, in more than 10 texts"
else
	skip "no ../shared/corpora/m4-llama2 (the shared corpora are absent)"
fi

done_testing
