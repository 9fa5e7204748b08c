/*
 * shard.c - a set's shards: the listing and its digest, a rank's files,
 * the rank from a scheduler's environment, the checks before a rank
 * indexes (world size, listing, the shard being built), and publishing
 * (seal, verify, move into the set, marker).  See shard.h.
 *
 * Owns nothing beyond its structs: every buffer is freed before return.
 */
#include "config.h"
#include "shard.h"
#include "pipeline.h"
#include "walk.h"
#include "../common/buf.h"
#include "../common/json.h"
#include "../store/store.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <xxhash.h>

/* ---- the listing ---- */

struct lister {
	struct shard_listing *l;
	size_t cap;
	struct pv_err *err;
	int rc;                     /* the first problem met */
};

static int list_add(void *ctx, const char *file)
{
	struct lister *ls = ctx;
	struct shard_listing *l = ls->l;

	if (strchr(file, '\n')) {
		ls->rc = pv_errf(ls->err, PV_EUSAGE, "'%s': a file name with a line "
				 "break cannot be part of a set's listing (one "
				 "path per line): rename it", file);
		return ls->rc;
	}
	if (l->n == ls->cap) {
		ls->cap = ls->cap ? ls->cap * 2 : 64;
		l->paths = pv_realloc(l->paths, ls->cap * sizeof *l->paths);
	}
	l->paths[l->n++] = pv_strdup(file);
	return 0;
}

/* A folder below an INPUT that cannot be read: another rank may read it,
 * and list other files; refused. */
static void list_warn(void *ctx, const struct pv_err *e)
{
	struct lister *ls = ctx;

	if (!ls->rc)
		ls->rc = pv_errf(ls->err, PV_EIO, "%s: every rank must list the "
				 "same files, so a set's inputs must all be "
				 "readable", e->msg);
}

