/* What the host process does with its own standard fds, seen from the guest.
 * `stdio_edges count-stdin`: reads stdin to EOF and prints `stdin N bytes`.
 * `stdio_edges flood-stdout`: writes to stdout until a write fails, then prints that
 * write's errno name on stderr (`stdout EPIPE` when the reader has gone).
 * `stdio_edges write-stdout`: one write to stdout; prints `stdout ok` or its errno on stderr. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char **argv) {
    static char buf[65536];
    if (argc > 1 && strcmp(argv[1], "count-stdin") == 0) {
        long total = 0;
        ssize_t n;
        while ((n = read(0, buf, sizeof buf)) > 0)
            total += n;
        if (n < 0) {
            fprintf(stderr, "FAIL: read(0): %s\n", strerror(errno));
            return 1;
        }
        printf("stdin %ld bytes\n", total);
        return 0;
    }
    if (argc > 1 && strcmp(argv[1], "flood-stdout") == 0) {
        memset(buf, 'x', sizeof buf);
        /* Once the reader is gone every write fails; 1 GiB bounds a pipe somebody still reads. */
        for (int i = 0; i < 16384; i++) {
            if (write(1, buf, sizeof buf) < 0) {
                fprintf(stderr, "stdout %s\n", errno == EPIPE ? "EPIPE" : strerror(errno));
                return 0;
            }
        }
        fprintf(stderr, "FAIL: 1 GiB written to a pipe nobody reads\n");
        return 1;
    }
    if (argc > 1 && strcmp(argv[1], "write-stdout") == 0) {
        if (write(1, "x\n", 2) == 2)
            fprintf(stderr, "stdout ok\n");
        else
            fprintf(stderr, "stdout %s\n", strerror(errno));
        return 0;
    }
    fprintf(stderr, "usage: stdio_edges count-stdin|flood-stdout|write-stdout\n");
    return 2;
}
