/* Every way out of the preopened directory argv[1] fails. argv[2] names a file in the
 * preopen's parent (outside it). The host made two symlinks in the preopen before the run:
 * host-abs -> <absolute host path of that file> and host-up -> .. .
 * Each refused attempt prints `escape LABEL errno=N`: N must be EPERM (63) or ENOTCAPABLE
 * (76) — WASI runtimes use either — and the test pins the exact value per runtime. */
#include "../check.h"
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *d;
static char p[512], q[512];
#define AT(buf, name) (snprintf(buf, sizeof buf, "%s/%s", d, name), buf)

static void refused(const char *label, const char *what, long r) {
    int e = errno;
    if (r != -1 || (e != EPERM && e != ENOTCAPABLE)) {
        fprintf(stderr, "FAIL: %s: %s = %ld errno=%d, want -1 with EPERM or ENOTCAPABLE\n", label, what, r, e);
        exit(1);
    }
    printf("escape %s errno=%d\n", label, e);
}
#define ESCAPE(label, call)                                                                        \
    do {                                                                                           \
        errno = 0;                                                                                 \
        refused(label, #call, (long)(call));                                                       \
    } while (0)

int main(int argc, char **argv) {
    CHECK(argc == 3);
    d = argv[1];
    char rel[600];
    struct stat st;
    snprintf(rel, sizeof rel, "../%s", argv[2]);
    ESCAPE("dotdot", open(AT(p, rel), O_RDONLY));
    ESCAPE("dotdot_deep", open(AT(p, "../../../../etc/passwd"), O_RDONLY));
    CHECK(mkdir(AT(p, "in"), 0755) == 0);
    snprintf(rel, sizeof rel, "in/../../%s", argv[2]);
    ESCAPE("in_and_out", open(AT(p, rel), O_RDONLY));
    ESCAPE("dotdot_dir", open(AT(p, ".."), O_RDONLY | O_DIRECTORY));
    ESCAPE("dotdot_stat", stat(AT(p, "../"), &st));
    /* No preopen covers /etc: wasi-libc cannot even name it, so this is ENOENT from libc. */
    CHECK_ERR(open("/etc/passwd", O_RDONLY), ENOENT);
    OK("dotdot");

    CHECK(lstat(AT(p, "host-abs"), &st) == 0 && S_ISLNK(st.st_mode));
    ESCAPE("host_abs_symlink", open(AT(p, "host-abs"), O_RDONLY));
    ESCAPE("host_abs_symlink_stat", stat(AT(p, "host-abs"), &st));
    snprintf(rel, sizeof rel, "host-up/%s", argv[2]);
    ESCAPE("host_up_symlink", open(AT(p, rel), O_RDONLY));
    /* An absolute target could only name a host path: reading one back is refused, and so is
     * creating one (as wasmtime and the WASI testsuite do; POSIX would allow both). */
    char target[16] = {0};
    ESCAPE("host_abs_readlink", readlink(AT(p, "host-abs"), target, sizeof target));
    ESCAPE("abs_symlink", symlink("/etc/passwd", AT(p, "abs")));
    CHECK_ERR(lstat(AT(p, "abs"), &st), ENOENT);
    CHECK(symlink("..", AT(p, "up")) == 0);
    CHECK(readlink(AT(p, "up"), target, sizeof target) == 2 && !strcmp(target, "..")); /* reading is fine */
    snprintf(rel, sizeof rel, "up/%s", argv[2]);
    ESCAPE("up_symlink", open(AT(p, rel), O_RDONLY));
    ESCAPE("up_symlink_dir", open(AT(p, "up"), O_RDONLY | O_DIRECTORY));
    CHECK(mkdir(AT(p, "deep"), 0755) == 0);
    CHECK(symlink("../../..", AT(p, "deep/out")) == 0);
    ESCAPE("deep_symlink", open(AT(p, "deep/out/etc/passwd"), O_RDONLY));
    OK("symlinks");

    ESCAPE("mkdir", mkdir(AT(p, "../escaped-dir"), 0755));
    ESCAPE("mkdir_via_symlink", mkdir(AT(p, "up/escaped-dir"), 0755));
    ESCAPE("create", open(AT(p, "../escaped-file"), O_CREAT | O_WRONLY, 0644));
    ESCAPE("create_via_symlink", open(AT(p, "up/escaped-file"), O_CREAT | O_WRONLY, 0644));
    ESCAPE("rename_out", rename(AT(p, "deep"), AT(q, "../moved")));
    snprintf(rel, sizeof rel, "../%s", argv[2]);
    ESCAPE("rename_in", rename(AT(p, rel), AT(q, "stolen")));
    ESCAPE("link_out", link(AT(p, "in/../up"), AT(q, "../hard")));
    ESCAPE("link_in", link(AT(p, rel), AT(q, "hard")));
    ESCAPE("symlink_out", symlink("x", AT(p, "../escaped-link")));
    ESCAPE("unlink_out", unlink(AT(p, rel)));
    ESCAPE("rmdir_out", rmdir(AT(p, "../")));
    OK("mutations");
    return 0;
}
