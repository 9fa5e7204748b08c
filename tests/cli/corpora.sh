#!/bin/sh
# corpora.sh - index every public corpus in ../shared/corpora with the
# options that give each document its right provenance (origin real or
# synthetic, the generator when the corpus names the model, source = the
# corpus name), then check
#   1. the documents and the real/synthetic split against the counts each
#      corpus's SOURCE.md states (hard-coded below, citing it), and
#   2. a byte-exact round trip of every document: tests/tools/roundtrip.py
#      reads the original files itself (json, csv, raw bytes), applies the
#      same options, and compares every stored text and label with them.
# Each corpus is one group of test points, in its own store.  Exact
# duplicates are separate documents (every occurrence is kept), so they
# count in full.  Under PROVEX_VALGRIND only two small corpora are indexed.

. "$top_srcdir/tests/cli/lib.sh"

C=$SHARED/corpora
RT=$top_srcdir/tests/tools/roundtrip.py

if [ ! -d "$C" ]; then
	skip "../shared/corpora not found"
	done_testing
	exit
fi
if ! command -v python3 >/dev/null 2>&1; then
	skip "python3 not found (needed by tests/tools/roundtrip.py)"
	done_testing
	exit
fi

# pyj EXPR: evaluates a Python expression over d, the JSON value on stdin
pyj() {
	python3 -c 'import json,sys
d = json.loads(sys.stdin.read() or "{}")
print(eval(sys.argv[1]))' "$1"
}

# begin NAME: starts a corpus: its own store, list of runs and summaries
begin() {
	name=$1
	store=$T/$name.pvx
	runs=$T/$name.runs
	sums=$T/$name.sums
	: >"$runs"
	: >"$sums"
	nrun=0
	run_diag=
	info=
	echo "# $name"
}

