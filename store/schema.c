/*
 * schema.c - the store's schema, created in one transaction and migrated on
 * PRAGMA user_version.  The README documents every table and column; keep
 * the two in step.
 *
 * Design notes:
 *  - texts holds each distinct text once (XXH3-128 of its bytes), compressed
 *    on its own; docs holds every occurrence with its provenance, so exact
 *    duplicates cost one row, never a second body.
 *  - fts is a contentless FTS5 table keyed by texts.id.  Contentless because
 *    the text is already stored (compressed) in texts.body: an external
 *    content table would need a decompressing function at query time for
 *    snippets, while provex highlights matches itself; a contentless index
 *    stores only the index.  detail=none, columnsize=0: see store_int.h and
 *    ftsterms.h.
 */
#include "store_int.h"
#include "ftsscheme.h"

#include <string.h>

/* The base tables; docs already holds the version-2 review columns (a
 * version-1 store gets them from schema_migrate, at the same place: after
 * meta). */
static const char *const schema_base =
	"CREATE TABLE IF NOT EXISTS meta(\n"
	"  key TEXT PRIMARY KEY,\n"
	"  value TEXT\n"
	") WITHOUT ROWID;\n"
	"CREATE TABLE IF NOT EXISTS dicts(\n"
	"  id INTEGER PRIMARY KEY,\n"
	"  created TEXT NOT NULL,\n"
	"  nsamples INTEGER NOT NULL,\n"
	"  sample_bytes INTEGER NOT NULL,\n"
	"  data BLOB NOT NULL\n"
	");\n"
	"CREATE TABLE IF NOT EXISTS runs(\n"
	"  id INTEGER PRIMARY KEY,\n"
	"  started TEXT NOT NULL,\n"
	"  finished TEXT,\n"
	"  command TEXT NOT NULL,\n"
	"  summary TEXT\n"
	");\n"
	"CREATE TABLE IF NOT EXISTS inputs(\n"
	"  id INTEGER PRIMARY KEY,\n"
	"  path TEXT NOT NULL,\n"
	"  options TEXT NOT NULL,\n"
	"  name TEXT NOT NULL,\n"
	"  size INTEGER,\n"
	"  mtime INTEGER,\n"
	"  done INTEGER NOT NULL DEFAULT 0,\n"
	"  records INTEGER,\n"
	"  UNIQUE(path, options)\n"
	");\n"
	"CREATE TABLE IF NOT EXISTS texts(\n"
	"  id INTEGER PRIMARY KEY,\n"
	"  hash BLOB NOT NULL,\n"
	"  len INTEGER NOT NULL,\n"
	"  words INTEGER NOT NULL,\n"
	"  nocc INTEGER NOT NULL DEFAULT 1,\n"
	"  dict_id INTEGER REFERENCES dicts(id),\n"
	"  body BLOB NOT NULL\n"
	");\n"
	"CREATE TABLE IF NOT EXISTS docs(\n"
	"  id INTEGER PRIMARY KEY,\n"
	"  text_id INTEGER NOT NULL REFERENCES texts(id),\n"
	"  input_id INTEGER NOT NULL REFERENCES inputs(id),\n"
	"  rec INTEGER NOT NULL,\n"
	"  run_id INTEGER REFERENCES runs(id),\n"
	"  ext_id TEXT NOT NULL,\n"
	"  origin TEXT NOT NULL CHECK (origin IN ('real','synthetic','unknown')),\n"
	"  source TEXT,\n"
	"  generator TEXT,\n"
	"  purpose TEXT,\n"
	"  meta TEXT,\n"
	"  label TEXT,\n"
	"  note TEXT,\n"
	"  reviewer TEXT,\n"
	"  reviewed_at TEXT,\n"
	"  len INTEGER NOT NULL DEFAULT 0\n"
	");\n"
	/* a named index rather than a UNIQUE column: a first load drops it
	 * and builds it at its end (see deferred below); stores made before
	 * have sqlite_autoindex_texts_1 instead, which cannot be dropped */
	"CREATE UNIQUE INDEX IF NOT EXISTS texts_hash ON texts(hash);\n"
	"CREATE UNIQUE INDEX IF NOT EXISTS docs_occurrence ON docs(input_id, rec, text_id);\n"
	"CREATE INDEX IF NOT EXISTS docs_text ON docs(text_id);\n"
	"CREATE INDEX IF NOT EXISTS docs_ext ON docs(ext_id);\n"
	"CREATE INDEX IF NOT EXISTS docs_generator ON docs(generator);\n"
	"CREATE INDEX IF NOT EXISTS docs_purpose ON docs(purpose);\n"
	"CREATE VIRTUAL TABLE IF NOT EXISTS fts USING fts5(text, content='', "
	"  detail=" STORE_FTS_DETAIL ", columnsize=0, "
	"  tokenize='unicode61 remove_diacritics 2');\n"
	/* bigger in-memory segments: fewer merges while indexing in bulk */
	"INSERT INTO fts(fts, rank) VALUES('hashsize', 8388608);\n"
	"INSERT INTO fts(fts, rank) VALUES('automerge', " STORE_FTS_MERGE ");\n";

