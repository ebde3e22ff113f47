/* libwasi-emulated-getpid.a (wasi-sdk's name; -D_WASI_EMULATED_GETPID -lwasi-emulated-getpid).
 * WASI has no process ids: getpid() returns a placeholder, the same 42 as wasi-sdk's, good for
 * log lines and seeds, never for kill() or /proc; getppid() returns 1. */
#ifndef _WASI_EMULATED_GETPID /* scripts/wasi-cc defines it by default */
#define _WASI_EMULATED_GETPID
#endif
#include <unistd.h>

pid_t getpid(void) { return 42; }

/* The parent is outside the guest's view: 1, as for an orphan adopted by init (so kill() of
 * it is ESRCH, never the program itself). Weak: a port's own definition wins. */
__attribute__((weak)) pid_t getppid(void) { return 1; }
