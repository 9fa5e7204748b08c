/*
 * set.c - a folder of shard stores opened and read as one (set.h): the
 * checks of set_open (names, completion markers, the shards' own meta),
 * routing an id to its shard, and the reads merged in C: counts summed,
 * selections merged in their order by a heap of cursors (query.c), input
 * ids searched in every shard.  The summary's merge is info.c's.
 */
#include "store_int.h"
#include "set.h"
#include "metaindex.h"
#include "filter.h"
#include "stats.h"
#include "label.h"
#include "../common/json.h"

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

/* The page cache all the shards of a set share (each gets its part, at
 * least SET_CACHE_MIN_KIB and at most SQLite's default): SQLite allocates
 * pages as they are read, so a tiny shard costs what it reads. */
#define SET_CACHE_KIB (64 * 1024)
#define SET_CACHE_MIN_KIB 256
#define SET_CACHE_MAX_KIB 2000

struct store_set {
	char *path;                 /* owned */
	bool folder;                /* a folder of shards, not a plain store */
	size_t n;
	struct store **shard;       /* owned; shard[r] is rank r */
	sqlite3_stmt **by_hash;     /* owned; set_nocc's lookup in shard[r],
				     * prepared on first use */
	char listing[33];
	/* the parts reads iterate (set.h): shard k's base part first, then,
	 * for a shard with documents in the review overlay, its minus and
	 * plus parts */
	struct set_part *part;      /* owned */
	size_t nparts;
	struct store **extra;       /* owned: the minus and plus parts' connections */
	size_t nextra;
	struct store *review;       /* owned: SET/review.pvx for writing (set_review) */
	struct store *overlay;      /* owned: SET/review.pvx read-only, or NULL */
	int64_t *shadow;            /* owned: the overlay's ids, ascending */
	size_t nshadow;
	char *viewed;               /* owned: viewed[k], shard k's connection
				     * has the review state's views: 0 not yet,
				     * 1 empty ones, 2 over review.pvx (base_views) */
	bool review_blind;          /* review.pvx is there but cannot be read
				     * with the shards (review_blind_refuse) */
};

