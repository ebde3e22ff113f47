/* libwasi-emulated-getpid.a (wasi-sdk's name; -D_WASI_EMULATED_GETPID -lwasi-emulated-getpid).
 * WASI has no process ids: getpid() returns a placeholder, the same 42 as wasi-sdk's, good for
 * log lines and seeds, never for kill() or /proc. */
#ifndef _WASI_EMULATED_GETPID /* scripts/wasi-cc defines it by default */
#define _WASI_EMULATED_GETPID
#endif
#include <unistd.h>

pid_t getpid(void) { return 42; }
