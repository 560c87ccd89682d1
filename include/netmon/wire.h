/* netmon — binary encoding of bus messages (placeholder, being written). */
#ifndef NETMON_WIRE_H
#define NETMON_WIRE_H
#include <netmon/msg.h>
#endif