/* Version 2: review state (docs.label, note, reviewer, reviewed_at) and the
 * append-only audit history of every change, grouped in batches (one per
 * command; an undo is a batch whose undoes names the batch it reverts).
 * Index-time provenance is not copied into history: it is the old value of
 * a document's first history row for a field, or the docs row itself when
 * that field never changed (see label.c, label_indexed). */
static const char *const schema_v2 =
	"CREATE TABLE IF NOT EXISTS batches(\n"
	"  id INTEGER PRIMARY KEY,\n"
	"  created TEXT NOT NULL,\n"
	"  reviewer TEXT NOT NULL,\n"
	"  command TEXT NOT NULL,\n"
	"  note TEXT,\n"
	"  undoes INTEGER REFERENCES batches(id)\n"
	");\n"
	"CREATE TABLE IF NOT EXISTS history(\n"
	"  id INTEGER PRIMARY KEY,\n"
	"  batch_id INTEGER NOT NULL REFERENCES batches(id),\n"
	"  doc_id INTEGER NOT NULL,\n"
	"  field TEXT NOT NULL,\n"
	"  old TEXT,\n"
	"  new TEXT,\n"
	"  reviewer TEXT NOT NULL,\n"
	"  at TEXT NOT NULL,\n"
	"  note TEXT\n"
	");\n"
	"CREATE INDEX IF NOT EXISTS history_doc ON history(doc_id);\n"
	"CREATE INDEX IF NOT EXISTS history_batch ON history(batch_id);\n"
	"CREATE INDEX IF NOT EXISTS batches_undoes ON batches(undoes);\n"
	"CREATE INDEX IF NOT EXISTS docs_label ON docs(label);\n"
	/* docs.len copies texts.len so that counting by origin or source and
	 * length is answered from an index alone */
	"CREATE INDEX IF NOT EXISTS docs_origin_len ON docs(origin, len);\n"
	"CREATE INDEX IF NOT EXISTS docs_source_len ON docs(source, len);\n";

/* Version 3: what the interface keeps between sessions, the filters given
 * (newest last, at most 1000 kept: see browse.c) and filters saved by
 * name; an index on docs.len, so that a page of documents sorted by
 * length is an index walk from its key, not a sort of the whole store; and
 * the planner's statistics (sqlite_stat1; store_stats_refresh in store.c
 * keeps those of every table the queries join). */
