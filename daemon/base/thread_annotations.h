#pragma once

// Clang's thread-safety analysis (-Wthread-safety): the compiler checks that a
// field marked GUARDED_BY(mu_) is only touched with mu_ held and that a
// function marked REQUIRES(mu_) is only called with it held. Other compilers
// see nothing. Use with brandmon::Mutex (daemon/base/mutex.h).

#if defined(__clang__)
#define BRANDMON_THREAD_ANNOTATION(x) __attribute__((x))
#else
#define BRANDMON_THREAD_ANNOTATION(x)
#endif

#define CAPABILITY(x) BRANDMON_THREAD_ANNOTATION(capability(x))
#define SCOPED_CAPABILITY BRANDMON_THREAD_ANNOTATION(scoped_lockable)
#define GUARDED_BY(x) BRANDMON_THREAD_ANNOTATION(guarded_by(x))
#define PT_GUARDED_BY(x) BRANDMON_THREAD_ANNOTATION(pt_guarded_by(x))
#define REQUIRES(...) BRANDMON_THREAD_ANNOTATION(requires_capability(__VA_ARGS__))
#define EXCLUDES(...) BRANDMON_THREAD_ANNOTATION(locks_excluded(__VA_ARGS__))
#define ACQUIRE(...) BRANDMON_THREAD_ANNOTATION(acquire_capability(__VA_ARGS__))
#define RELEASE(...) BRANDMON_THREAD_ANNOTATION(release_capability(__VA_ARGS__))
#define RETURN_CAPABILITY(x) BRANDMON_THREAD_ANNOTATION(lock_returned(x))
#define NO_THREAD_SAFETY_ANALYSIS BRANDMON_THREAD_ANNOTATION(no_thread_safety_analysis)