static int list_walk(struct lister *ls, const char *input, const char *glob)
{
	struct pv_err e;
	int rc;

	if (strcmp(input, "-") == 0)
		return pv_errf(ls->err, PV_EUSAGE, "standard input (-) cannot be "
			       "part of a set: every rank must read the same "
			       "listing of files");
	rc = walk_inputs(input, glob, list_add, list_warn, ls, &e);
	if (ls->rc)
		return ls->rc;
	if (rc)
		return pv_errf(ls->err, rc, "%s", e.msg);
	return 0;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int shard_listing_make(struct shard_listing *l, const char *const *inputs,
		       size_t ninputs, const char *inputs_from, const char *glob,
		       struct pv_err *err)
{
	struct lister ls = { l, 0, err, 0 };
	XXH3_state_t *hs;
	XXH128_hash_t h;
	size_t i, k;
	int rc = 0;

	memset(l, 0, sizeof *l);
	for (i = 0; i < ninputs && !rc; i++)
		rc = list_walk(&ls, inputs[i], glob);
	if (!rc && inputs_from) {
		FILE *fp = fopen(inputs_from, "r");
		char *line = NULL;
		size_t cap = 0;
		ssize_t n;
		long no = 0;

		if (!fp)
			return pv_errf(err, PV_EIO, "--inputs-from %s: %s", inputs_from,
				       strerror(errno));
		while (!rc && (n = getline(&line, &cap, fp)) >= 0) {
			no++;
			if (n > 0 && line[n - 1] == '\n')
				line[--n] = '\0';
			if (n == 0)
				continue;
			if (line[n - 1] == '\r')
				rc = pv_errf(err, PV_EUSAGE, "--inputs-from %s: line %ld "
					     "ends with a carriage return (Windows line "
					     "ends): convert the file (dos2unix)",
					     inputs_from, no);
			else if ((size_t)n != strlen(line))
				rc = pv_errf(err, PV_EUSAGE, "--inputs-from %s: line %ld "
					     "holds a NUL byte", inputs_from, no);
			else
				rc = list_walk(&ls, line, glob);
		}
		if (!rc && ferror(fp))
			rc = pv_errf(err, PV_EIO, "--inputs-from %s: %s", inputs_from,
				     strerror(errno));
		free(line);
		fclose(fp);
	}
	if (rc)
		return rc;
	if (l->n == 0)
		return pv_errf(err, PV_EUSAGE, "no file to index: the INPUTs%s hold "
			       "no file%s", inputs_from ? " and --inputs-from" : "",
			       glob ? " matching --glob" : "");
	pv_qsort(l->paths, l->n, sizeof *l->paths, cmp_str);
	for (i = k = 0; i < l->n; i++) {
		if (k && strcmp(l->paths[k - 1], l->paths[i]) == 0) {
			free(l->paths[i]);
			continue;
		}
		l->paths[k++] = l->paths[i];
	}
	l->n = k;
	hs = XXH3_createState();
	if (!hs)
		return pv_errf(err, PV_ENOMEM, "cannot create a hash state");
	XXH3_128bits_reset(hs);
	for (i = 0; i < l->n; i++) {
		XXH3_128bits_update(hs, l->paths[i], strlen(l->paths[i]));
		XXH3_128bits_update(hs, "\n", 1);
	}
	h = XXH3_128bits_digest(hs);
	XXH3_freeState(hs);
	snprintf(l->digest, sizeof l->digest, "%016llx%016llx",
		 (unsigned long long)h.high64, (unsigned long long)h.low64);
	return 0;
}

void shard_listing_done(struct shard_listing *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		free(l->paths[i]);
	free(l->paths);
	memset(l, 0, sizeof *l);
}

/* ---- the rank ---- */

/* A decimal number of at most 18 digits, nothing else. */
static bool parse_num(const char *s, int64_t *v)
{
	int64_t x = 0;
	size_t n = 0;

	for (; s[n]; n++) {
		if (s[n] < '0' || s[n] > '9' || n >= 18)
			return false;
		x = x * 10 + (s[n] - '0');
	}
	*v = x;
	return n > 0;
}

int shard_rank_env(int64_t world, int64_t *rank, const char **from,
		   struct pv_err *err)
{
	static const char *const vars[] = { "PROVEX_RANK", "SLURM_ARRAY_TASK_ID",
		"SLURM_PROCID", "JOB_COMPLETION_INDEX", "PARALLEL_SEQ" };
	const char *v = NULL, *ntasks;
	int64_t x, nt;
	size_t i;

	for (i = 0; i < PV_ARRAY_LEN(vars); i++)
		if ((v = getenv(vars[i])))
			break;
	if (!v)
		return PV_ENOTFOUND;
	*from = vars[i];
	ntasks = getenv("SLURM_NTASKS");
	if (i == 1 && getenv("SLURM_PROCID") && ntasks && parse_num(ntasks, &nt) &&
	    nt > 1)
		return pv_errf(err, PV_EUSAGE, "SLURM_ARRAY_TASK_ID and SLURM_PROCID "
			       "are both set, with %lld tasks (SLURM_NTASKS): which "
			       "names the rank is not clear; pass --rank, e.g. --rank "
			       "$((SLURM_ARRAY_TASK_ID * SLURM_NTASKS + SLURM_PROCID)) "
			       "with --world-size the array's size times %lld",
			       (long long)nt, (long long)nt);
	if (!parse_num(v, &x))
		return pv_errf(err, PV_EUSAGE, "%s is '%s', not a rank (a whole "
			       "number from %d): pass --rank R, or set it right",
			       vars[i], v, i == 4 ? 1 : 0);
	if (i == 4) {               /* GNU parallel's job number: 1-based */
		if (x == 0)
			return pv_errf(err, PV_EUSAGE, "PARALLEL_SEQ is 0; GNU "
				       "parallel numbers jobs from 1 (rank = "
				       "PARALLEL_SEQ - 1): pass --rank R");
		x--;
	}
	if (x >= world)
		return pv_errf(err, PV_EUSAGE, "rank %lld (from %s%s) is outside 0..%lld "
			       "for --world-size %lld: number the tasks from 0 (a "
			       "Slurm array: --array=0-%lld), or pass --rank R",
			       (long long)x, vars[i], i == 4 ? " - 1" : "",
			       (long long)world - 1, (long long)world,
			       (long long)world - 1);
	*rank = x;
	return 0;
}

/* ---- a rank's shard ---- */

static char *shard_path(const char *dir, const char *sub, int64_t rank,
			int64_t world, const char *ext)
{
	struct buf b = BUF_INIT;

	buf_printf(&b, "%s%s/shard-%05lld-of-%05lld.%s", dir, sub, (long long)rank,
		   (long long)world, ext);
	return buf_take(&b);
}

void shard_init(struct shard *sh, const char *set, const char *local,
		int64_t rank, int64_t world, const struct shard_listing *l)
{
	size_t p;

	memset(sh, 0, sizeof *sh);
	sh->rank = rank;
	sh->world = world;
	sh->set = pv_strdup(set);
	sh->building = shard_path(set, "/.building", rank, world, "pvx");
	sh->build = local ? shard_path(local, "", rank, world, "pvx")
			  : pv_strdup(sh->building);
	sh->published = shard_path(set, "", rank, world, "pvx");
	sh->marker = shard_path(set, "", rank, world, "done");
	sh->files = pv_calloc(l->n / (size_t)world + 1, sizeof *sh->files);
	sh->positions = pv_calloc(l->n / (size_t)world + 1, sizeof *sh->positions);
	for (p = (size_t)rank; p < l->n; p += (size_t)world) {
		sh->files[sh->nfiles] = l->paths[p];
		sh->positions[sh->nfiles++] = (int64_t)p;
	}
}

void shard_done(struct shard *sh)
{
	free(sh->set);
	free(sh->building);
	free(sh->build);
	free(sh->published);
	free(sh->marker);
	free(sh->files);
	free(sh->positions);
	memset(sh, 0, sizeof *sh);
}

/* A shard file's or marker's name: shard-R-of-N.pvx or .done. */
static bool parse_name(const char *name, int64_t *rank, int64_t *world)
{
	const char *p = name;
	char *end;

	if (strncmp(p, "shard-", 6) != 0)
		return false;
	p += 6;
	if (*p < '0' || *p > '9')
		return false;
	*rank = strtoll(p, &end, 10);
	if (strncmp(end, "-of-", 4) != 0 || end[4] < '0' || end[4] > '9')
		return false;
	*world = strtoll(end + 4, &end, 10);
	return strcmp(end, ".pvx") == 0 || strcmp(end, ".done") == 0;
}

/* What a marker says (the fields checked). */
struct marker {
	int64_t world, listing_files, docs;
	char listing[33];
};

/* A number field of our own one-line JSON. */
static bool marker_num(const char *s, const char *key, int64_t *v)
{
	const char *p = strstr(s, key);

	if (!p)
		return false;
	p += strlen(key);
	if (*p < '0' || *p > '9')
		return false;
	*v = strtoll(p, NULL, 10);
	return true;
}

static int marker_read(const char *path, struct marker *m, struct pv_err *err)
{
	char text[4096];
	const char *p;
	FILE *fp = fopen(path, "r");
	size_t n;

	if (!fp)
		return pv_errf(err, PV_EIO, "%s: %s", path, strerror(errno));
	n = fread(text, 1, sizeof text - 1, fp);
	fclose(fp);
	text[n] = '\0';
	p = strstr(text, "\"listing\":\"");
	if (strncmp(text, "{\"provex_shard\":1,", 18) != 0 || !p ||
	    strlen(p + 11) < 33 || p[11 + 32] != '"' ||
	    !marker_num(text, "\"world_size\":", &m->world) ||
	    !marker_num(text, "\"listing_files\":", &m->listing_files) ||
	    !marker_num(text, "\"docs\":", &m->docs))
		return pv_errf(err, PV_ESTORE, "%s: not a provex shard marker (or "
			       "damaged): remove it and its shard to build that "
			       "rank again", path);
	memcpy(m->listing, p + 11, 32);
	m->listing[32] = '\0';
	return 0;
}

/* The refusal of a set made from another listing. */
static int other_listing(const struct shard *sh, const struct shard_listing *l,
			 const char *what, int64_t then, struct pv_err *err)
{
	return pv_errf(err, PV_EINVAL, "%s was made from another listing of "
		       "files (%lld files then, %zu now%s): a set's shards must "
		       "all come from one listing.  Index the new files into a "
		       "new set folder, or remove %s to build the set again",
		       what, (long long)then, l->n, then == (int64_t)l->n ?
		       ", other names" : "", sh->set);
}

/* Refuses a set holding shards of another world size; *other: the name of
 * another rank's marker of this world size (owned, NULL when none). */
static int scan_set(const struct shard *sh, const char *dir, char **other,
		    struct pv_err *err)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	int64_t r, n;
	int rc = 0;

	if (!d)
		return errno == ENOENT ? 0 : pv_errf(err, PV_EIO, "%s: %s", dir,
						     strerror(errno));
	while (!rc && (de = readdir(d))) {
		if (!parse_name(de->d_name, &r, &n))
			continue;
		if (n != sh->world)
			rc = pv_errf(err, PV_EINVAL, "%s/%s is a shard of a set of %lld "
				     "(this run says --world-size %lld): a set's "
				     "shards all have one world size.  Index into a "
				     "new set folder, or remove %s to build the set "
				     "again", dir, de->d_name, (long long)n,
				     (long long)sh->world, sh->set);
		else if (other && !*other && r != sh->rank &&
			 strstr(de->d_name, ".done")) {
			struct buf b = BUF_INIT;
			buf_printf(&b, "%s/%s", dir, de->d_name);
			*other = buf_take(&b);
		}
	}
	closedir(d);
	return rc;
}

