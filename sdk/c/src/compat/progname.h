/* The program's name for messages (err/warn, syslog, a signal's default action): musl's
 * program_invocation_short_name when set, else the basename of argv[0] read through the WASI
 * import (wasi-libc leaves __progname unset), else "wasm". */
#ifndef WASOCK_PROGNAME_H
#define WASOCK_PROGNAME_H
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wasi/api.h>

static inline const char *wasock_progname(void) {
    static char name[64];
    if (program_invocation_short_name && *program_invocation_short_name)
        return program_invocation_short_name;
    if (!name[0]) {
        __wasi_size_t argc = 0, size = 0;
        if (__wasi_args_sizes_get(&argc, &size) == 0 && argc > 0) {
            char *buf = malloc(size);
            char **argv = malloc(argc * sizeof *argv);
            if (buf && argv && __wasi_args_get((uint8_t **)argv, (uint8_t *)buf) == 0) {
                const char *base = strrchr(argv[0], '/');
                snprintf(name, sizeof name, "%s", base ? base + 1 : argv[0]);
            }
            free(buf);
            free(argv);
        }
        if (!name[0])
            snprintf(name, sizeof name, "wasm");
    }
    return name;
}
#endif
