/* netmon — ThreadSanitizer annotations for GLib locks (internal).
 *
 * Copyright (C) 2026 the netmon authors. GPL-2.0-or-later, see COPYING.
 */
#ifndef NETMON_TSAN_H
#define NETMON_TSAN_H

/* GLib's GMutex and GCond are built on futexes inside libglib, where
 * ThreadSanitizer cannot see them: under TSan, describe our lock
 * operations to it. */
#if defined(__SANITIZE_THREAD__)
#define NM_TSAN 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define NM_TSAN 1
#endif
#endif
#ifdef NM_TSAN
#include <sanitizer/tsan_interface.h>
#define tsan_locked(m) \
	(__tsan_mutex_pre_lock((m), 0), __tsan_mutex_post_lock((m), 0, 0))
#define tsan_unlocking(m) \
	(__tsan_mutex_pre_unlock((m), 0), __tsan_mutex_post_unlock((m), 0))
#define tsan_destroy(m) __tsan_mutex_destroy((m), 0)
#else
#define tsan_locked(m) ((void)0)
#define tsan_unlocking(m) ((void)0)
#define tsan_destroy(m) ((void)0)
#endif

#endif /* NETMON_TSAN_H */