static int make_dir(const char *path, struct pv_err *err)
{
	struct stat st;

	if (mkdir(path, 0777) == 0)
		return 0;
	if (errno == EEXIST && stat(path, &st) == 0 && S_ISDIR(st.st_mode))
		return 0;
	if (errno == EEXIST)
		return pv_errf(err, PV_EUSAGE, "%s exists and is not a folder: with "
			       "--world-size, the store is a set's folder", path);
	return pv_errf(err, PV_EIO, "%s: cannot make the folder: %s", path,
		       strerror(errno));
}

/* The shard to build: created with its meta keys, or checked to be this
 * rank's of this listing. */
static int open_build(struct shard *sh, const struct shard_listing *l,
		      struct pv_err *err)
{
	static const char *const keys[] = { "shard.listing", "shard.world_size",
					    "shard.rank", "shard.listing_files" };
	struct store *s = NULL;
	struct buf v = BUF_INIT, want[4] = { BUF_INIT, BUF_INIT, BUF_INIT, BUF_INIT };
	bool found, has;
	size_t i;
	int rc;

	buf_puts(&want[0], l->digest);
	buf_printf(&want[1], "%lld", (long long)sh->world);
	buf_printf(&want[2], "%lld", (long long)sh->rank);
	buf_printf(&want[3], "%zu", l->n);
	if ((rc = store_open(&s, sh->build, STORE_CREATE, err)))
		goto out;
	if ((rc = store_meta_get(s, keys[0], &v, &found, err)))
		goto out;
	if (!found) {
		if ((rc = store_has_docs(s, &has, err)))
			goto out;
		if (has) {
			rc = pv_errf(err, PV_EINVAL, "%s: a store that is not a "
				     "shard (no shard.listing in its meta table): "
				     "move it away", sh->build);
			goto out;
		}
		for (i = 0; i < 4 && !rc; i++)
			rc = store_meta_set(s, keys[i], buf_str(&want[i]), err);
		goto out;
	}
	if (strcmp(buf_str(&v), l->digest) != 0) {
		int64_t then = -1;
		if (store_meta_get(s, keys[3], &v, &found, NULL) == 0 && found)
			then = strtoll(buf_str(&v), NULL, 10);
		rc = other_listing(sh, l, sh->build, then, err);
		goto out;
	}
	for (i = 1; i < 3 && !rc; i++) {
		if ((rc = store_meta_get(s, keys[i], &v, &found, err)))
			break;
		if (!found || strcmp(buf_str(&v), buf_str(&want[i])) != 0)
			rc = pv_errf(err, PV_EINVAL, "%s: its %s is %s, not %s: it "
				     "is not this rank's shard; remove it to build "
				     "the rank again", sh->build, keys[i],
				     found ? buf_str(&v) : "missing",
				     buf_str(&want[i]));
	}
out:
	store_close(s);
	buf_done(&v);
	for (i = 0; i < 4; i++)
		buf_done(&want[i]);
	return rc;
}

