/* theme.c - see theme.h (being written). */
#include "theme.h"

typedef int pv_theme_unused;
