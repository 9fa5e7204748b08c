/* text.c - see text.h (being written). */
#include "text.h"

typedef int pv_text_unused;
