/* Opens each path given and prints `PATH: ok` or `PATH: <strerror>` (the containerd shim's
 * tests: what a container's program can and cannot reach). Always exits 0. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char **argv) {
    for (int i = 1; i < argc; i++) {
        int fd = open(argv[i], O_RDONLY);
        printf("%s: %s\n", argv[i], fd >= 0 ? "ok" : strerror(errno));
        if (fd >= 0)
            close(fd);
    }
    return 0;
}
