#!/bin/sh
# The compare view on a set of stores, through tmux: provex pairs SET
# stores its near copies in SET/review.pvx (the shards hold none), and c
# on a document of the set opens the compare view on it and its pair from
# another shard (the lowest id when it has several), without asking;
# ] steps to the next document of the filter, the right pane following to
# its pair; a document without a pair asks for one (the picker).
. "$top_srcdir/tests/tui/lib.sh"
export XDG_CONFIG_HOME="$T/cfg"

if ! "$PROVEX" index --help 2>&1 | grep -q -- '--world-size'; then
	echo "1..0 # SKIP this build's index has no --world-size"
	exit 0
fi

# three files: ra and rb real, ca and cb their edited copies (synthetic),
# each copy in another file than its original; other documents unrelated
mkdir "$T/c"
python3 - "$T/c" <<'PY'
import json, random, sys
random.seed(3)
def text(n=80): return " ".join("w%d" % random.randrange(9000) for _ in range(n))
def edit(s):
    w = s.split(); w[5] = "changed"; return " ".join(w)
ra, rb = text(), text()
files = [[("ra", ra, "real"), ("cb", edit(rb), "synthetic"), ("u1", text(), "real")],
         [("rb", rb, "real"), ("u2", text(), "synthetic")],
         [("ca", edit(ra), "synthetic"), ("u3", text(), "synthetic"), ("u4", text(), "real")]]
for i, docs in enumerate(files):
    with open("%s/part-%d.jsonl" % (sys.argv[1], i), "w") as f:
        for e, t, o in docs:
            f.write(json.dumps({"id": e, "text": t, "origin": o}) + "\n")
PY
FILES=$(ls "$T/c"/*.jsonl | LC_ALL=C sort)
SET=$T/set
for r in 0 1 2; do
	pv index "$SET" $FILES --id-field id --origin-field origin --world-size 3 --rank $r -q || break
done
ok $? "a set of three shards"
pv pairs "$SET" -q
ok $? "provex pairs on the set"
S=$SET/review.pvx
is "$(sqlite3 "$S" "SELECT count(*) FROM pairs WHERE kind = 'found'")" 2 \
	"two pairs in SET/review.pvx"
# the ids of ra, ca, rb, cb in the set
id_of() { for f in "$SET"/shard-*.pvx; do sqlite3 "$f" "SELECT id FROM docs WHERE ext_id = '$1'"; done; }
RA=$(id_of ra); CA=$(id_of ca); RB=$(id_of rb); CB=$(id_of cb)
is "$(sqlite3 "$S" "SELECT a || ' ' || b FROM pairs ORDER BY a")" \
	"$(printf '%s\n' "$(echo $RA $CA | tr ' ' '\n' | sort -n | tr '\n' ' ' | sed 's/ $//')" \
		"$(echo $RB $CB | tr ' ' '\n' | sort -n | tr '\n' ' ' | sed 's/ $//')" | sort -n)" \
	"ra with ca, rb with cb"
[ "$(( RA / 1000000000 ))" != "$(( CA / 1000000000 ))" ]
ok $? "ra and ca are in different shards"

mkdir -p "$T/cfg/provex"
printf 'reviewer: tester\n' > "$T/cfg/provex/config.yaml"
tui_start 110 24 browse "$SET"
tui_see ' 1/8 *$' "the set opens on its 8 documents"
tui_keys /
tui_keys C-u
tui_type 'origin:real'
tui_keys Enter
tui_see ' 1/4 *$' "a filter: origin:real"
# ra's place among the real documents (the list is in id order), and the
# real document after it
U1=$(id_of u1); U4=$(id_of u4)
ORDER=$(printf '%s\n' $RA $RB $U1 $U4 | sort -n)
POS=$(printf '%s\n' $ORDER | grep -n "^$RA\$" | cut -d: -f1)
NEXT=$(printf '%s\n' $ORDER | sed -n "$((POS + 1))p")
k=1
while [ $k -lt "$POS" ]; do tui_keys j; k=$((k + 1)); done
tui_keys c
tui_see "comparing with document $CA, its pair" "c on ra compares it with its pair"
like "$(tui_row 0)" "^#$RA ra .*│#$CA ca " "ra on the left, its pair ca (another shard) on the right"
if [ -n "$NEXT" ]; then
	tui_keys ]
	if [ "$NEXT" = "$RB" ]; then
		tui_see "document $RB, next of the filter, paired with $CB" "] steps to rb"
		like "$(tui_row 0)" "^#$RB rb .*│#$CB cb " "the right pane follows to its pair cb"
	else
		tui_see "document $NEXT, next of the filter" "] steps to a real document without a pair"
		like "$(tui_row 0)" "^#$NEXT u.*│#$CA ca " "the right pane stays"
	fi
fi
tui_quit
is "$TUI_RC" 0 "provex ends with status 0"

# straight to ca: its pair is ra
tui_start 110 24 browse "$SET"
tui_see ' 1/8 *$' "the set again"
tui_keys /
tui_keys C-u
tui_type 'ext:ca'
tui_keys Enter
tui_see ' 1/1 *$' "a filter: ext:ca"
tui_keys c
tui_see "comparing with document $RA, its pair" "c on ca compares it with ra"
like "$(tui_row 0)" "^#$CA ca .*│#$RA ra " "ca on the left, ra on the right"
tui_keys d
tui_settle
tui_quit
is "$TUI_RC" 0 "provex ends with status 0"
done_testing