static const char *const schema_v3 =
	"CREATE TABLE IF NOT EXISTS filter_history(\n"
	"  id INTEGER PRIMARY KEY,\n"
	"  filter TEXT NOT NULL,\n"
	"  at TEXT NOT NULL\n"
	");\n"
	"CREATE TABLE IF NOT EXISTS saved_filters(\n"
	"  name TEXT PRIMARY KEY,\n"
	"  filter TEXT NOT NULL,\n"
	"  saved_at TEXT NOT NULL\n"
	");\n"
	"CREATE INDEX IF NOT EXISTS docs_len ON docs(len);\n";

/* Version 4: real against synthetic.
 *  pairs       two documents that belong together: declared at index time
 *              (--pair-field: the same value of a field) or found by
 *              provex pairs (MinHash near-duplicates), with the estimated
 *              Jaccard similarity of their word shingles.  a < b.
 *  minhash     each text's MinHash signature, so that provex pairs only
 *              computes those of new texts (incremental).
 *  review_sessions, review_answers
 *              blind review (provex review): every answer with the hidden
 *              truth, the side shown, the time taken and the reviewer.
 *  detect_runs, scores
 *              provex detect: each run's settings and results, and each
 *              document's out-of-fold score (the probability that it is
 *              synthetic) from the latest run that scored it. */
static const char *const schema_v4 =
	"CREATE TABLE IF NOT EXISTS pairs(\n"
	"  id INTEGER PRIMARY KEY,\n"
	"  a INTEGER NOT NULL,\n"
	"  b INTEGER NOT NULL,\n"
	"  kind TEXT NOT NULL CHECK (kind IN ('declared','found')),\n"
	"  sim REAL,\n"
	"  key TEXT,\n"
	"  run_id INTEGER,\n"
	"  CHECK (a < b),\n"
	"  UNIQUE (a, b, kind)\n"
	");\n"
	"CREATE INDEX IF NOT EXISTS pairs_b ON pairs(b);\n"
	"CREATE TABLE IF NOT EXISTS minhash(\n"
	"  text_id INTEGER PRIMARY KEY,\n"
	"  sig BLOB NOT NULL\n"
	");\n"
	"CREATE TABLE IF NOT EXISTS review_sessions(\n"
	"  id INTEGER PRIMARY KEY,\n"
	"  reviewer TEXT NOT NULL,\n"
	"  mode TEXT NOT NULL CHECK (mode IN ('pairs','single')),\n"
	"  filter TEXT NOT NULL,\n"
	"  seed INTEGER NOT NULL,\n"
	"  started TEXT NOT NULL,\n"
	"  finished TEXT\n"
	");\n"
	"CREATE TABLE IF NOT EXISTS review_answers(\n"
	"  id INTEGER PRIMARY KEY,\n"
	"  session_id INTEGER NOT NULL,\n"
	"  reviewer TEXT NOT NULL,\n"
	"  item INTEGER NOT NULL,\n"
	"  left_doc INTEGER NOT NULL,\n"
	"  right_doc INTEGER,\n"
	"  truth TEXT NOT NULL,\n"
	"  answer TEXT NOT NULL,\n"
	"  correct INTEGER,\n"
	"  ms INTEGER NOT NULL,\n"
	"  at TEXT NOT NULL,\n"
	"  UNIQUE (session_id, item)\n"
	");\n"
	"CREATE INDEX IF NOT EXISTS review_answers_left ON review_answers(left_doc);\n"
	"CREATE INDEX IF NOT EXISTS review_answers_right ON review_answers(right_doc);\n"
	/* a vote: in pairs mode the document said to be synthetic, in single
	 * mode -1 (synthetic) or -2 (real); a pair is (lo, hi) whatever side
	 * each was shown on */
	"CREATE VIEW IF NOT EXISTS review_votes AS\n"
	"  SELECT min(left_doc, coalesce(right_doc, left_doc)) AS lo,\n"
	"         max(left_doc, coalesce(right_doc, left_doc)) AS hi, reviewer,\n"
	"         CASE answer WHEN 'left' THEN left_doc WHEN 'right' THEN right_doc\n"
	"                     WHEN 'synthetic' THEN -1 WHEN 'real' THEN -2 END AS said\n"
	"  FROM review_answers WHERE answer IN ('left','right','real','synthetic');\n"
	/* documents whose votes differ (is:disputed) */
	"CREATE VIEW IF NOT EXISTS review_disputed AS\n"
	"  SELECT lo AS doc FROM review_votes GROUP BY lo, hi HAVING count(DISTINCT said) > 1\n"
	"  UNION SELECT hi FROM review_votes GROUP BY lo, hi HAVING count(DISTINCT said) > 1;\n"
	"CREATE TABLE IF NOT EXISTS detect_runs(\n"
	"  id INTEGER PRIMARY KEY,\n"
	"  at TEXT NOT NULL,\n"
	"  filter TEXT NOT NULL,\n"
	"  settings TEXT NOT NULL,\n"
	"  summary TEXT\n"
	");\n"
	"CREATE TABLE IF NOT EXISTS scores(\n"
	"  doc_id INTEGER PRIMARY KEY,\n"
	"  score REAL NOT NULL,\n"
	"  run_id INTEGER NOT NULL\n"
	");\n";

