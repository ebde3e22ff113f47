/* For each argument: a path is opened and printed as `PATH: ok` or `PATH: <strerror>`; `$NAME`
 * prints `$NAME=VALUE` or `$NAME unset` (the containerd shim's tests: what a container's
 * program can reach, and which environment it gets). Always exits 0. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char **argv) {
    for (int i = 1; i < argc; i++) {
        if (argv[i][0] == '$') {
            const char *v = getenv(argv[i] + 1);
            if (v)
                printf("%s=%s\n", argv[i], v);
            else
                printf("%s unset\n", argv[i]);
            continue;
        }
        int fd = open(argv[i], O_RDONLY);
        printf("%s: %s\n", argv[i], fd >= 0 ? "ok" : strerror(errno));
        if (fd >= 0)
            close(fd);
    }
    return 0;
}
