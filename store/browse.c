/* browse.c - see browse.h (being written). */
#include "browse.h"

typedef int pv_browse_unused;
