/* config.c - see config.h (being written). */
#include "config.h"

typedef int pv_config_unused;
