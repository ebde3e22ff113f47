/* libwasi-emulated-getpid.a (wasi-sdk's name; -D_WASI_EMULATED_GETPID -lwasi-emulated-getpid).
 * WASI has no process ids: getpid() returns a placeholder, the same 42 as wasi-sdk's, good for
 * log lines and seeds, never for kill() or /proc; getppid() returns 0. */
#ifndef _WASI_EMULATED_GETPID /* scripts/wasi-cc defines it by default */
#define _WASI_EMULATED_GETPID
#endif
#include <unistd.h>

pid_t getpid(void) { return 42; }

/* The parent is wasock's, outside the guest's view: 0, as Linux answers for a parent in
 * another pid namespace. */
pid_t getppid(void) { return 0; }
