/* netmon test plugin "nosym": a module without the descriptor symbol.
 *
 * Copyright (C) 2026 the netmon authors. GPL-2.0-or-later, see COPYING.
 */
int nothing(void);
int nothing(void)
{
	return 0;
}