/* Version 5: an input's identity is also its content (hash: XXH3-128 of
 * its bytes, hex), and the provenance options its documents were labelled
 * with are kept (prov, JSON) so that a run with other ones can say how
 * many stored documents differ.  NULL in inputs of older stores: such an
 * input is read again once (records already stored are kept). */
static const char *const schema_v5 =
	"ALTER TABLE inputs ADD COLUMN hash TEXT;\n"
	"ALTER TABLE inputs ADD COLUMN prov TEXT;\n";

/* Version 6: a detect run's model, kept for detect --apply (model: the
 * bytes of detmodel.c; max_doc: the highest document id when the run read
 * the store; platt_a, platt_b: its calibration; threshold_1, threshold_5:
 * its scores at 1% and 5% false positives), and which model gave each
 * score (pooled: the run's out-of-fold score; applied: its saved model's,
 * by detect --apply), and a synthetic document's probability by its
 * group's own model (own; NULL when it has none). */
static const char *const schema_v6_table =
	"CREATE TABLE IF NOT EXISTS detect_models(\n"
	"  run_id INTEGER PRIMARY KEY,\n"
	"  kind TEXT NOT NULL,\n"
	"  max_doc INTEGER NOT NULL,\n"
	"  platt_a REAL NOT NULL,\n"
	"  platt_b REAL NOT NULL,\n"
	"  threshold_1 REAL,\n"
	"  threshold_5 REAL,\n"
	"  model BLOB NOT NULL\n"
	");\n";
/* ... and the columns of scores it adds (each only where missing: see
 * schema_v6) */
static const char *const schema_v6_columns[][2] = {
	{ "model", "ALTER TABLE scores ADD COLUMN model TEXT NOT NULL DEFAULT 'pooled'" },
	{ "own", "ALTER TABLE scores ADD COLUMN own REAL" },
};

/* Version 6's table and columns, each added only where it is missing, so
 * that a store whose user_version was set back by hand upgrades too. */
static int schema_v6(sqlite3 *db, struct pv_err *err)
{
	size_t i;
	int rc;

	if ((rc = store_exec(db, schema_v6_table, err)))
		return rc;
	for (i = 0; i < PV_ARRAY_LEN(schema_v6_columns); i++) {
		int64_t has = 0;
		if (store_q_int64(db, "SELECT count(*) FROM pragma_table_info('scores') "
				  "WHERE name = ?1", schema_v6_columns[i][0], &has) != SQLITE_OK)
			return pv_errf(err, PV_ESTORE, "reading the columns of scores: %s",
				       sqlite3_errmsg(db));
		if (!has && (rc = store_exec(db, schema_v6_columns[i][1], err)))
			return rc;
	}
	return 0;
}

