/*
 * fuzz_index.c - fuzz_index(): a store made by index_run, for targets that
 * include store/filter.h (whose struct field is not index/reader.h's).
 */
#include "fuzz.h"
#include "../../common/pv.h"
#include "../../index/pipeline.h"

#include <string.h>

int fuzz_index(const char *store_path, const char *input, struct pv_err *err)
{
	struct index_opts o;
	struct index_stats st;
	const char *inputs[1];

	inputs[0] = input;
	memset(&o, 0, sizeof o);
	memset(&st, 0, sizeof st);
	o.store_path = store_path;
	o.inputs = inputs;
	o.ninputs = 1;
	o.ropts.format = IN_FMT_JSONL;
	o.prov_field[PROV_ORIGIN] = "origin";
	o.prov_field[PROV_SOURCE] = "source";
	o.prov_field[PROV_GENERATOR] = "generator";
	o.prov_field[PROV_PURPOSE] = "purpose";
	o.command = "fuzz";
	return index_run(&o, &st, err);
}