int shard_prepare(struct shard *sh, const struct shard_listing *l,
		  bool *complete, int64_t *docs, struct pv_err *err)
{
	struct buf dir = BUF_INIT;
	struct marker m;
	char *other = NULL;
	int rc;

	*complete = false;
	*docs = 0;
	buf_printf(&dir, "%s/.building", sh->set);
	if ((rc = make_dir(sh->set, err)) ||
	    (rc = scan_set(sh, sh->set, &other, err)) ||
	    (rc = scan_set(sh, buf_str(&dir), NULL, err)))
		goto out;
	if (access(sh->marker, F_OK) == 0) {
		if ((rc = marker_read(sh->marker, &m, err)))
			goto out;
		if (strcmp(m.listing, l->digest) != 0) {
			rc = other_listing(sh, l, sh->marker, m.listing_files, err);
			goto out;
		}
		if (access(sh->published, F_OK) != 0) {
			rc = pv_errf(err, PV_ESTORE, "%s is there but not its shard "
				     "%s: remove the marker to build the rank "
				     "again", sh->marker, sh->published);
			goto out;
		}
		*complete = true;
		*docs = m.docs;
		goto out;
	}
	if (other) {
		if ((rc = marker_read(other, &m, err)))
			goto out;
		if (strcmp(m.listing, l->digest) != 0) {
			rc = other_listing(sh, l, other, m.listing_files, err);
			goto out;
		}
	}
	if ((rc = make_dir(buf_str(&dir), err)))
		goto out;
	/* moved into the set but stopped before its marker: not part of
	 * the set; built again from where it is (a rerun adds nothing) */
	if (access(sh->published, F_OK) == 0) {
		if (rename(sh->published, sh->building) != 0) {
			rc = pv_errf(err, PV_EIO, "%s: cannot move it back to %s: %s",
				     sh->published, sh->building, strerror(errno));
			goto out;
		}
		free(sh->build);
		sh->build = pv_strdup(sh->building);
	}
	if (strcmp(sh->build, sh->building) != 0) {
		char *ld = pv_dirname(sh->build);
		rc = make_dir(ld, err);
		free(ld);
		if (rc)
			goto out;
	}
	rc = open_build(sh, l, err);
out:
	free(other);
	buf_done(&dir);
	return rc;
}

