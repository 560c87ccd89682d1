/* netmon — binary encoding of bus messages (placeholder, being written). */
#include "config.h"
#include <netmon/wire.h>
