#!/bin/sh
# sched_slurm.sh - a set indexed by a Slurm job array on a real one-node
# cluster (tests/tools/slurm-cluster, under T): four array tasks each run
# provex index SET --world-size 4 and take their rank from
# SLURM_ARRAY_TASK_ID; every shard is published with its marker, the
# shards together hold the documents of one plain provex index of the same
# files, with the contract's ids; one rank whose shard and marker are
# deleted is submitted again alone (--array=2) and comes back identical,
# the other shards untouched.  Skipped when not root, without slurm-wlm and
# munge, or without --world-size.
. "$top_srcdir/tests/cli/lib.sh"
. "$top_srcdir/tests/cli/sched_lib.sh"

if [ "$(id -u)" != 0 ]; then
	echo "1..0 # SKIP the test cluster's daemons run as root (SlurmUser=root): run as root"
	exit 0
fi
for t in munged mungekey slurmctld slurmd sbatch squeue sinfo sqlite3 python3; do
	if ! command -v $t > /dev/null 2>&1; then
		echo "1..0 # SKIP $t is not installed (scripts/bootstrap check installs slurm-wlm and munge)"
		exit 0
	fi
done
sched_need_shards

CLUSTER="$top_srcdir/tests/tools/slurm-cluster"
C=$T/cluster
mkdir "$C"
# the cluster goes with the test, however it ends (lib.sh's own EXIT trap,
# which removes T, is kept after it)
trap '[ "${BASHPID:-$$}" = "$$" ] && { "$CLUSTER" stop "$C" >/dev/null 2>&1; rm -rf "$T" "$_PVC"; }' EXIT
trap 'exit 143' TERM INT HUP

env=$("$CLUSTER" start "$C" 2>"$T/cluster.err"); st=$?
if [ $st -ne 0 ]; then
	is $st 0 "the one-node cluster starts"
	sed 's/^/# /' "$T/cluster.err"
	done_testing
	exit 1
fi
eval "$env"
unset SBATCH_ARRAY_INX SBATCH_PARTITION SLURM_JOB_ID SLURM_ARRAY_JOB_ID
is "$(sinfo -h -N -o '%N %T')" "$(hostname -s) idle" "the cluster's node is idle"

IN=$T/in
SET=$T/set
sched_inputs "$IN"
pv index "$T/ref.pvx" "$IN" $SCHED_OPTS
export PROVEX IN SET SCHED_OPTS T

# the job: one rank, its exit status kept beside its output (no accounting
# on the test cluster to ask); under PROVEX_VALGRIND rank 0 runs under
# valgrind
cat > "$T/rank.sh" <<'EOF'
#!/bin/sh
r=$SLURM_ARRAY_TASK_ID
if [ -n "${PROVEX_VALGRIND:-}" ] && [ "$r" = 0 ]; then
	valgrind -q --error-exitcode=99 --leak-check=full \
		--errors-for-leak-kinds=definite,indirect \
		"$PROVEX" index "$SET" --world-size 4 $SCHED_OPTS "$IN"
else
	"$PROVEX" index "$SET" --world-size 4 $SCHED_OPTS "$IN"
fi
echo $? > "$T/rc-$r"
EOF
chmod +x "$T/rank.sh"

# submit ARRAY: runs rank.sh for the array's tasks, waits until they have
# all left the queue (60 s at most), prints their exit statuses
submit() {
	rm -f "$T"/rc-*
	id=$(sbatch --parsable --array="$1" --chdir="$T" -o "$T/slurm-%a.out" \
		-J provex-sched "$T/rank.sh") || { echo "sbatch failed"; return; }
	id=${id%%;*}
	i=0
	while :; do
		# (a job gone from the queue, MinJobAge after it ended, is an
		# invalid id; a busy slurmctld that does not answer is asked
		# again)
		q=$(squeue -h -j "$id" -o %T 2>&1) ||
			case $q in *"Invalid job id"*) q=GONE ;; *) q=UNANSWERED ;; esac
		printf '%s\n' "$q" |
			grep -Eq 'UNANSWERED|PENDING|CONFIGURING|RUNNING|COMPLETING|SUSPENDED' ||
			break
		i=$((i + 1))
		if [ $i -gt 300 ]; then
			scancel "$id"
			echo "timeout"
			return
		fi
		sleep 0.2
	done
	for f in "$T"/rc-*; do
		[ -f "$f" ] && printf '%s=%s ' "${f##*/rc-}" "$(cat "$f")"
	done
}

got=$(submit 0-3)
is "$got" "0=0 1=0 2=0 3=0 " "sbatch --array=0-3: the four ranks ran and succeeded"
if [ "$got" != "0=0 1=0 2=0 3=0 " ]; then
	for f in "$T"/slurm-*.out; do sed "s|^|# ${f##*/}: |" "$f"; done
fi
sched_check_set "$SET" 4 "$IN" "$T/ref.pvx" "slurm array"

# ---- a failed rank is run again alone
r2=$SET/$(sched_name 2 4)
sched_snapshot "$r2.pvx" > "$T/before-2"
sum_others=$(cat "$SET/$(sched_name 0 4).pvx" "$SET/$(sched_name 1 4).pvx" \
	"$SET/$(sched_name 3 4).pvx" | md5sum)
rm -f "$r2.pvx" "$r2.done"
got=$(submit 2)
is "$got" "2=0 " "sbatch --array=2: rank 2 alone ran again"
is "$(sched_snapshot "$r2.pvx" 2>&1)" "$(cat "$T/before-2")" \
	"rank 2 built again holds the same documents, ids and texts"
is "$(cat "$SET/$(sched_name 0 4).pvx" "$SET/$(sched_name 1 4).pvx" \
	"$SET/$(sched_name 3 4).pvx" | md5sum)" "$sum_others" "the other shards were not written"
sched_check_set "$SET" 4 "$IN" "$T/ref.pvx" "after rank 2 again"

"$CLUSTER" stop "$C" 2>"$T/cluster.err"
is "$(cat "$C"/*.pid "$C"/munge/*.pid 2>/dev/null)" "" "slurm-cluster stop: the daemons are gone"
done_testing