static const char *const migrate_v1_v2 =
	"ALTER TABLE docs ADD COLUMN label TEXT;\n"
	"ALTER TABLE docs ADD COLUMN note TEXT;\n"
	"ALTER TABLE docs ADD COLUMN reviewer TEXT;\n"
	"ALTER TABLE docs ADD COLUMN reviewed_at TEXT;\n"
	"ALTER TABLE docs ADD COLUMN len INTEGER NOT NULL DEFAULT 0;\n"
	"UPDATE docs SET len=(SELECT len FROM texts WHERE texts.id=docs.text_id);\n"
	"DROP INDEX IF EXISTS docs_origin;\n"
	"DROP INDEX IF EXISTS docs_source;\n";

/* Indexes of docs that no statement of an index run reads, and whose keys
 * come in random order (ext ids, lengths): a run into an empty store drops
 * them and builds each at its end in one sort, instead of a descent to a
 * random leaf per row (a page miss each, once they outgrow the cache).  A run
 * interrupted before that leaves them to the next run (schema_build_indexes
 * makes whichever is missing).  Each entry is the name, then the rest of
 * its CREATE INDEX, as the schema scripts above create it. */
static const char *const deferred[][2] = {
	/* texts by hash: the one index adding reads.  While it is missing an
	 * index run finds texts through store/texthash.c (the hash is random:
	 * kept up to date row by row, this index made a run's time grow with
	 * the square of its size).  Not in stores whose texts.hash is a
	 * UNIQUE column (made before): see texts_hash_form. */
	{ "texts_hash", "texts(hash)" },
	{ "docs_ext", "docs(ext_id)" },
	/* docs.len copies texts.len so that counting by origin or source
	 * and length is answered from an index alone */
	{ "docs_origin_len", "docs(origin, len)" },
	{ "docs_source_len", "docs(source, len)" },
	{ "docs_len", "docs(len)" },
};

/* Whether deferred index i applies to this store: texts_hash only where
 * texts.hash has no UNIQUE constraint of its own (sqlite_autoindex_texts_1,
 * stores made before it was named). */
static bool applies(sqlite3 *db, size_t i)
{
	int64_t n = 0;

	if (strcmp(deferred[i][0], "texts_hash") != 0)
		return true;
	return store_q_int64(db, "SELECT count(*) FROM sqlite_master WHERE "
			     "name='sqlite_autoindex_texts_1'", NULL, &n) == SQLITE_OK &&
	       n == 0;
}

int schema_defer_indexes(sqlite3 *db, struct pv_err *err)
{
	char sql[128];
	size_t i;
	int rc;

	for (i = 0; i < PV_ARRAY_LEN(deferred); i++) {
		snprintf(sql, sizeof sql, "DROP INDEX IF EXISTS %s", deferred[i][0]);
		if ((rc = store_exec(db, sql, err)))
			return rc;
	}
	return 0;
}

int schema_missing_indexes(sqlite3 *db, int *missing)
{
	size_t i;

	*missing = 0;
	for (i = 0; i < PV_ARRAY_LEN(deferred); i++) {
		sqlite3_stmt *st;
		if (!applies(db, i))
			continue;
		int rc = sqlite3_prepare_v2(db, "SELECT 1 FROM sqlite_master WHERE "
					    "type='index' AND name=?1", -1, &st, NULL);
		if (rc != SQLITE_OK)
			return rc;
		sqlite3_bind_text(st, 1, deferred[i][0], -1, SQLITE_STATIC);
		rc = sqlite3_step(st);
		sqlite3_finalize(st);
		if (rc == SQLITE_DONE)
			++*missing;
		else if (rc != SQLITE_ROW)
			return rc;
	}
	return SQLITE_OK;
}