# ix ARGS...: one `provex index` run into the corpus's store (with
# --source NAME), recorded in $runs for roundtrip.py
ix() {
	nrun=$((nrun + 1))
	python3 -c 'import json,sys; print(json.dumps(sys.argv[1:]))' \
		"$@" --source "$name" >>"$runs"
	out=$(pv index "$store" "$@" --source "$name" -q --json 2>"$T/err")
	rc=$?
	# its summary goes to $sums ({} when it printed none); inputs skipped
	unch=$(printf '%s' "$out" | python3 -c 'import json,sys
try:
    d = json.loads(sys.stdin.read())
except ValueError:
    d = {}
open(sys.argv[1], "a").write(json.dumps(d) + "\n")
print(d.get("inputs_unchanged", 0))' "$sums")
	if [ "$rc" -ne 0 ]; then
		run_diag="$run_diag
run $nrun ($*) exited with $rc: $(head -c 400 "$T/err")"
	fi
	if [ "$unch" != 0 ]; then
		run_diag="$run_diag
run $nrun ($*): $unch input(s) skipped as already indexed: an earlier run read the same file with other options"
	fi
}

# runs_ok: one test point for all the runs of the corpus
runs_ok() {
	[ -z "$run_diag" ]
	ok $? "$name: every index run exits 0 and reads all its inputs"
	[ -z "$run_diag" ] || printf '%s\n' "$run_diag" | sed '/^$/d; s/^/#   /'
}

# counts DOCS REAL SYNTHETIC WHY: documents and origins in the store, and
# every document's source is the corpus name (info --json kept in $info
# for generators: the store is not written between them)
counts() {
	info=$(pv info "$store" --json 2>&1)
	is "$(printf '%s' "$info" | pyj '"documents=%d real=%d synthetic=%d unknown=%d" % ((d.get("documents", 0),) + tuple(d.get("by_origin", {}).get(o, {}).get("documents", 0) for o in ("real", "synthetic", "unknown")))')" \
		"documents=$1 real=$2 synthetic=$3 unknown=0" "$name: $4"
	is "$(printf '%s' "$info" | pyj '" ".join("%s=%d" % (k or "-", v["documents"]) for k, v in sorted(d.get("by_source", {}).items()))')" \
		"$name=$1" "$name: the source of every document is the corpus name"
}

# generators WANT WHY: documents by generator ("-" = none), sorted by name
generators() {
	[ -n "$info" ] || info=$(pv info "$store" --json 2>&1)
	is "$(printf '%s' "$info" | pyj '" ".join(sorted("%s=%d" % (k or "-", v["documents"]) for k, v in d.get("by_generator", {}).items()))')" \
		"$1" "$name: $2"
}

# summed KEY: a number summed over the runs' summaries
summed() {
	python3 -c 'import json,sys
print(sum(json.loads(l).get(sys.argv[1], 0) for l in open(sys.argv[2]) if l.strip()))' "$1" "$sums"
}

# rejected: the runs' rejected records by reason, or "none"
rejected() {
	python3 -c 'import json,sys
r = {}
for l in open(sys.argv[1]):
    for k, v in json.loads(l).get("rejected_by_reason", {}).items():
        r[k] = r.get(k, 0) + v
print(" ".join("%s=%d" % kv for kv in sorted(r.items())) or "none")' "$sums"
}

# roundtrip: every stored document against the inputs, byte for byte
roundtrip() {
	rt=$(python3 "$RT" --store "$store" --provex "$PROVEX" --runs "$runs" 2>&1)
	ok $? "$name: every document round-trips byte for byte, with its labels"
	printf '%s\n' "$rt" | sed 's/^/#   /'
}

# ---- the corpora ------------------------------------------------------

c_self_instruct() {
	d=$C/self-instruct
	begin self-instruct
	# human: the 175 seed tasks and the 252 expert-written evaluation tasks
	# (the instruction is the text; the instances stay in the metadata)
	ix "$d/data/seed_tasks.jsonl" "$d/human_eval/user_oriented_instructions.jsonl" \
		--text-field instruction --origin real
	# machine: each predictions file is one generator ("file name =
	# generator id"); `response` is the model's, `target` the human
	# reference already counted above
	for g in davinci davinci-self-instruct davinci-superni-ft davinci-t0-ft \
		 davinci-self-instruct-and-superni-ft text-davinci-001 \
		 text-davinci-002 text-davinci-003; do
		ix "$d/human_eval/predictions/${g}_predictions.jsonl" \
			--text-field response --origin synthetic --generator "$g"
	done
	runs_ok
	# SOURCE.md: "Human-written total: 175 seed tasks + 252 evaluation
	# tasks. Machine-written: 2,016 responses" (8 files x 252 lines).  But
	# 45 of the responses in davinci-t0-ft_predictions.jsonl are "" (SOURCE.md
	# does not say so), and provex skips empty texts: 2,016 - 45 = 1,971.
	counts 2398 427 1971 "427 human tasks, 2,016 - 45 empty machine responses (SOURCE.md)"
	is "$(rejected)" "empty text=45" "$name: the 45 empty davinci-t0-ft responses are rejected as empty"
	generators "-=427 davinci-self-instruct-and-superni-ft=252 davinci-self-instruct=252 davinci-superni-ft=252 davinci-t0-ft=207 davinci=252 text-davinci-001=252 text-davinci-002=252 text-davinci-003=252" \
		"252 responses per generator, 207 for davinci-t0-ft"
	roundtrip
}

c_fast_detect_gpt() {
	d=$C/fast-detect-gpt
	begin fast-detect-gpt
	# each <dataset>_<generator>.raw_data.json is {"original":[human],
	# "sampled":[machine]}; the .args.json files are settings, not texts
	ix "$d"/exp_gpt3to4/data/*.raw_data.json "$d"/exp_main/data/*.raw_data.json \
		--records original --origin real
	for g in davinci gpt-3.5-turbo gpt-4; do
		ix "$d"/exp_gpt3to4/data/*_"$g".raw_data.json \
			--records sampled --origin synthetic --generator "$g"
	done
	ix "$d"/exp_main/data/*_gpt-neox-20b.raw_data.json \
		--records sampled --origin synthetic --generator gpt-neox-20b
	runs_ok
	# SOURCE.md: "Totals: 2,650 human documents + 2,650 machine documents
	# (5,300)"; pairs per file: 150 x 9 (exp_gpt3to4), 500 + 500 + 300
	# (gpt-neox-20b).  Repeated human passages count in full, and so do the
	# 2 sampled texts identical to their original (writing_davinci and
	# xsum_davinci, index 114 and 146): one real and one synthetic document.
	counts 5300 2650 2650 "2,650 human + 2,650 machine documents (SOURCE.md)"
	generators "-=2650 davinci=450 gpt-3.5-turbo=450 gpt-4=450 gpt-neox-20b=1300" \
		"150 pairs per exp_gpt3to4 file, 1,300 for gpt-neox-20b"
	roundtrip
}

c_m4_llama2() {
	d=$C/m4-llama2
	begin m4-llama2
	# every record holds a human_text and a machine_text: two documents;
	# `model` names the generator (the record's `source` field, the origin
	# of the human text, stays in the metadata)
	ix "$d"/data/*.jsonl --text-field human_text --origin real
	ix "$d"/data/*.jsonl --text-field machine_text --origin synthetic \
		--generator-field model
	runs_ok
	# SOURCE.md: "Totals: 800 records = 800 human documents + 800 machine
	# documents (generator: Llama-2-70B-chat)"
	counts 1600 800 800 "800 human + 800 machine documents (SOURCE.md)"
	generators "-=800 llama-2-70b-chat=800" "the 800 machine texts are llama-2-70b-chat's"
	roundtrip
}

c_detector_bias() {
	d=$C/detector-bias/Data_and_Results
	begin detector-bias
	# labels as each folder's name.json states them (the source's own:
	# kind Human-Written/AI-Generated, model GPT3/GPT4), including the two
	# inconsistencies SOURCE.md points out: GPT-edited folders under
	# Human_Data/, and CS224N_gpt3PromptEng_145 labelled GPT4
	ix "$d/Human_Data/TOEFL_real_91/data.json" \
	   "$d/Human_Data/HewlettStudentEssay_real_88/data.json" \
	   "$d/Human_Data/CollegeEssay_real_70/data.json" \
	   "$d/Human_Data/CS224N_real_145/data.json" \
		--text-field document --origin real
	ix "$d/Human_Data/TOEFL_gpt4polished_91/data.json" \
	   "$d/Human_Data/HewlettStudentEssay_GPTsimplify_88/data.json" \
	   "$d/GPT_Data/CS224N_gpt3PromptEng_145/data.json" \
		--text-field document --origin synthetic --generator GPT4
	ix "$d/GPT_Data/CollegeEssay_gpt3_31/data.json" \
	   "$d/GPT_Data/CollegeEssay_gpt3PromptEng_31/data.json" \
	   "$d/GPT_Data/CS224N_gpt3_145/data.json" \
		--text-field document --origin synthetic --generator GPT3
	runs_ok
	# SOURCE.md: "Totals: 394 human-written + 531 AI-generated/AI-edited =
	# 925 documents"; GPT4 91 + 88 + 145, GPT3 31 + 31 + 145
	counts 925 394 531 "394 human + 531 AI documents (SOURCE.md)"
	generators "-=394 GPT3=207 GPT4=324" "GPT4 324, GPT3 207 as name.json says"
	roundtrip
}

c_argugpt() {
	d=$C/argugpt/data/argugpt
	begin argugpt
	# machine essays only: the human-*.csv files hold an index of essays
	# that were not released (no text), so there is nothing to index there
	ix "$d/machine-dev.csv" "$d/machine-test.csv" "$d/machine-ood.csv" \
		--origin synthetic --generator-field model
	runs_ok
	# SOURCE.md: "Totals: 1,200 machine-written essays with full text (9
	# distinct generator names); 0 human texts"; per-file generator counts
	# summed over dev, test and ood
	counts 1200 0 1200 "1,200 machine essays, 0 human texts (SOURCE.md)"
	generators "bloomz-7b=100 claude-instant=100 flan-t5-11b=100 gpt-3.5-turbo=273 gpt2-xl=117 gpt4=100 text-babbage-001=120 text-curie-001=121 text-davinci-003=169" \
		"9 generators with SOURCE.md's counts"
	roundtrip
}

c_gsm8k() {
	d=$C/gsm8k/grade_school_math/data
	begin gsm8k
	# the documents are the solutions (the human-written question stays in
	# the metadata): human in test.jsonl; hybrid in test_socratic.jsonl
	# (human steps, each after a model-written sub-question: it holds
	# machine text, so it is synthetic; SOURCE.md names no model for it);
	# machine in example_model_solutions.jsonl, one per model setting.
	# Its ground_truth is the human solution again, not indexed twice.
	ix "$d/test.jsonl" --text-field answer --origin real
	ix "$d/test_socratic.jsonl" --text-field answer --origin synthetic
	# The machine solutions are nested, {"6b_finetuning": {"is_correct":
	# ..., "solution": "..."}}: a dotted --text-field reaches them.  Each
	# keeps the question and its own setting as metadata (--meta-fields):
	# not the three other solutions and the ground truth, which would
	# repeat every record's 2 KB four times over.
	for s in 6b_finetuning 6b_verification 175b_finetuning 175b_verification; do
		ix "$d/example_model_solutions.jsonl" --text-field "$s.solution" \
			--origin synthetic --generator "gpt3-${s%%_*}-${s#*_}" \
			--meta-fields "question,$s"
	done
	runs_ok
	is "$(sqlite3 "$store" "SELECT count(*) FROM docs WHERE generator LIKE 'gpt3-%'
		AND (SELECT group_concat(key) FROM json_each(meta))
		  = 'question,' || replace(replace(substr(generator, 6), '-f', '_f'), '-v', '_v')")" 5276 \
		"$name: --meta-fields keeps the question and the setting's own object, nothing else"
	echo "# $name: metadata $(sqlite3 "$store" 'SELECT sum(length(meta)) FROM docs') bytes," \
		"texts $(sqlite3 "$store" 'SELECT sum(len) FROM texts') bytes"
	# SOURCE.md: "Totals: 1,319 human solutions; 5,276 machine solutions
	# (1,319 x 4, same problems); 1,319 human+machine hybrids"
	counts 7914 1319 6595 "1,319 human, 5,276 machine + 1,319 hybrid solutions (SOURCE.md)"
	is "$(rejected)" "none" \
		"$name: no record rejected (the nested machine solutions are reached by a dotted --text-field)"
	generators "-=2638 gpt3-175b-finetuning=1319 gpt3-175b-verification=1319 gpt3-6b-finetuning=1319 gpt3-6b-verification=1319" \
		"1,319 solutions per model setting"
	roundtrip
}

c_gpt3_samples() {
	d=$C/gpt3-samples
	begin gpt3-samples
	# one JSON string per line: the sample is the text
	ix "$d/175b_samples.jsonl" --origin synthetic --generator gpt-3-175b
	runs_ok
	# SOURCE.md: "485 lines ... Written by: machine, all of it (generator:
	# GPT-3 175B)"; samples holding <|endoftext|> are kept whole
	counts 485 0 485 "485 machine samples (SOURCE.md)"
	roundtrip
}

c_alpaca_5000() {
	d=$C/alpaca-5000
	begin alpaca-5000
	ix "$d/data/alpaca_5000.json" \
		--text-template '{instruction}\n\n{input}\n\n{output}' \
		--origin synthetic --generator text-davinci-003
	runs_ok
	# SOURCE.md: "5,000 objects ... Written by: machine ... text-davinci-003
	# ... Human-written: none in this file"
	counts 5000 0 5000 "5,000 machine records (SOURCE.md)"
	generators "text-davinci-003=5000" "all by text-davinci-003"
	roundtrip
}

c_binoculars_pubmed() {
	f=$C/binoculars-pubmed/datasets/core/pubmed/pubmed-falcon7.jsonl
	begin binoculars-pubmed
	# every record: a human `article` (its abstract and section names stay
	# in the metadata) and a Falcon-7B text under an odd key starting '-'
	ix "$f" --text-field article --origin real
	ix "$f" --text-field -fs-cml-models-Falcon-falcon-7b_generated_text_wo_prompt \
		--origin synthetic --generator falcon-7b
	runs_ok
	# SOURCE.md: "Totals: 111 human articles (+ 111 human abstracts) and 111
	# machine texts, paired per record"
	counts 222 111 111 "111 human articles + 111 machine texts (SOURCE.md)"
	generators "-=111 falcon-7b=111" "the machine texts are Falcon-7B's"
	roundtrip
}

c_mixset() {
	d=$C/mixset/data
	s=$d/MixSet/separated_files
	begin mixset
	ix "$d/selected_pure_data/HWT_original_data.json" --text-field HWT_sentence \
		--origin real
	ix "$d/selected_pure_data/MGT_original_data.json" --text-field MGT_sentence \
		--origin synthetic --generator-field model
	# revised texts: written by the reviser (gpt4 = GPT-4, 2llama = Llama 2)
	# whatever they revised, so synthetic with the reviser as generator and
	# the operation as purpose; the MGT_* reviser is not named.  The
	# originals they hold repeat the pure files: not indexed again.
	for op in polish_token polish_sentence rewrite complete humanize; do
		ix "$s/gpt4_$op.json" --text-field "gpt4_${op}_output" \
			--origin synthetic --generator gpt-4 --purpose "$op"
		ix "$s/2llama_$op.json" --text-field "llama_${op}_output" \
			--origin synthetic --generator llama-2 --purpose "$op"
	done
	for op in polish_token polish_sentence; do
		ix "$s/MGT_$op.json" --text-field "${op}_output" \
			--origin synthetic --purpose "$op"
	done
	# Mixset_test.json repeats 600 of the revised texts (with a `binary`
	# label that calls both *_humanize sets HWT): not indexed.
	runs_ok
	# SOURCE.md: "300 human texts + 300 machine texts (6 generator names) +
	# 3,600 revised texts of mixed provenance"
	counts 4200 300 3900 "300 human, 300 machine + 3,600 revised texts (SOURCE.md)"
	generators "-=900 ChatGLM=59 ChatGPT-turbo=42 ChatGPT=27 Dolly=72 GPT4=32 StableLM=68 gpt-4=1500 llama-2=1500" \
		"MGT models as SOURCE.md counts them, 1,500 revised by each of GPT-4 and Llama 2, 600 by an unnamed reviser"
	roundtrip
}

c_brown() {
	d=$C/brown
	begin brown
	# the 500 texts are ca01 ... cr09 (no extension); cats.txt, CONTENTS,
	# README and SOURCE.md in the same folder are not documents
	ix "$d" --glob 'c[a-r][0-9][0-9]' --origin real
	runs_ok
	# SOURCE.md: "ca01 ... cr09 — 500 documents ... All 500 documents are
	# human-written"
	counts 500 500 0 "500 human documents (SOURCE.md)"
	roundtrip
}

c_spamassassin() {
	d=$C/spamassassin
	begin spamassassin
	ix "$d/data" --glob '*.txt' --origin real
	runs_ok
	# SOURCE.md: "1,400 files, one e-mail each ... All 1,400 are
	# human-written ... 120 of the 1,400 files are NOT valid UTF-8"
	counts 1400 1400 0 "1,400 human e-mails (SOURCE.md)"
	is "$(summed invalid_utf8_kept)" 120 "$name: the 120 files that are not UTF-8 are kept (and counted)"
	roundtrip
}

ALL="self-instruct fast-detect-gpt m4-llama2 detector-bias argugpt gsm8k \
gpt3-samples alpaca-5000 binoculars-pubmed mixset brown spamassassin"

if [ -n "${PROVEX_VALGRIND:-}" ]; then
	echo "# PROVEX_VALGRIND: only detector-bias and binoculars-pubmed (valgrind is ~30x slower)"
	list="detector-bias binoculars-pubmed"
else
	list=$ALL
	# a corpus added to ../shared/corpora needs its options here
	for dir in "$C"/*/; do
		c=$(basename "$dir")
		case " $ALL " in
		*" $c "*) ;;
		*)	ok 1 "$c: a corpus in $C that this test does not index yet" ;;
		esac
	done
fi

for c in $list; do
	if [ -d "$C/$c" ]; then
		"c_$(echo "$c" | tr - _)"
	else
		skip "$c: $C/$c not found"
	fi
done

done_testing