/* ---- publishing ---- */

static int sync_dir(const char *dir, struct pv_err *err)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd < 0 || fsync(fd) != 0) {
		int e = errno;
		if (fd >= 0)
			close(fd);
		return pv_errf(err, PV_EIO, "%s: cannot sync the folder: %s", dir,
			       strerror(e));
	}
	close(fd);
	return 0;
}

/* Copies from into to (created), synced. */
static int copy_file(const char *from, const char *to, struct pv_err *err)
{
	char *blk = pv_malloc(1u << 20);
	int in = open(from, O_RDONLY | O_CLOEXEC), out = -1, rc = 0;
	ssize_t n;

	if (in < 0) {
		rc = pv_errf(err, PV_EIO, "%s: %s", from, strerror(errno));
		goto done;
	}
	out = open(to, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
	if (out < 0) {
		rc = pv_errf(err, PV_EIO, "%s: %s", to, strerror(errno));
		goto done;
	}
	while ((n = read(in, blk, 1u << 20)) != 0) {
		char *p = blk;
		if (n < 0) {
			if (errno == EINTR)
				continue;
			rc = pv_errf(err, PV_EIO, "%s: %s", from, strerror(errno));
			goto done;
		}
		while (n > 0) {
			ssize_t w = write(out, p, (size_t)n);
			if (w < 0 && errno == EINTR)
				continue;
			if (w < 0) {
				rc = pv_errf(err, PV_EIO, "%s: %s", to, strerror(errno));
				goto done;
			}
			p += w;
			n -= w;
		}
	}
	if (fsync(out) != 0)
		rc = pv_errf(err, PV_EIO, "%s: %s", to, strerror(errno));
done:
	if (in >= 0)
		close(in);
	if (out >= 0 && close(out) != 0 && !rc)
		rc = pv_errf(err, PV_EIO, "%s: %s", to, strerror(errno));
	if (rc && out >= 0)
		unlink(to);
	free(blk);
	return rc;
}

/* Seals and verifies the shard at sh->build. */
static int seal(struct shard *sh, struct shard_published *out, struct pv_err *err)
{
	struct store_sealed c;
	struct store *s = NULL;
	struct buf side = BUF_INIT;
	int rc;

	if ((rc = store_open(&s, sh->build, STORE_WRITE, err)))
		return rc;
	rc = store_seal(s, INDEX_ID_STRIDE, sh->world, sh->rank, &c, err);
	store_close(s);
	/* journal mode DELETE: nothing is left in them */
	buf_printf(&side, "%s-wal", sh->build);
	unlink(buf_str(&side));
	buf_reset(&side);
	buf_printf(&side, "%s-shm", sh->build);
	unlink(buf_str(&side));
	buf_done(&side);
	if (rc)
		return rc;
	if (c.inputs != (int64_t)sh->nfiles || c.inputs_done != (int64_t)sh->nfiles)
		return pv_errf(err, PV_ESTORE, "%s: not published: it holds %lld "
			       "inputs (%lld read to the end) for this rank's %zu "
			       "files (two paths of the listing may name one file)",
			       sh->build, (long long)c.inputs, (long long)c.inputs_done,
			       sh->nfiles);
	if (c.ids_outside)
		return pv_errf(err, PV_ESTORE, "%s: not published: %lld documents "
			       "have ids that are not this rank's", sh->build,
			       (long long)c.ids_outside);
	if (!c.runs_open && c.added != c.docs)
		return pv_errf(err, PV_ESTORE, "%s: not published: it holds %lld "
			       "documents, and its runs say they added %lld",
			       sh->build, (long long)c.docs, (long long)c.added);
	out->docs = c.docs;
	out->texts = c.texts;
	return 0;
}

static int write_marker(const struct shard *sh, const struct shard_listing *l,
			const struct shard_published *p, struct pv_err *err)
{
	struct buf js = BUF_INIT, tmp = BUF_INIT;
	char host[256] = "", when[32];
	time_t now = time(NULL);
	struct tm tm;
	FILE *fp;
	int rc = 0;

	if (gethostname(host, sizeof host - 1) != 0)
		host[0] = '\0';
	gmtime_r(&now, &tm);
	strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &tm);
	buf_printf(&js, "{\"provex_shard\":1,\"rank\":%lld,\"world_size\":%lld,"
		   "\"listing\":\"%s\",\"listing_files\":%zu,\"files\":%zu,"
		   "\"docs\":%lld,\"texts\":%lld,\"bytes\":%lld,\"finished\":\"%s\","
		   "\"host\":", (long long)sh->rank, (long long)sh->world,
		   l->digest, l->n, sh->nfiles, (long long)p->docs,
		   (long long)p->texts, (long long)p->bytes, when);
	json_put_string(&js, host, strlen(host));
	buf_puts(&js, "}\n");
	buf_printf(&tmp, "%s.tmp-%ld", sh->marker, (long)getpid());
	fp = fopen(buf_str(&tmp), "w");
	if (!fp || fwrite(js.data, 1, js.len, fp) != js.len || fflush(fp) != 0 ||
	    fsync(fileno(fp)) != 0) {
		rc = pv_errf(err, PV_EIO, "%s: cannot write the marker: %s",
			     buf_str(&tmp), strerror(errno));
		if (fp)
			fclose(fp);
		unlink(buf_str(&tmp));
		goto out;
	}
	if (fclose(fp) != 0 || rename(buf_str(&tmp), sh->marker) != 0) {
		rc = pv_errf(err, PV_EIO, "%s: cannot write the marker: %s",
			     sh->marker, strerror(errno));
		unlink(buf_str(&tmp));
		goto out;
	}
	rc = sync_dir(sh->set, err);
out:
	buf_done(&js);
	buf_done(&tmp);
	return rc;
}