bool set_is_folder(const char *path)
{
	struct stat st;

	return path && stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

static bool shard_name(const char *name, long *rank, long *world, const char **ext);

bool set_is_published_shard(const char *path)
{
	const char *base = strrchr(path, '/'), *ext;
	struct buf done = BUF_INIT;
	long r, n;
	bool yes;

	base = base ? base + 1 : path;
	if (!shard_name(base, &r, &n, &ext) || strcmp(ext, "pvx") != 0)
		return false;
	buf_append(&done, path, strlen(path) - 3);
	buf_puts(&done, "done");
	yes = access(buf_str(&done), F_OK) == 0;
	buf_done(&done);
	return yes;
}

const char *set_path(const struct store_set *set) { return set->path; }
bool set_is_folder_set(const struct store_set *set) { return set->folder; }
size_t set_size(const struct store_set *set) { return set->n; }
struct store *set_shard(const struct store_set *set, size_t k) { return set->shard[k]; }
const char *set_listing(const struct store_set *set) { return set->listing; }
size_t set_nparts(const struct store_set *set) { return set->nparts; }
const struct set_part *set_part(const struct store_set *set, size_t k)
{
	return &set->part[k];
}

/* Whether part p is the base part of its shard (the shard as published). */
static bool part_is_base(const struct store_set *set, const struct set_part *p)
{
	return p->s == set->shard[p->shard];
}

static bool id_shadowed(const struct store_set *set, int64_t id)
{
	size_t lo = 0, hi = set->nshadow;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (set->shadow[mid] == id)
			return true;
		if (set->shadow[mid] < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return false;
}

bool set_shadowed(const struct store_set *set, const struct set_part *p, int64_t id)
{
	return set->nshadow && part_is_base(set, p) && id_shadowed(set, id);
}

/* The parts of a set with no overlay: its shards, each listed and added. */
static void parts_of_shards(struct store_set *set)
{
	size_t k;

	free(set->part);
	set->part = pv_calloc(set->n, sizeof *set->part);
	for (k = 0; k < set->n; k++) {
		set->part[k].s = set->shard[k];
		set->part[k].sign = 1;
		set->part[k].listed = true;
		set->part[k].shard = k;
	}
	set->nparts = set->n;
}

int set_review(struct store_set *set, struct store **out, struct pv_err *err)
{
	struct buf path = BUF_INIT;
	int rc;

	*out = NULL;
	if (set->review) {
		*out = set->review;
		return 0;
	}
	if (!set->folder && set_is_published_shard(set->path))
		return pv_errf(err, PV_ESTORE, "%s: a published shard of a set (its "
			       "completion marker is beside it): shards are never "
			       "written again; review its set's folder (the changes go "
			       "to its review.pvx)", set->path);
	if (set->folder)
		buf_printf(&path, "%s/review.pvx", set->path);
	else
		buf_puts(&path, set->path);
	rc = store_open(&set->review, buf_str(&path), set->folder ? STORE_CREATE :
			STORE_WRITE, err);
	buf_done(&path);
	if (rc)
		return rc;
	/* the documents of every shard in one table: their input ids and
	 * text ids are their shards' own, so (input_id, rec, text_id) may
	 * repeat across shards */
	if (set->folder) {
		struct buf v = BUF_INIT;
		bool found = false;
		/* and it names the listing its set was built from (set_open
		 * refuses it beside shards of another one) */
		if ((rc = store_exec(set->review->db, "DROP INDEX IF EXISTS "
				     "docs_occurrence", err)) ||
		    (rc = store_meta_get(set->review, "set.listing", &v, &found, err)) ||
		    (!found && (rc = store_meta_set(set->review, "set.listing",
						    set->listing, err)))) {
			buf_done(&v);
			store_close(set->review);
			set->review = NULL;
			return rc;
		}
		buf_done(&v);
	}
	*out = set->review;
	return 0;
}

struct store_set *set_of_store(struct store *s)
{
	struct store_set *set = pv_calloc(1, sizeof *set);

	set->path = pv_strdup(store_path(s));
	set->n = 1;
	set->shard = pv_malloc(sizeof *set->shard);
	set->shard[0] = s;
	parts_of_shards(set);
	return set;
}

void set_close(struct store_set *set)
{
	size_t k;

	if (!set)
		return;
	for (k = 0; k < set->n; k++) {
		if (set->by_hash)
			sqlite3_finalize(set->by_hash[k]);
		store_close(set->shard[k]);
	}
	/* the writer last: the last connection to close review.pvx copies
	 * its write-ahead log in and removes it, which a reader cannot */
	for (k = 0; k < set->nextra; k++)
		store_close(set->extra[k]);
	store_close(set->overlay);
	store_close(set->review);
	free(set->extra);
	free(set->part);
	free(set->shadow);
	free(set->viewed);
	free(set->by_hash);
	free(set->shard);
	free(set->path);
	free(set);
}

long set_route(const struct store_set *set, int64_t id)
{
	if (!set->folder)
		return 0;
	if (id < SET_ID_STRIDE)
		return -1;
	return (long)((id / SET_ID_STRIDE - 1) % (int64_t)set->n);
}

/* ---- opening ---- */

/* What the folder holds for one rank. */
struct rank_seen {
	bool pvx, done;
	bool bad;                   /* its marker was refused (said) */
	int64_t bytes;              /* the marker's "bytes" */
};

/* Parses name as shard-RRRRR-of-NNNNN.ext (at least five digits each);
 * true with rank, world size and ext ("pvx", "done"). */
static bool shard_name(const char *name, long *rank, long *world, const char **ext)
{
	const char *p = name;
	char *end;
	long r, n;

	if (strncmp(p, "shard-", 6) != 0)
		return false;
	p += 6;
	if (strspn(p, "0123456789") < 5)
		return false;
	r = strtol(p, &end, 10);
	if (strncmp(end, "-of-", 4) != 0)
		return false;
	p = end + 4;
	if (strspn(p, "0123456789") < 5)
		return false;
	n = strtol(p, &end, 10);
	if (*end != '.' || n < 1 || r < 0 || r >= n || n > 1000000)
		return false;
	*rank = r;
	*world = n;
	*ext = end + 1;
	return strcmp(*ext, "pvx") == 0 || strcmp(*ext, "done") == 0;
}

/* Appends the ranks in list[0..n) (ascending) as "3", "3 and 5",
 * "3, 5 and 7", runs of three or more as "3-9"; at most 12 items, then
 * "and N more". */
static void put_ranks(struct buf *b, const long *list, size_t n)
{
	size_t i, j, items = 0, shown = 0;

	for (i = 0; i < n; i = j + 1, items++)
		for (j = i; j + 1 < n && list[j + 1] == list[j] + 1; j++)
			;
	for (i = 0; i < n && shown < 12; i = j + 1, shown++) {
		for (j = i; j + 1 < n && list[j + 1] == list[j] + 1; j++)
			;
		if (shown)
			buf_puts(b, shown + 1 == items ? " and " : ", ");
		if (j >= i + 2)
			buf_printf(b, "%ld-%ld", list[i], list[j]);
		else if (j == i + 1)
			buf_printf(b, "%ld, %ld", list[i], list[j]);
		else
			buf_printf(b, "%ld", list[i]);
	}
	if (items > shown)
		buf_printf(b, " and %zu more", items - shown);
}

/* Appends how to build rank r again when its marker (and shard, when
 * shard_too) must go first: index does nothing for a rank whose marker
 * is there. */
static void put_rerun(struct buf *b, const char *dir, long r, long world, bool shard_too)
{
	if (shard_too)
		buf_printf(b, "remove %s/shard-%05ld-of-%05ld.pvx and its .done, then ",
			   dir, r, world);
	else
		buf_printf(b, "remove %s/shard-%05ld-of-%05ld.done, then ", dir, r, world);
	buf_printf(b, "run rank %ld again: provex index %s ... --world-size %ld "
		   "--rank %ld", r, dir, world, r);
}

/* Reads the marker at path for rank r of world: its listing into
 * listing, its "bytes" into *bytes.  0, or PV_EPARSE with err saying what
 * is wrong with it. */
static int read_marker(const char *path, const char *name, long r, long world,
		       char listing[33], int64_t *bytes, struct pv_err *err)
{
	static const char *const need[] = { "provex_shard", "rank", "world_size",
					    "listing", "bytes" };
	struct json_object o = JSON_OBJECT_INIT;
	struct json_value v;
	const struct json_member *m;
	char text[4096];
	size_t len, k;
	long long num[5] = { 0 };
	FILE *fp = fopen(path, "rb");
	int rc = 0;

	if (!fp)
		return pv_errf(err, PV_EIO, "%s: cannot read it: %s", name, strerror(errno));
	len = fread(text, 1, sizeof text - 1, fp);
	fclose(fp);
	text[len] = '\0';
	while (len && (text[len - 1] == '\n' || text[len - 1] == '\r'))
		len--;
	if (len == 0)
		return pv_errf(err, PV_EPARSE, "%s is empty", name);
	if (json_parse(text, len, &v, &o, NULL) || v.kind != JSON_OBJECT) {
		rc = pv_errf(err, PV_EPARSE, "%s is not one JSON object", name);
		goto out;
	}
	for (k = 0; k < PV_ARRAY_LEN(need); k++) {
		m = json_object_get(&o, need[k], strlen(need[k]));
		if (!m) {
			rc = pv_errf(err, PV_EPARSE, "%s has no \"%s\"", name, need[k]);
			goto out;
		}
		if (k == 3) {
			size_t h;
			if (m->val.kind != JSON_STRING || m->val.raw_len != 34) {
				rc = pv_errf(err, PV_EPARSE, "%s: \"listing\" is not 32 hex "
					     "digits", name);
				goto out;
			}
			for (h = 1; h < 33; h++)
				if (!strchr("0123456789abcdef", m->val.raw[h]))
					break;
			if (h < 33) {
				rc = pv_errf(err, PV_EPARSE, "%s: \"listing\" is not 32 "
					     "lowercase hex digits", name);
				goto out;
			}
			memcpy(listing, m->val.raw + 1, 32);
			listing[32] = '\0';
			continue;
		}
		{
			char nb[32];
			char *end;
			if (m->val.kind != JSON_NUMBER || m->val.raw_len >= sizeof nb) {
				rc = pv_errf(err, PV_EPARSE, "%s: \"%s\" is not a number",
					     name, need[k]);
				goto out;
			}
			memcpy(nb, m->val.raw, m->val.raw_len);
			nb[m->val.raw_len] = '\0';
			errno = 0;
			num[k] = strtoll(nb, &end, 10);
			if (*end || errno || num[k] < 0) {
				rc = pv_errf(err, PV_EPARSE, "%s: \"%s\" is not a count",
					     name, need[k]);
				goto out;
			}
		}
	}
	if (num[0] != 1)
		rc = pv_errf(err, PV_EPARSE, "%s: \"provex_shard\" is %lld, not 1 (a "
			     "newer provex wrote it?)", name, num[0]);
	else if (num[1] != r || num[2] != world)
		rc = pv_errf(err, PV_EPARSE, "%s says rank %lld of %lld, its name "
			     "rank %ld of %ld", name, num[1], num[2], r, world);
	*bytes = num[4];
out:
	json_object_done(&o);
	return rc;
}

/* The meta value key of shard s, as text in out (size 64); "" when
 * absent. */
static int shard_meta(struct store *s, const char *key, char out[64], struct pv_err *err)
{
	sqlite3_stmt *st;
	int rc;

	out[0] = '\0';
	if ((rc = store_prep(s, &st, "SELECT value FROM meta WHERE key=?1",
			     "reading the shard's meta", err)))
		return rc;
	sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW && sqlite3_column_text(st, 0))
		snprintf(out, 64, "%s", (const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return store_sqlerr(s, err, "reading the shard's meta");
	return 0;
}

/* Makes room for the open files a set needs (a shard each, four with a
 * review.pvx, and some to spare):
 * raises the soft limit up to the hard one, or says what to do. */
static int room_for_files(const char *dir, size_t shards, struct pv_err *err)
{
	struct buf rv = BUF_INIT;
	struct rlimit rl;
	rlim_t need;
	bool review;

	/* with a review.pvx, each shard's connection attaches it (base_views):
	 * its file, its write-ahead log and its shared memory, three more
	 * each (measured: 40 shards need 4 * 40 + 20) */
	buf_printf(&rv, "%s/review.pvx", dir);
	review = access(buf_str(&rv), F_OK) == 0;
	buf_done(&rv);
	need = (rlim_t)shards * (review ? 4 : 1) + 32;

	if (getrlimit(RLIMIT_NOFILE, &rl) != 0 || rl.rlim_cur == RLIM_INFINITY ||
	    rl.rlim_cur >= need)
		return 0;
	if (rl.rlim_max == RLIM_INFINITY || rl.rlim_max >= need) {
		rl.rlim_cur = need;
		if (setrlimit(RLIMIT_NOFILE, &rl) == 0)
			return 0;
	}
	return pv_errf(err, PV_EIO, "%s: its %zu shards need %llu open files and "
		       "this process may open %llu (ulimit -n): raise the limit "
		       "(ulimit -n %llu) and run again", dir, shards,
		       (unsigned long long)need, (unsigned long long)rl.rlim_max,
		       (unsigned long long)need);
}

/* ---- the review overlay ---- */

/* The columns review.pvx's docs table has (its ordinary ones: a shard's
 * generated metadata columns are not copied), comma-separated, each
 * prefixed with pfx. */
static int docs_columns(struct store *s, const char *pfx, struct buf *out,
			struct pv_err *err)
{
	sqlite3_stmt *st;
	int rc, n = 0;

	if ((rc = store_prep(s, &st, "SELECT name FROM pragma_table_info('docs') "
			     "ORDER BY cid", "reading the review store's columns", err)))
		return rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		buf_printf(out, "%s%s%s", n++ ? "," : "", pfx,
			   (const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return store_sqlerr(s, err, "reading the review store's columns");
	return 0;
}

/* Where review.pvx stands as connection s sees it (schema: "main" or
 * "review"): its documents, its last history row, detect run, pair and
 * review answer.  Rows are only ever added to docs and history, and a
 * detect run (its scores), a pairs run and an answer each add a row with
 * a new id, so two connections with the same mark see the same
 * review.pvx.  Also starts s's read transaction on it (after BEGIN: the
 * snapshot it keeps for the command). */
#define REVIEW_MARK_N 5
static int review_mark(struct store *s, const char *schema,
		       int64_t mark[REVIEW_MARK_N], struct pv_err *err)
{
	char sql[400];
	sqlite3_stmt *st;
	int rc, i;

	snprintf(sql, sizeof sql, "SELECT (SELECT count(*) FROM %s.docs), (SELECT "
		 "coalesce(max(id),0) FROM %s.history), (SELECT coalesce(max(id),0) "
		 "FROM %s.detect_runs), (SELECT coalesce(max(id),0) FROM %s.pairs), "
		 "(SELECT coalesce(max(id),0) FROM %s.review_answers)", schema, schema,
		 schema, schema, schema);
	if ((rc = store_prep(s, &st, sql, "reading the set's review state", err)))
		return rc;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		for (i = 0; i < REVIEW_MARK_N; i++)
			mark[i] = sqlite3_column_int64(st, i);
	sqlite3_finalize(st);
	return rc == SQLITE_ROW ? 0 : store_sqlerr(s, err, "reading the set's review state");
}

static bool mark_same(const int64_t *a, const int64_t *b)
{
	return memcmp(a, b, REVIEW_MARK_N * sizeof *a) == 0;
}

/* The review state a filter, a sort or a listing reads (fields.c,
 * filter_sql.c, query.c, review.c): in a connection to a shard they are
 * TEMP VIEWs over review.pvx's (attached as "review"), whose ids are
 * global, so that shard k sees the pairs and scores of every shard; with
 * no review.pvx to read (attached false), empty views. */
static const char *const review_state[] = {
	"scores", "pairs", "review_sessions", "review_answers", "review_votes",
	"review_disputed",
};

/* Makes s's views of the review state (above). */
static int review_views(struct store *s, bool attached, struct pv_err *err)
{
	char sql[200];
	size_t i;
	int rc;

	for (i = 0; i < PV_ARRAY_LEN(review_state); i++) {
		if (attached)
			snprintf(sql, sizeof sql, "CREATE TEMP VIEW %s AS SELECT * FROM "
				 "review.%s", review_state[i], review_state[i]);
		else
			snprintf(sql, sizeof sql, "CREATE TEMP VIEW %s AS SELECT * FROM "
				 "main.%s WHERE 0", review_state[i], review_state[i]);
		if ((rc = store_exec(s->db, sql, err)))
			return rc;
	}
	return 0;
}

/* ATTACHes review.pvx (review_path) to s as "review" (read-only: s is). */
static int review_attach(struct store *s, const char *review_path, struct pv_err *err)
{
	sqlite3_stmt *st;
	int rc;

	if ((rc = store_prep(s, &st, "ATTACH DATABASE ?1 AS review",
			     "attaching the set's review.pvx", err)))
		return rc;
	sqlite3_bind_text(st, 1, review_path, -1, SQLITE_STATIC);
	return store_step_done(s, st, "attaching the set's review.pvx", err);
}

/* A new connection to shard k's file with review.pvx (review_path)
 * attached read-only as "review" and the TEMP VIEW docs made by view_sql
 * (the shard's own docs table stays main.docs); its metadata indexes are
 * hidden (an empty temp.meta_index) when plain, as review.pvx's rows have
 * none of the shard's generated columns. */
static int open_view(struct store_set *set, size_t k, const char *review_path,
		     const char *view_sql, bool plain, struct store **out,
		     int64_t mark[REVIEW_MARK_N], struct pv_err *err)
{
	struct store *s;
	int rc;

	*out = NULL;
	if ((rc = store_open(&s, store_path(set->shard[k]), STORE_READ, err)))
		return rc;
	if ((rc = review_attach(s, review_path, err)) ||
	    (rc = review_views(s, true, err)))
		goto fail;
	if (plain && (rc = store_exec(s->db, "CREATE TEMP TABLE meta_index(key TEXT "
				      "PRIMARY KEY, col TEXT NOT NULL UNIQUE, created "
				      "TEXT NOT NULL)", err)))
		goto fail;
	if ((rc = store_exec(s->db, view_sql, err)))
		goto fail;
	store_exec(s->db, "PRAGMA cache_size=-2000; BEGIN", NULL);
	if ((rc = review_mark(s, "review", mark, err)))
		goto fail;
	*out = s;
	return 0;
fail:
	store_close(s);
	return rc;
}

/* Gives each shard's own connection (its base part) the views of the
 * review state (review_views): over review.pvx (review_path) when there
 * is one to read, else empty; and with review.pvx, starts its read
 * transaction again so that it sees review.pvx as it is now, *same false
 * when that is not as mark (the overlay's) says.  ATTACH cannot run in a
 * transaction: the shard's (set_open's BEGIN) is ended first. */
static int base_views(struct store_set *set, const char *review_path,
		      const int64_t *mark, bool *same, struct pv_err *err)
{
	int64_t seen[REVIEW_MARK_N];
	size_t k, i;
	int rc;

	if (!set->viewed)
		set->viewed = pv_calloc(set->n, sizeof *set->viewed);
	for (k = 0; k < set->n; k++) {
		struct store *s = set->shard[k];
		if (set->viewed[k] == 2 || (set->viewed[k] == 1 && !review_path)) {
			if (review_path) {
				store_exec(s->db, "COMMIT", NULL);
				store_exec(s->db, "BEGIN", NULL);
			}
		} else {
			store_exec(s->db, "COMMIT", NULL);
			for (i = 0; set->viewed[k] && i < PV_ARRAY_LEN(review_state); i++) {
				char sql[80];
				snprintf(sql, sizeof sql, "DROP VIEW temp.%s", review_state[i]);
				if ((rc = store_exec(s->db, sql, err)))
					return rc;
			}
			set->viewed[k] = 0;
			if ((review_path && (rc = review_attach(s, review_path, err))) ||
			    (rc = review_views(s, review_path != NULL, err)))
				return rc;
			set->viewed[k] = review_path ? 2 : 1;
			store_exec(s->db, "BEGIN", NULL);
		}
		if (!review_path)
			continue;
		if ((rc = review_mark(s, "review", seen, err)))
			return rc;
		*same = *same && mark_same(seen, mark);
	}
	return 0;
}

/* Forgets the overlay: the parts are the shards again. */
static void overlay_drop(struct store_set *set)
{
	size_t k;

	for (k = 0; k < set->nextra; k++)
		store_close(set->extra[k]);
	free(set->extra);
	set->extra = NULL;
	set->nextra = 0;
	free(set->shadow);
	set->shadow = NULL;
	set->nshadow = 0;
	store_close(set->overlay);
	set->overlay = NULL;
	set->review_blind = false;
	parts_of_shards(set);
}

/* Reads SET/review.pvx, when there is one: the ids it holds (shadow), and
 * for every shard with some, its minus and plus parts; *same false when a
 * label committed while they were opened (a part saw review.pvx in
 * another state than the ids were read in). */
static int overlay_try(struct store_set *set, bool *same, struct pv_err *err)
{
	int64_t mark[REVIEW_MARK_N] = { 0 }, seen[REVIEW_MARK_N];
	struct buf path = BUF_INIT, cols = BUF_INIT, mcols = BUF_INIT, sql = BUF_INIT;
	sqlite3_stmt *st = NULL;
	bool *has = NULL;
	size_t cap = 0, k;
	int rc = 0;

	overlay_drop(set);
	if (!set->folder)
		return 0;
	buf_printf(&path, "%s/review.pvx", set->path);
	if (access(buf_str(&path), F_OK) != 0) {
		rc = base_views(set, NULL, NULL, same, err);
		goto out;
	}
	if ((rc = store_open(&set->overlay, buf_str(&path), STORE_READ, err))) {
		rc = pv_errf(err, rc, "%s (the review state of the set %s)", err->msg,
			     set->path);
		goto out;
	}
	{
		struct buf v = BUF_INIT;
		bool found = false;
		if ((rc = store_meta_get(set->overlay, "set.listing", &v, &found, err))) {
			buf_done(&v);
			goto out;
		}
		if (found && strcmp(buf_str(&v), set->listing) != 0)
			rc = pv_errf(err, PV_ENOTSTORE, "%s: its review.pvx was made for "
				     "a set built from listing %s, and its shards were "
				     "built from listing %s: it is another set's review "
				     "state; move it out of the folder (the shards hold "
				     "no review state of their own)", set->path,
				     buf_str(&v), set->listing);
		buf_done(&v);
		if (rc)
			goto out;
	}
	/* one read transaction: the ids and the mark of one state */
	store_exec(set->overlay->db, "BEGIN", NULL);
	if ((rc = review_mark(set->overlay, "main", mark, err)))
		goto out;
	/* where SQLite cannot make review.pvx's -shm, the shards' connections
	 * cannot read it (review_blind_refuse) */
	if ((rc = base_views(set, store_unlocked(set->overlay) ? NULL : buf_str(&path),
			     mark, same, err)))
		goto out;
	set->review_blind = store_unlocked(set->overlay) != NULL;
	if ((rc = store_prep(set->overlay, &st, "SELECT id FROM docs ORDER BY id",
			     "reading the set's review state", err)))
		goto out;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (set->nshadow == cap) {
			cap = cap ? cap * 2 : 64;
			set->shadow = pv_realloc(set->shadow, cap * sizeof *set->shadow);
		}
		set->shadow[set->nshadow++] = sqlite3_column_int64(st, 0);
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		rc = store_sqlerr(set->overlay, err, "reading the set's review state");
		goto out;
	}
	rc = 0;
	if (!set->nshadow)
		goto out;
	if (store_unlocked(set->overlay)) {
		rc = pv_errf(err, PV_ESTORE, "%s: the set's review state cannot be "
			     "read here with the shards (SQLite cannot make its "
			     "shared-memory file %s-shm in this folder); copy the set's "
			     "folder to one you can write, or run provex there once to "
			     "make it, then read it", set->path, buf_str(&path));
		goto out;
	}
	has = pv_calloc(set->n, sizeof *has);
	for (k = 0; k < set->nshadow; k++) {
		long r = set_route(set, set->shadow[k]);
		if (r < 0) {
			rc = pv_errf(err, PV_ESTORE, "%s: document %lld in review.pvx "
				     "is of no shard of the set: review.pvx belongs to "
				     "another set", set->path, (long long)set->shadow[k]);
			goto out;
		}
		has[r] = true;
	}
	if ((rc = docs_columns(set->overlay, "", &cols, err)) ||
	    (rc = docs_columns(set->overlay, "m.", &mcols, err)))
		goto out;
	set->extra = pv_calloc(2 * set->n, sizeof *set->extra);
	set->part = pv_realloc(set->part, 3 * set->n * sizeof *set->part);
	for (k = 0; k < set->n; k++) {
		struct store *m, *p;
		if (!has[k])
			continue;
		/* minus: the shard's rows the overlay replaces, looked up by id
		 * from review.pvx's (CROSS JOIN: review.docs is the outer loop) */
		buf_reset(&sql);
		buf_printf(&sql, "CREATE TEMP VIEW docs AS SELECT m.* FROM review.docs r "
			   "CROSS JOIN main.docs m ON m.id=r.id WHERE (r.id/%lld-1)%%%zu=%zu",
			   (long long)SET_ID_STRIDE, set->n, k);
		if ((rc = open_view(set, k, buf_str(&path), buf_str(&sql), false, &m,
				    seen, err)))
			goto out;
		set->extra[set->nextra++] = m;
		*same = *same && mark_same(seen, mark);
		buf_reset(&sql);
		buf_printf(&sql, "CREATE TEMP VIEW docs AS SELECT %s FROM review.docs "
			   "WHERE (id/%lld-1)%%%zu=%zu", buf_str(&cols),
			   (long long)SET_ID_STRIDE, set->n, k);
		if ((rc = open_view(set, k, buf_str(&path), buf_str(&sql), true, &p,
				    seen, err)))
			goto out;
		set->extra[set->nextra++] = p;
		*same = *same && mark_same(seen, mark);
		set->part[set->nparts++] = (struct set_part){ m, -1, false, k };
		set->part[set->nparts++] = (struct set_part){ p, 1, true, k };
	}
out:
	if (rc)
		overlay_drop(set);
	free(has);
	buf_done(&path);
	buf_done(&cols);
	buf_done(&mcols);
	buf_done(&sql);
	return rc;
}

/* overlay_try until every part sees review.pvx as the ids were read
 * (a label committing meanwhile makes it open them again), at most
 * OVERLAY_TRIES times; then the parts are used as they are (README: the
 * caveat of a read during labels). */
#define OVERLAY_TRIES 8
static int overlay_open(struct store_set *set, struct pv_err *err)
{
	int rc, i;

	for (i = 0; i < OVERLAY_TRIES; i++) {
		bool same = true;
		if ((rc = overlay_try(set, &same, err)) || same)
			return rc;
	}
	return 0;
}

int set_open(struct store_set **out, const char *dir, struct pv_err *err)
{
	struct store_set *set = NULL;
	struct rank_seen *seen = NULL;
	struct buf b = BUF_INIT, path = BUF_INIT;
	long world = 0, *list = NULL;
	size_t nlist = 0, r;
	long building = 0;
	char ref[33] = "";
	long ref_rank = -1;
	struct dirent *de;
	DIR *d;
	int rc = 0;

	*out = NULL;
	if (!(d = opendir(dir)))
		return pv_errf(err, PV_EIO, "%s: cannot read the set's folder: %s", dir,
			       strerror(errno));
	/* first pass: the world size, which every shard's name must agree on */
	while ((de = readdir(d))) {
		long rk, n;
		const char *ext;
		if (strcmp(de->d_name, ".building") == 0) {
			building = 1;
			continue;
		}
		if (!shard_name(de->d_name, &rk, &n, &ext))
			continue;
		if (world && n != world) {
			rc = pv_errf(err, PV_ENOTSTORE, "%s: shards of world sizes %ld and "
				     "%ld in one folder (%s): a set is built with one "
				     "--world-size; move the others out", dir,
				     PV_MIN(world, n), PV_MAX(world, n), de->d_name);
			goto out;
		}
		world = n;
	}
	if (!world) {
		rc = pv_errf(err, PV_ENOTSTORE, "%s: a folder, and not a set of stores: "
			     "it holds no shard (shard-RRRRR-of-NNNNN.pvx)%s; build one "
			     "with: provex index %s INPUT... --world-size N --rank R "
			     "(a store is a file: give its path)", dir,
			     building ? ", only shards still being built (.building)" : "",
			     dir);
		goto out;
	}
	seen = pv_calloc((size_t)world, sizeof *seen);
	rewinddir(d);
	while ((de = readdir(d))) {
		long rk, n;
		const char *ext;
		if (!shard_name(de->d_name, &rk, &n, &ext))
			continue;
		if (strcmp(ext, "pvx") == 0)
			seen[rk].pvx = true;
		else
			seen[rk].done = true;
	}
	/* the markers: each parses, all for one listing */
	list = pv_malloc((size_t)world * sizeof *list);
	for (r = 0; r < (size_t)world; r++) {
		char name[64], listing[33];
		struct pv_err me;
		if (!seen[r].done)
			continue;
		snprintf(name, sizeof name, "shard-%05zu-of-%05ld.done", r, world);
		buf_reset(&path);
		buf_printf(&path, "%s/%s", dir, name);
		if (read_marker(buf_str(&path), name, (long)r, world, listing,
				&seen[r].bytes, &me)) {
			buf_printf(&b, "%s: %s: a shard's completion marker that "
				   "cannot be trusted; ", dir, me.msg);
			put_rerun(&b, dir, (long)r, world, true);
			rc = pv_errf(err, PV_ENOTSTORE, "%s", buf_str(&b));
			goto out;
		}
		if (!ref[0]) {
			memcpy(ref, listing, sizeof ref);
			ref_rank = (long)r;
		} else if (strcmp(ref, listing) != 0) {
			list[nlist++] = (long)r;
		}
	}
	if (nlist) {
		buf_printf(&b, "%s: not one set: the completion marker%s of rank%s ", dir,
			   nlist > 1 ? "s" : "", nlist > 1 ? "s" : "");
		put_ranks(&b, list, nlist);
		buf_printf(&b, " of %ld name%s another listing of inputs than rank "
			   "%ld's (%s): %s indexed from other files; remove %s shard%s "
			   "and marker%s and run %s again with the inputs the others "
			   "were given", world, nlist > 1 ? "" : "s", ref_rank, ref,
			   nlist > 1 ? "they were" : "it was", nlist > 1 ? "their" : "its",
			   nlist > 1 ? "s" : "", nlist > 1 ? "s" : "",
			   nlist > 1 ? "them" : "it");
		rc = pv_errf(err, PV_ENOTSTORE, "%s", buf_str(&b));
		goto out;
	}
	/* every rank finished */
	for (r = 0; r < (size_t)world; r++)
		if (!seen[r].done)
			list[nlist++] = (long)r;
	if (nlist) {
		size_t nodone = 0;
		for (r = 0; r < nlist; r++)
			nodone += seen[list[r]].pvx;
		buf_printf(&b, "%s: incomplete: rank%s ", dir, nlist > 1 ? "s" : "");
		put_ranks(&b, list, nlist);
		buf_printf(&b, " of %ld %s no completion marker", world,
			   nlist > 1 ? "have" : "has");
		if (nodone == nlist)
			buf_puts(&b, nlist > 1 ? " (their shard files there are not finished)" :
				 " (its shard file there is not finished)");
		else if (nodone)
			buf_puts(&b, " (some have a shard file there, not finished)");
		buf_printf(&b, "; run %s: provex index %s ... --world-size %ld --rank %ld",
			   nlist > 1 ? "each" : "it", dir, world, list[0]);
		if (nlist > 1) {
			buf_puts(&b, " (and likewise --rank ");
			put_ranks(&b, list + 1, nlist - 1);
			buf_puts(&b, ")");
		}
		rc = pv_errf(err, PV_ENOTSTORE, "%s", buf_str(&b));
		goto out;
	}
	for (r = 0; r < (size_t)world; r++)
		if (!seen[r].pvx)
			list[nlist++] = (long)r;
	if (nlist) {
		buf_printf(&b, "%s: rank%s ", dir, nlist > 1 ? "s" : "");
		put_ranks(&b, list, nlist);
		buf_printf(&b, " of %ld %s a completion marker and no shard file "
			   "(shard-%05ld-of-%05ld.pvx): moved or deleted; ", world,
			   nlist > 1 ? "have" : "has", list[0], world);
		put_rerun(&b, dir, list[0], world, false);
		if (nlist > 1)
			buf_puts(&b, " (and likewise for the others)");
		rc = pv_errf(err, PV_ENOTSTORE, "%s", buf_str(&b));
		goto out;
	}
	if ((rc = room_for_files(dir, (size_t)world, err)))
		goto out;
	set = pv_calloc(1, sizeof *set);
	set->path = pv_strdup(dir);
	set->folder = true;
	set->shard = pv_calloc((size_t)world, sizeof *set->shard);
	memcpy(set->listing, ref, sizeof ref);
	for (r = 0; r < (size_t)world; r++) {
		char name[64], v_rank[64], v_world[64], v_listing[64], cache[64];
		long kib = SET_CACHE_KIB / world;
		struct stat st;
		struct store *s;
		snprintf(name, sizeof name, "shard-%05zu-of-%05ld.pvx", r, world);
		buf_reset(&path);
		buf_printf(&path, "%s/%s", dir, name);
		if (stat(buf_str(&path), &st) == 0 && st.st_size != seen[r].bytes) {
			buf_printf(&b, "%s: %s is %lld bytes and its completion "
				   "marker says %lld: the shard was changed after it was "
				   "published; ", dir, name, (long long)st.st_size,
				   (long long)seen[r].bytes);
			put_rerun(&b, dir, (long)r, world, true);
			rc = pv_errf(err, PV_ENOTSTORE, "%s", buf_str(&b));
			goto out;
		}
		if ((rc = store_open(&s, buf_str(&path), STORE_READ, err))) {
			buf_printf(&b, "%s (a shard of the set %s; ", err->msg, dir);
			put_rerun(&b, dir, (long)r, world, true);
			rc = pv_errf(err, rc, "%s)", buf_str(&b));
			goto out;
		}
		set->shard[r] = s;
		set->n = r + 1;
		kib = PV_MAX(SET_CACHE_MIN_KIB, PV_MIN(SET_CACHE_MAX_KIB, kib));
		snprintf(cache, sizeof cache, "PRAGMA cache_size=-%ld", kib);
		store_exec(s->db, cache, NULL);
		/* one read transaction for the whole command: a published shard
		 * never changes, and each statement then neither takes and
		 * drops the file's lock nor checks that its cache is current
		 * (a lookup in every shard per row: 8 times faster) */
		store_exec(s->db, "BEGIN", NULL);
		if ((rc = shard_meta(s, "shard.rank", v_rank, err)) ||
		    (rc = shard_meta(s, "shard.world_size", v_world, err)) ||
		    (rc = shard_meta(s, "shard.listing", v_listing, err)))
			goto out;
		if (strtol(v_rank, NULL, 10) != (long)r || !v_rank[0] ||
		    strtol(v_world, NULL, 10) != world || !v_world[0] ||
		    strcmp(v_listing, ref) != 0) {
			if (!v_rank[0] && !v_world[0] && !v_listing[0])
				buf_printf(&b, "%s: %s is a store that was not indexed "
					   "as a shard (its meta has no shard.rank); ",
					   dir, name);
			else
				buf_printf(&b, "%s: %s says it is rank %s of %s (listing "
					   "%s), its name and marker rank %zu of %ld "
					   "(listing %s): it was renamed or copied over; ",
					   dir, name, v_rank[0] ? v_rank : "?",
					   v_world[0] ? v_world : "?",
					   v_listing[0] ? v_listing : "none", r, world, ref);
			put_rerun(&b, dir, (long)r, world, true);
			rc = pv_errf(err, PV_ENOTSTORE, "%s", buf_str(&b));
			goto out;
		}
	}
	parts_of_shards(set);
	if ((rc = overlay_open(set, err)))
		goto out;
	*out = set;
	set = NULL;
out:
	closedir(d);
	set_close(set);
	free(seen);
	free(list);
	buf_done(&b);
	buf_done(&path);
	return rc;
}

/* ---- reading ---- */

/* The plus part of shard k (the overlay's rows of it), or NULL. */
static const struct set_part *plus_of(const struct store_set *set, size_t k)
{
	size_t i;

	for (i = set->n; i < set->nparts; i++)
		if (set->part[i].shard == k && set->part[i].listed)
			return &set->part[i];
	return NULL;
}

int set_doc_get(struct store_set *set, int64_t id, struct store **shard,
		struct doc_row *row, struct pv_err *err)
{
	long k = set_route(set, id);
	const struct set_part *p;

	if (k < 0)
		return pv_errf(err, PV_ENOTFOUND, "%s: no document with id %lld (the "
			       "ids of a set's documents are %lld or more)", set->path,
			       (long long)id, (long long)SET_ID_STRIDE + 1);
	p = &set->part[k];
	if (set_shadowed(set, p, id) && (p = plus_of(set, (size_t)k)) == NULL)
		p = &set->part[k];
	*shard = p->s;
	return store_doc_get(p->s, id, row, err);
}

int64_t set_find_ext(struct store_set *set, const char *ext, struct store **shards,
		     int64_t *ids, size_t max, struct pv_err *err)
{
	int64_t total = 0, *got = NULL;
	size_t cap = 0, k;

	for (k = 0; k < set->nparts; k++) {
		const struct set_part *p = &set->part[k];
		int64_t n, j;
		if (!p->listed)
			continue;
		/* every id of this part (to skip the shadowed), then those kept */
		n = store_find_ext(p->s, ext, got, cap, err);
		if (n < 0) {
			free(got);
			return n;
		}
		if ((size_t)n > cap) {
			cap = (size_t)n;
			got = pv_realloc(got, cap * sizeof *got);
			n = store_find_ext(p->s, ext, got, cap, err);
			if (n < 0) {
				free(got);
				return n;
			}
		}
		for (j = 0; j < n; j++) {
			if (set_shadowed(set, p, got[j]))
				continue;
			if ((size_t)total < max) {
				if (ids)
					ids[total] = got[j];
				if (shards)
					shards[total] = p->s;
			}
			total++;
		}
	}
	free(got);
	return total;
}

/* The shard whose part s is. */
static long shard_of_store(const struct store_set *set, const struct store *s)
{
	size_t k;

	for (k = 0; k < set->nparts; k++)
		if (set->part[k].s == s)
			return (long)set->part[k].shard;
	return -1;
}

int set_nocc(struct store_set *set, struct store *shard, int64_t text_id,
	     int64_t *n, struct pv_err *err)
{
	unsigned char hash[16];
	sqlite3_stmt *st;
	long own = shard_of_store(set, shard);
	size_t k;
	int rc;

	*n = 0;
	if ((rc = store_prep(shard, &st, "SELECT hash, nocc FROM texts WHERE id=?1",
			     "counting a text's documents", err)))
		return rc;
	sqlite3_bind_int64(st, 1, text_id);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW && sqlite3_column_bytes(st, 0) == 16) {
		memcpy(hash, sqlite3_column_blob(st, 0), 16);
		*n = sqlite3_column_int64(st, 1);
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW)
		return rc == SQLITE_DONE ?
			pv_errf(err, PV_ENOTFOUND, "%s: no text %lld", store_path(shard),
				(long long)text_id) :
			store_sqlerr(shard, err, "counting a text's documents");
	if (set->n == 1)
		return 0;
	/* a lookup of the hash in every other shard (ls --json: one per row
	 * and shard, so the statements are kept); texts are the shards' own,
	 * the overlay changes none */
	if (!set->by_hash)
		set->by_hash = pv_calloc(set->n, sizeof *set->by_hash);
	for (k = 0; k < set->n; k++) {
		struct store *s = set->shard[k];
		if ((long)k == own)
			continue;
		if (!set->by_hash[k] &&
		    (rc = store_prep(s, &set->by_hash[k], "SELECT nocc FROM texts "
				     "WHERE hash=?1", "counting a text's documents", err)))
			return rc;
		st = set->by_hash[k];
		sqlite3_bind_blob(st, 1, hash, 16, SQLITE_STATIC);
		rc = sqlite3_step(st);
		if (rc == SQLITE_ROW)
			*n += sqlite3_column_int64(st, 0);
		sqlite3_reset(st);
		if (rc != SQLITE_ROW && rc != SQLITE_DONE)
			return store_sqlerr(s, err, "counting a text's documents");
	}
	return 0;
}

int set_filters(struct store_set *set, const struct filter_ast *ast,
		struct filter_sql **out, struct pv_err *err)
{
	size_t k;
	int rc;

	const char *f;
	char what[64];

	*out = NULL;
	if (set->review_blind && (f = set_filter_review(ast))) {
		snprintf(what, sizeof what, "the filter's %s", f);
		return set_review_refuse(set, what, err);
	}
	/* room for every part a set can have (3 a shard), so that
	 * set_filters_done frees them whatever the overlay became since */
	*out = pv_calloc(3 * set->n, sizeof **out);
	for (k = 0; k < set->nparts; k++)
		if ((rc = store_filter_compile(set->part[k].s, ast, 1, &(*out)[k], err))) {
			set_filters_done(set, *out);
			*out = NULL;
			return rc;
		}
	return 0;
}

void set_filters_done(struct store_set *set, struct filter_sql *sql)
{
	size_t k;

	if (!sql)
		return;
	for (k = 0; k < 3 * set->n; k++)
		filter_sql_done(&sql[k]);
	free(sql);
}

/* The first term of the filter tree n for which term() names a field
 * (its text), or NULL. */
static const char *node_find(const struct filter_node *n,
			     const char *(*term)(const struct filter_node *))
{
	size_t k;

	if (!n)
		return NULL;
	if (n->type != FN_TERM) {
		for (k = 0; k < n->nkids; k++) {
			const char *f = node_find(n->kids[k], term);
			if (f)
				return f;
		}
		return NULL;
	}
	return n->field ? term(n) : NULL;
}

/* Whether term n holds flag FIELD:FLAG (is:dup, has:pair...). */
static bool term_flag(const struct filter_node *n, const char *field, const char *flag)
{
	size_t k;

	if (strcmp(n->field->name, field) != 0)
		return false;
	for (k = 0; k < n->nvals; k++)
		if (n->vals[k].op == FOP_FLAG && n->vals[k].flag &&
		    strcmp(n->vals[k].flag->name, flag) == 0)
			return true;
	return false;
}

static const char *term_per_store(const struct filter_node *n)
{
	if (strcmp(n->field->name, "dup") == 0)
		return "dup:";
	if (strcmp(n->field->name, "ratio") == 0)
		return "ratio:";
	return term_flag(n, "is", "dup") ? "is:dup" : NULL;
}

const char *set_filter_per_store(const struct filter_ast *ast)
{
	return ast ? node_find(ast->root, term_per_store) : NULL;
}

static const char *term_review(const struct filter_node *n)
{
	static const char *const flags[][3] = {
		{ "has", "pair", "has:pair" }, { "has", "score", "has:score" },
		{ "is", "disputed", "is:disputed" },
	};
	size_t i;

	if (strcmp(n->field->name, "score") == 0)
		return "score:";
	if (strcmp(n->field->name, "sim") == 0)
		return "sim:";
	if (strcmp(n->field->name, "pair") == 0)
		return "pair:";
	for (i = 0; i < PV_ARRAY_LEN(flags); i++)
		if (term_flag(n, flags[i][0], flags[i][1]))
			return flags[i][2];
	return NULL;
}

const char *set_filter_review(const struct filter_ast *ast)
{
	return ast ? node_find(ast->root, term_review) : NULL;
}

const char *set_sort_review(const char *sort)
{
	return sort && strcmp(sort, "score") == 0 ? "score" : NULL;
}

bool set_review_blind(const struct store_set *set)
{
	return set->review_blind;
}

int set_review_refuse(const struct store_set *set, const char *what,
		      struct pv_err *err)
{
	return pv_errf(err, PV_EUSAGE, "%s: %s on a set: refused: the set keeps "
		       "detect's scores, pairs and review answers in its review.pvx, "
		       "which cannot be read here with the shards (SQLite cannot make "
		       "its shared-memory file %s/review.pvx-shm in this folder), so "
		       "it would match nothing; copy the set's folder to one you can "
		       "write, or run provex there once to make it, then read it",
		       set->path, what, set->path);
}

bool set_sort_per_store(const char *sort)
{
	return sort && (strcmp(sort, "dup") == 0 || strcmp(sort, "ratio") == 0);
}

int set_count(struct store_set *set, const struct filter_sql *where, int64_t *n,
	      struct pv_err *err)
{
	size_t k;
	int rc;

	*n = 0;
	for (k = 0; k < set->nparts; k++) {
		int64_t m;
		if ((rc = store_count(set->part[k].s, where ? &where[k] : NULL, &m, err)))
			return rc;
		*n += set->part[k].sign * m;
	}
	return 0;
}

/* ---- the merge of the shards' selections ---- */

struct head {
	struct store_cursor *c;
	const struct set_part *p;
};

/* Whether a comes before b in the selection's order: the sort value,
 * then the id (ids are unique across the shards), both reversed when
 * descending. */
static bool before(const struct head *a, const struct head *b, bool desc)
{
	int d = store_key_cmp(store_cursor_key(a->c), store_cursor_key(b->c));

	if (!d) {
		int64_t x = store_cursor_row(a->c)->id, y = store_cursor_row(b->c)->id;
		d = x < y ? -1 : x > y;
	}
	return desc ? d > 0 : d < 0;
}

static void sift_down(struct head *h, size_t n, size_t i, bool desc)
{
	for (;;) {
		size_t l = 2 * i + 1, m = i;
		struct head t;
		if (l < n && before(&h[l], &h[m], desc))
			m = l;
		if (l + 1 < n && before(&h[l + 1], &h[m], desc))
			m = l + 1;
		if (m == i)
			return;
		t = h[i];
		h[i] = h[m];
		h[m] = t;
		i = m;
	}
}

/* Whether base part p may hold rows the overlay shadows. */
static bool set_shadowed_any(const struct store_set *set, const struct set_part *p)
{
	return set->nshadow && part_is_base(set, p);
}

/* The next row of a part's cursor that is not shadowed: 1, 0 at the end,
 * or a negative code. */
static int cursor_next(const struct store_set *set, struct head *h, struct pv_err *err)
{
	int rc;

	while ((rc = store_cursor_next(h->c, err)) == 1 &&
	       set_shadowed(set, h->p, store_cursor_row(h->c)->id))
		;
	return rc;
}

int set_select(struct store_set *set, const struct filter_sql *where,
	       const char *sort, bool desc, uint64_t limit,
	       int (*cb)(void *ctx, struct store *shard, const struct doc_row *row),
	       void *ctx, struct pv_err *err)
{
	struct head *h = pv_calloc(set->nparts, sizeof *h);
	size_t n = 0, k;
	uint64_t given = 0;
	int rc = 0, ret = 0;

	for (k = 0; k < set->nparts; k++) {
		const struct set_part *p = &set->part[k];
		struct store_cursor *c;
		/* a base part skips the rows the overlay holds: it may give
		 * that many more than limit */
		uint64_t lim = limit && set_shadowed_any(set, p) ? limit + set->nshadow :
			       limit;
		if (!p->listed)
			continue;
		if ((rc = store_cursor_open(p->s, where ? &where[k] : NULL, sort,
					    desc, lim, &c, err)))
			goto out;
		h[n].c = c;
		h[n].p = p;
		n++;
		if ((rc = cursor_next(set, &h[n - 1], err)) < 0)
			goto out;
		if (rc == 0) {
			store_cursor_close(c);
			n--;
		}
	}
	rc = 0;
	for (k = n / 2; k-- > 0; )
		sift_down(h, n, k, desc);
	while (n && (!limit || given < limit)) {
		if ((ret = cb(ctx, h[0].p->s, store_cursor_row(h[0].c))))
			break;
		given++;
		if ((rc = cursor_next(set, &h[0], err)) < 0)
			goto out;
		if (rc == 0) {
			store_cursor_close(h[0].c);
			h[0] = h[--n];
		}
		rc = 0;
		sift_down(h, n, 0, desc);
	}
out:
	for (k = 0; k < n; k++)
		store_cursor_close(h[k].c);
	free(h);
	return ret ? ret : rc;
}

int set_info(struct store_set *set, struct store_info *info, struct pv_err *err)
{
	struct buf path = BUF_INIT, cols = BUF_INIT, sql = BUF_INIT;
	struct store **cur, **own;
	int64_t seen[REVIEW_MARK_N];
	size_t k;
	int rc = 0;

	if (set->nparts == 1)
		return store_info_get(set->part[0].s, info, err);
	if (set->nparts == set->n)
		return store_info_merge(set->shard, set->n, info, err);
	/* texts are merged by hash with whether each occurs as real and as
	 * synthetic, which no signed sum gives: a shard the overlay changed
	 * is read through a connection whose docs are its current rows */
	cur = pv_calloc(set->n, sizeof *cur);
	own = pv_calloc(set->n, sizeof *own);
	buf_printf(&path, "%s/review.pvx", set->path);
	if ((rc = docs_columns(set->overlay, "", &cols, err)))
		goto out;
	for (k = 0; k < set->n; k++) {
		cur[k] = set->shard[k];
		if (!plus_of(set, k))
			continue;
		buf_reset(&sql);
		buf_printf(&sql, "CREATE TEMP VIEW docs AS SELECT %s FROM main.docs "
			   "WHERE id NOT IN (SELECT id FROM review.docs) UNION ALL "
			   "SELECT %s FROM review.docs WHERE (id/%lld-1)%%%zu=%zu",
			   buf_str(&cols), buf_str(&cols), (long long)SET_ID_STRIDE,
			   set->n, k);
		if ((rc = open_view(set, k, buf_str(&path), buf_str(&sql), true,
				    &own[k], seen, err)))
			goto out;
		cur[k] = own[k];
	}
	rc = store_info_merge(cur, set->n, info, err);
out:
	for (k = 0; k < set->n; k++)
		store_close(own[k]);
	free(own);
	free(cur);
	buf_done(&path);
	buf_done(&cols);
	buf_done(&sql);
	return rc;
}

/* ---- labelling a set: its review.pvx ---- */

struct store *set_overlay(const struct store_set *set) { return set->overlay; }

struct label_pick {
	struct store_set *set;
	const struct filter_ast *ast;
};

/* Copies document id from its shard into review.pvx (rv), unless there. */
static int copy_doc(struct store_set *set, struct store *rv, sqlite3_stmt **get,
		    sqlite3_stmt **put, const char *cols, int ncols, int64_t id,
		    struct pv_err *err)
{
	long k = set_route(set, id);
	struct buf sql = BUF_INIT;
	int rc, i;

	if (k < 0)
		return 0;
	if (!get[k]) {
		buf_printf(&sql, "SELECT %s FROM docs WHERE id=?1", cols);
		rc = store_prep(set->shard[k], &get[k], buf_str(&sql),
				"reading a document to review", err);
		buf_done(&sql);
		if (rc)
			return rc;
	}
	if (!*put) {
		buf_printf(&sql, "INSERT OR IGNORE INTO docs(%s) VALUES(?1", cols);
		for (i = 1; i < ncols; i++)
			buf_printf(&sql, ",?%d", i + 1);
		buf_puts(&sql, ")");
		rc = store_prep(rv, put, buf_str(&sql), "copying a document to review",
				err);
		buf_done(&sql);
		if (rc)
			return rc;
	}
	sqlite3_bind_int64(get[k], 1, id);
	rc = sqlite3_step(get[k]);
	if (rc == SQLITE_ROW) {
		for (i = 0; i < ncols; i++)
			sqlite3_bind_value(*put, i + 1, sqlite3_column_value(get[k], i));
		rc = sqlite3_step(*put);
		sqlite3_reset(*put);
		sqlite3_reset(get[k]);
		if (rc != SQLITE_DONE)
			return store_sqlerr(rv, err, "copying a document to review");
		return 0;
	}
	sqlite3_reset(get[k]);
	if (rc != SQLITE_DONE)
		return store_sqlerr(set->shard[k], err, "reading a document to review");
	return 0;
}

/* label_set_ids's choice, inside review.pvx's write transaction: the
 * overlay read again (no other writer can change it now), the filter
 * evaluated over the parts, and the documents chosen that review.pvx
 * does not hold yet copied from their shards. */
static int pick(void *ctx, struct store *rv, int64_t **ids, size_t *nids,
		struct pv_err *err)
{
	struct label_pick *lp = ctx;
	struct store_set *set = lp->set;
	struct filter_sql *where = NULL;
	struct buf sql = BUF_INIT, cols = BUF_INIT;
	sqlite3_stmt **get = NULL, *put = NULL, *st;
	size_t cap = 0, k, i;
	int rc, ncols;

	*ids = NULL;
	*nids = 0;
	if ((rc = overlay_open(set, err)) || (rc = set_filters(set, lp->ast, &where, err)))
		goto out;
	for (k = 0; k < set->nparts; k++) {
		const struct set_part *p = &set->part[k];
		if (!p->listed)
			continue;
		buf_reset(&sql);
		buf_puts(&sql, "SELECT d.id");
		store_from(&where[k], &sql);
		buf_printf(&sql, "WHERE %s", where[k].where ? where[k].where : "1");
		if ((rc = store_prep_where(p->s, &st, buf_str(&sql), &where[k],
					   "selecting documents", err)))
			goto out;
		while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
			int64_t id = sqlite3_column_int64(st, 0);
			if (set_shadowed(set, p, id))
				continue;
			if (*nids == cap) {
				cap = cap ? cap * 2 : 256;
				*ids = pv_realloc(*ids, cap * sizeof **ids);
			}
			(*ids)[(*nids)++] = id;
		}
		sqlite3_finalize(st);
		if (rc != SQLITE_DONE) {
			rc = store_sqlerr(p->s, err, "selecting documents");
			goto out;
		}
		rc = 0;
	}
	/* review.pvx's own columns, copied from the shards' rows */
	if ((rc = docs_columns(rv, "", &cols, err)))
		goto out;
	for (ncols = 1, i = 0; i < cols.len; i++)
		ncols += cols.data[i] == ',';
	get = pv_calloc(set->n, sizeof *get);
	for (i = 0; i < *nids; i++)
		if (!id_shadowed(set, (*ids)[i]) &&
		    (rc = copy_doc(set, rv, get, &put, buf_str(&cols), ncols, (*ids)[i],
				   err)))
			goto out;
out:
	if (get)
		for (k = 0; k < set->n; k++)
			sqlite3_finalize(get[k]);
	free(get);
	sqlite3_finalize(put);
	set_filters_done(set, where);
	buf_done(&sql);
	buf_done(&cols);
	return rc;
}

int set_label(struct store_set *set, const struct filter_ast *ast,
	      const struct label_change *changes, size_t n, const char *reviewer,
	      const char *note, const char *command, bool dry_run,
	      struct label_result *res, struct pv_err *err)
{
	struct label_pick lp = { set, ast };
	struct store *rv;
	int rc;

	memset(res, 0, sizeof *res);
	if ((rc = set_review(set, &rv, err)))
		return rc;
	return label_set_ids(rv, pick, &lp, changes, n, reviewer, note, command,
			     dry_run, res, err);
}

/* ---- statistics: groups summed, lengths merged ---- */

static int group_by_value(const void *a, const void *b)
{
	return strcmp(((const struct stats_group *)a)->value,
		      ((const struct stats_group *)b)->value);
}

static int group_by_docs(const void *a, const void *b)
{
	const struct stats_group *x = a, *y = b;

	if (x->docs != y->docs)
		return x->docs < y->docs ? 1 : -1;
	return strcmp(x->value, y->value);
}

/* One shard's (group, length) rows in order, for the merge. */
struct len_walk {
	sqlite3_stmt *st;
	struct store *s;
	const struct store_set *set;
	const struct set_part *p;   /* its rows the overlay shadows are skipped */
	const char *value;
	int64_t len;
};

static int len_step(struct len_walk *w, struct pv_err *err)
{
	int rc;

	while ((rc = sqlite3_step(w->st)) == SQLITE_ROW &&
	       set_shadowed(w->set, w->p, sqlite3_column_int64(w->st, 2)))
		;
	if (rc == SQLITE_ROW) {
		w->value = (const char *)sqlite3_column_text(w->st, 0);
		w->len = sqlite3_column_int64(w->st, 1);
		if (!w->value)
			w->value = "";
		return 1;
	}
	if (rc == SQLITE_DONE)
		return 0;
	return store_sqlerr(w->s, err, "computing statistics");
}

static bool len_before(const struct len_walk *a, const struct len_walk *b)
{
	int d = strcmp(a->value, b->value);

	return d ? d < 0 : a->len < b->len;
}

static void len_down(struct len_walk *h, size_t n, size_t i)
{
	for (;;) {
		size_t l = 2 * i + 1, m = i;
		struct len_walk t;
		if (l < n && len_before(&h[l], &h[m]))
			m = l;
		if (l + 1 < n && len_before(&h[l + 1], &h[m]))
			m = l + 1;
		if (m == i)
			return;
		t = h[i];
		h[i] = h[m];
		h[m] = t;
		i = m;
	}
}

/* As stats.c's rank: the nearest-rank percentile q of n sorted values. */
static int64_t pct_rank(int64_t n, double q)
{
	int64_t k = (int64_t)(q * (double)n + 0.999999);

	return k < 1 ? 0 : k - 1;
}

int set_stats(struct store_set *set, const struct filter_sql *where, const char *by,
	      struct stats *out, struct pv_err *err)
{
	const char *col = stats_group_column(by ? by : "origin");
	struct len_walk *h = NULL;
	struct buf sql = BUF_INIT;
	size_t cap = 0, k, live = 0, i, j;
	int rc = 0;

	if (set->nparts == 1)
		return stats_compute(set->part[0].s, where, by, out, err);
	memset(out, 0, sizeof *out);
	if (!col)
		return pv_errf(err, PV_EUSAGE, "cannot group by '%s' (origin, source, "
			       "generator, purpose, label, reviewer, file)", by);
	/* every shard's groups, then those of one value added up */
	for (k = 0; k < set->nparts; k++) {
		struct stats part;
		int sign = set->part[k].sign;
		if ((rc = stats_compute(set->part[k].s, where ? &where[k] : NULL, by,
					&part, err)))
			goto out;
		for (i = 0; i < part.ngroups; i++) {
			if (out->ngroups == cap) {
				cap = cap ? cap * 2 : 16;
				out->groups = pv_realloc(out->groups, cap * sizeof *out->groups);
			}
			part.groups[i].docs *= sign;
			part.groups[i].bytes *= sign;
			part.groups[i].words *= sign;
			out->groups[out->ngroups++] = part.groups[i];
			part.groups[i].value = NULL;
		}
		out->docs += sign * part.docs;
		out->bytes += sign * part.bytes;
		out->words += sign * part.words;
		stats_done(&part);
	}
	if (out->ngroups)
		pv_qsort(out->groups, out->ngroups, sizeof *out->groups, group_by_value);
	for (i = 0, j = 0; i < out->ngroups; i++) {
		if (j && strcmp(out->groups[j - 1].value, out->groups[i].value) == 0) {
			out->groups[j - 1].docs += out->groups[i].docs;
			out->groups[j - 1].bytes += out->groups[i].bytes;
			out->groups[j - 1].words += out->groups[i].words;
			free(out->groups[i].value);
			continue;
		}
		out->groups[j++] = out->groups[i];
	}
	out->ngroups = j;
	/* the groups the overlay emptied (every document relabelled away) */
	for (i = 0, j = 0; i < out->ngroups; i++) {
		if (out->groups[i].docs <= 0) {
			free(out->groups[i].value);
			continue;
		}
		out->groups[j++] = out->groups[i];
	}
	out->ngroups = j;
	/* the lengths of each group in order, merged from every shard: the
	 * median and p90 read off as they stream by, as stats.c does */
	h = pv_calloc(set->nparts, sizeof *h);
	for (k = 0; k < set->nparts; k++) {
		struct len_walk *w = &h[live];
		if (!set->part[k].listed)
			continue;
		w->s = set->part[k].s;
		w->p = &set->part[k];
		w->set = set;
		buf_reset(&sql);
		buf_printf(&sql, "SELECT coalesce(%s,''), t.len, d.id", col);
		store_from_joins(where ? &where[k] : NULL,
				 STORE_JOIN_TEXTS | STORE_JOIN_INPUTS, &sql);
		buf_printf(&sql, "WHERE %s ORDER BY 1, 2",
			   where && where[k].where ? where[k].where : "1");
		if ((rc = store_prep_where(w->s, &w->st, buf_str(&sql),
					   where ? &where[k] : NULL,
					   "computing statistics", err)))
			goto out;
		live++;
		if ((rc = len_step(w, err)) < 0)
			goto out;
		if (rc == 0) {
			sqlite3_finalize(w->st);
			live--;
		}
	}
	rc = 0;
	for (k = live / 2; k-- > 0; )
		len_down(h, live, k);
	{
		size_t gi = 0;
		int64_t at = 0;
		while (live && gi < out->ngroups) {
			struct stats_group *g = &out->groups[gi];
			int64_t len = h[0].len;
			if (at == (g->docs - 1) / 2)
				g->median = (double)len;
			else if (g->docs % 2 == 0 && at == g->docs / 2)
				g->median = (g->median + (double)len) / 2;
			if (at == pct_rank(g->docs, 0.9))
				g->p90 = len;
			if (++at == g->docs) {
				gi++;
				at = 0;
			}
			if ((rc = len_step(&h[0], err)) < 0)
				goto out;
			if (rc == 0) {
				sqlite3_finalize(h[0].st);
				h[0] = h[--live];
			}
			rc = 0;
			len_down(h, live, 0);
		}
	}
	if (out->ngroups > 1)
		pv_qsort(out->groups, out->ngroups, sizeof *out->groups, group_by_docs);
	if (strcmp(col, "i.path") == 0) {
		out->folder_by = true;
		out->folder = stats_common_folder(out);
	}
out:
	for (k = 0; k < live; k++)
		sqlite3_finalize(h[k].st);
	free(h);
	buf_done(&sql);
	return rc;
}
