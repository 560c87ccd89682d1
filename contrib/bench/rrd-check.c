/* contrib/bench/rrd helper: how many of the files DIR/HOST/feed/gauge-s<i>.rrd
 * (i < SERIES) have their last update at LAST (seconds since the epoch).
 * Usage: rrd-check DIR HOST SERIES LAST   → prints the count.
 * Copyright (C) 2026 the netmon authors. GPL-2.0-or-later, see COPYING. */
#include <stdio.h>
#include <stdlib.h>
#include <rrd.h>

int main(int argc, char **argv)
{
	long series, last, good = 0;
	char path[4096];

	if (argc != 5) {
		fprintf(stderr, "usage: rrd-check DIR HOST SERIES LAST\n");
		return 2;
	}
	series = strtol(argv[3], NULL, 10);
	last = strtol(argv[4], NULL, 10);
	for (long i = 0; i < series; i++) {
		snprintf(path, sizeof path, "%s/%s/feed/gauge-s%ld.rrd", argv[1],
			 argv[2], i);
		if ((long)rrd_last_r(path) == last)
			good++;
	}
	printf("%ld\n", good);
	return 0;
}
