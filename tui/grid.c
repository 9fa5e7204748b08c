/* grid.c - see grid.h (being written). */
#include "grid.h"

typedef int pv_grid_unused;
