#!/bin/sh
# sched_parallel.sh - a set indexed by GNU parallel: five jobs, two at a
# time, each provex index SET --world-size 5 taking its rank from
# PARALLEL_SEQ (1-based); every shard is published with its marker, the
# shards together hold the documents of one plain provex index of the same
# files, with the contract's ids; the one rank whose shard and marker are
# deleted is run again (parallel --joblog with --resume-failed) and comes
# back identical, the other shards untouched.  Skipped without parallel or
# --world-size.
. "$top_srcdir/tests/cli/lib.sh"
. "$top_srcdir/tests/cli/sched_lib.sh"

for t in parallel sqlite3 python3; do
	if ! command -v $t > /dev/null 2>&1; then
		echo "1..0 # SKIP $t is not installed (scripts/bootstrap check installs GNU parallel)"
		exit 0
	fi
done
sched_need_shards

IN=$T/in
SET=$T/set
sched_inputs "$IN"
pv index "$T/ref.pvx" "$IN" $SCHED_OPTS
# parallel's own files (its citation notice, its semaphores) under T, not
# in HOME shared with other tests
export PARALLEL_HOME="$T/.parallel"
unset PARALLEL_SEQ PARALLEL_JOBSLOT

# ranks PARALLEL-OPTIONS: the five ranks through parallel (-N0: the
# arguments 1..5 only count the jobs; each gets PARALLEL_SEQ); prints
# parallel's exit status (the number of jobs that failed)
ranks() {
	parallel --will-cite -j2 -N0 "$@" --joblog "$T/joblog" \
		"$PROVEX" index "$SET" --world-size 5 $SCHED_OPTS "$IN" ::: 1 2 3 4 5 \
		> "$T/parallel.out" 2>&1
	echo $?
}

is "$(ranks)" 0 "parallel -j2 -N0 ... ::: 1 2 3 4 5: the five ranks succeeded"
is "$(awk 'NR > 1 { print $7 }' "$T/joblog" | sort | uniq -c | awk '{ print $1 "x" $2 }')" "5x0" \
	"the job log has five jobs, each exit status 0"
sched_check_set "$SET" 5 "$IN" "$T/ref.pvx" "parallel"

# ---- a failed rank is run again: here rank 3 (its job's PARALLEL_SEQ is 4)
r3=$SET/$(sched_name 3 5)
sched_snapshot "$r3.pvx" > "$T/before-3"
others() {
	for r in 0 1 2 4; do cat "$SET/$(sched_name $r 5).pvx"; done | md5sum
}
sum_others=$(others)
rm -f "$r3.pvx" "$r3.done"
# as if it had failed: its line in the job log says so, and --resume-failed
# runs only the jobs the log does not show succeeded
awk -F'\t' 'BEGIN { OFS = "\t" } NR > 1 && $1 == 4 { $7 = 1 } { print }' "$T/joblog" > "$T/joblog.new"
mv "$T/joblog.new" "$T/joblog"
is "$(ranks --resume-failed)" 0 "parallel --resume-failed: the failed rank ran again"
is "$(awk -F'\t' 'NR > 1 { print $1 "=" $7 }' "$T/joblog" | sort | tr '\n' ' ')" \
	"1=0 2=0 3=0 4=0 4=1 5=0 " "only job 4 (rank 3) ran again, and succeeded"
is "$(sched_snapshot "$r3.pvx" 2>&1)" "$(cat "$T/before-3")" \
	"rank 3 built again holds the same documents, ids and texts"
is "$(others)" "$sum_others" "the other shards were not written"
sched_check_set "$SET" 5 "$IN" "$T/ref.pvx" "after rank 3 again"

# a rank whose marker is there has nothing to do: the whole command run
# again leaves every shard as it is
sum_all=$(cat "$SET"/*.pvx | md5sum)
rm -f "$T/joblog"
is "$(ranks)" 0 "the five ranks run again over a complete set"
is "$(cat "$SET"/*.pvx | md5sum)" "$sum_all" "and write nothing"
done_testing
