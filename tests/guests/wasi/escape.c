/* Every way out of the preopened directory argv[1] fails; argv[2] is a host file outside it. */
#include "../check.h"
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

static char p[512];
#define AT(name) (snprintf(p, sizeof p, "%s/%s", d, name), p)

/* The open must fail and must not be ENOENT-for-a-file-that-exists-outside being readable. */
static void refused(const char *path, int want) {
    errno = 0;
    int fd = open(path, O_RDONLY);
    if (fd >= 0 || errno != want) {
        fprintf(stderr, "FAIL: open(%s) = %d errno=%d, want errno %d\n", path, fd, errno, want);
        exit(1);
    }
}

int main(int argc, char **argv) {
    CHECK(argc == 3);
    const char *d = argv[1];
    char rel[600];
    snprintf(rel, sizeof rel, "%s/../%s", d, argv[2]);
    refused(rel, EPERM);                 /* .. out of the preopen */
    refused(AT("../../../../etc/passwd"), EPERM);
    refused("/etc/passwd", ENOENT); /* no preopen covers it: wasi-libc cannot even name it */
    OK("dotdot");

    CHECK(symlink("/etc/passwd", AT("abs")) == 0);
    refused(AT("abs"), EPERM);
    CHECK(symlink("..", AT("up")) == 0);
    snprintf(rel, sizeof rel, "%s/up/%s", d, argv[2]);
    refused(rel, EPERM);
    CHECK(mkdir(AT("deep"), 0755) == 0);
    CHECK(symlink("../../..", AT("deep/out")) == 0);
    refused(AT("deep/out/etc/passwd"), EPERM);
    OK("symlinks");

    struct stat st;
    CHECK_ERR(stat(AT("../"), &st), EPERM);
    CHECK_ERR(mkdir(AT("../escaped-dir"), 0755), EPERM);
    CHECK_ERR(open(AT("../escaped-file"), O_CREAT | O_WRONLY, 0644), EPERM);
    CHECK_ERR(rename(AT("deep"), AT("../moved")), EPERM);
    CHECK_ERR(link(AT("abs"), AT("../hard")), EPERM);
    OK("mutations");
    return 0;
}