int shard_publish(struct shard *sh, const struct shard_listing *l,
		  struct shard_published *out, struct pv_err *err)
{
	struct buf tmp = BUF_INIT, dir = BUF_INIT;
	bool local = strcmp(sh->build, sh->building) != 0;
	struct stat st;
	int rc;

	memset(out, 0, sizeof *out);
	if ((rc = seal(sh, out, err)))
		goto out;
	buf_printf(&dir, "%s/.building", sh->set);
	if (local) {                /* into the set as a temp file, then in place */
		buf_printf(&tmp, "%s.tmp-%ld", sh->building, (long)getpid());
		if ((rc = copy_file(sh->build, buf_str(&tmp), err)))
			goto out;
		if (rename(buf_str(&tmp), sh->building) != 0) {
			rc = pv_errf(err, PV_EIO, "%s: %s", sh->building, strerror(errno));
			unlink(buf_str(&tmp));
			goto out;
		}
	}
	if (rename(sh->building, sh->published) != 0) {
		rc = pv_errf(err, PV_EIO, "%s: cannot move it into the set: %s",
			     sh->building, strerror(errno));
		goto out;
	}
	if ((rc = sync_dir(sh->set, err)))
		goto out;
	if (stat(sh->published, &st) == 0)
		out->bytes = (int64_t)st.st_size;
	if ((rc = write_marker(sh, l, out, err)))
		goto out;
	if (local)
		unlink(sh->build);
	rmdir(buf_str(&dir));       /* when no other rank builds there */
out:
	buf_done(&tmp);
	buf_done(&dir);
	return rc;
}