int schema_texts_unindexed(sqlite3 *db, bool *unindexed)
{
	int64_t n = 0;
	int rc = store_q_int64(db, "SELECT count(*) FROM sqlite_master WHERE "
			       "type='index' AND tbl_name='texts'", NULL, &n);

	*unindexed = rc == SQLITE_OK && n == 0;
	return rc;
}

int schema_build_indexes(sqlite3 *db, struct pv_err *err)
{
	char sql[160];
	size_t i;
	int rc;

	for (i = 0; i < PV_ARRAY_LEN(deferred); i++) {
		if (!applies(db, i))
			continue;
		snprintf(sql, sizeof sql, "CREATE %sINDEX IF NOT EXISTS %s ON %s",
			 strcmp(deferred[i][0], "texts_hash") == 0 ? "UNIQUE " : "",
			 deferred[i][0], deferred[i][1]);
		if ((rc = store_exec(db, sql, err)))
			return rc;
	}
	return 0;
}

/* Creates the schema in an empty database (inside the caller's transaction).
 * Returns 0 or a negative code (err filled). */
int schema_create(sqlite3 *db, struct pv_err *err)
{
	char sql[128];
	int rc;

	if ((rc = store_exec(db, schema_base, err)) ||
	    (rc = store_exec(db, schema_v2, err)) ||
	    (rc = store_exec(db, schema_v3, err)) ||
	    (rc = store_exec(db, schema_v4, err)) ||
	    (rc = store_exec(db, schema_v5, err)) || (rc = schema_v6(db, err)))
		return rc;
	snprintf(sql, sizeof sql,
		 "PRAGMA application_id=%d; PRAGMA user_version=%d;",
		 STORE_APP_ID, STORE_SCHEMA_VERSION);
	if ((rc = store_exec(db, sql, err)))
		return rc;
	if ((rc = store_exec(db, "INSERT OR REPLACE INTO meta VALUES"
			     "('created', strftime('%Y-%m-%dT%H:%M:%SZ','now')),"
			     "('created_by', 'provex " PACKAGE_VERSION "'),"
			     "('fts', 'contentless fts5 detail=" STORE_FTS_DETAIL " columnsize=0, "
			     "indexed from each text''s distinct terms'),"
			     "('" FTS_TERMS_KEY "', '" FTS_TERMS_SCHEME "');", err)))
		return rc;
	return 0;
}

/* Brings a store at schema version `from` up to the current one, inside the
 * caller's transaction (so a failure leaves the store as it was).  Returns 0
 * or a negative code (err filled). */
int schema_migrate(sqlite3 *db, int from, struct pv_err *err)
{
	char sql[64];
	int rc;

	if (from == STORE_SCHEMA_VERSION)
		return 0;
	if (from < STORE_SCHEMA_OLDEST || from > STORE_SCHEMA_VERSION)
		return pv_errf(err, PV_ESTORE,
			       "no migration from schema version %d to %d", from,
			       STORE_SCHEMA_VERSION);
	/* one step after the other: 1 -> 2 -> 3 -> 4 -> 5 -> 6 */
	if (from < 2 &&
	    ((rc = store_exec(db, migrate_v1_v2, err)) ||
	     (rc = store_exec(db, schema_v2, err))))
		return rc;
	/* ANALYZE docs here; the other tables get theirs when the upgraded
	 * store is opened for writing (store_stats_refresh) */
	if (from < 3 && ((rc = store_exec(db, schema_v3, err)) ||
			 (rc = store_exec(db, "ANALYZE docs", err))))
		return rc;
	if (from < 4 && (rc = store_exec(db, schema_v4, err)))
		return rc;
	if (from < 5 && (rc = store_exec(db, schema_v5, err)))
		return rc;
	if (from < 6 && (rc = schema_v6(db, err)))
		return rc;
	snprintf(sql, sizeof sql, "PRAGMA user_version=%d;", STORE_SCHEMA_VERSION);
	if ((rc = store_exec(db, sql, err)))
		return rc;
	return 0;
}
