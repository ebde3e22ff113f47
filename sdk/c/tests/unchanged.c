/* A POSIX program's calls around its sockets, built with NO flags beyond `scripts/wasi-cc`
 * (or the CMake toolchain file) and -Werror: no feature macro (strcasestr is declared as on
 * the BSDs), no -D_WASI_EMULATED_* (on by default), unguarded daemonize / privilege-drop /
 * child-reaping code (declared, failing honestly), and realpath() of a --dir preopen (issue 19).
 * The same source builds natively (cc), where the WASI-only expectations do not apply.
 * usage: unchanged DIR   (DIR: an absolute, writable directory, preopened as --dir=DIR)
 * Prints `ok NAME` per check, `FAIL ...` and exit 1 on the first failure. */
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "check.h"

static int path_is(const char *got, const char *want) {
    return got != NULL && strcmp(got, want) == 0;
}

int main(int argc, char **argv) {
    if (argc < 2 || argv[1][0] != '/') {
        fprintf(stderr, "usage: unchanged /ABSOLUTE/DIR\n");
        return 2;
    }
    const char *dir = argv[1];
    char path[PATH_MAX], want[PATH_MAX], got[PATH_MAX];

    /* emulations on by default */
    CHECK("signal", signal(SIGPIPE, SIG_IGN) != SIG_ERR);
    CHECK("getpid", getpid() > 0);
    CHECK("clock", clock() != (clock_t)-1);
    struct rusage ru;
    CHECK("getrusage", getrusage(RUSAGE_SELF, &ru) == 0);
    mode_t old_mask = umask(027);
    CHECK("umask", umask(old_mask) == 027);
#ifdef __wasi__
    CHECK("umask_default", old_mask == 022);
#endif

    /* declared without _GNU_SOURCE, as on the BSDs */
    CHECK("strcasestr", path_is(strcasestr("Accept-Encoding: GZIP", "gzip"), "GZIP"));
    const char *req = "GET / HTTP/1.1\r\nhost: x\r\nCONNECTION: Keep-Alive\r\n\r\n";
    CHECK("strcasestr_cases", path_is(strcasestr(req, "Connection: "), req + 25) &&
                                  path_is(strcasestr(req, ""), req) &&
                                  strcasestr(req, "Referer: ") == NULL &&
                                  path_is(strcasestr("aAaB", "aab"), "AaB") &&
                                  strcasestr("ab", "abc") == NULL && strcasestr("", "a") == NULL &&
                                  path_is(strcasestr("x@[", "@["), "@[") && /* not letters */
                                  strcasestr("`", "@") == NULL);
    tzset();
    printf("ok tzset\n");

    /* identity: an unprivileged user */
    CHECK("getuid", geteuid() == getuid() && getegid() == getgid());
    CHECK("setuid_self", setuid(getuid()) == 0 && setgid(getgid()) == 0);
#ifdef __wasi__
    CHECK("getuid_nobody", getuid() == 65534 && getegid() == 65534);
    CHECK("setuid_root", setuid(0) == -1 && errno == EPERM);
    /* daemonizing and children: fail honestly */
    int fds[2];
    CHECK("fork", fork() == -1 && errno == ENOSYS);
    CHECK("pipe", pipe(fds) == -1 && errno == ENOSYS);
    CHECK("dup2", dup2(1, 2) == -1 && errno == ENOSYS);
    CHECK("setsid", setsid() == -1 && errno == ENOSYS);
    CHECK("chroot", chroot(dir) == -1 && errno == ENOSYS);
    CHECK("execv", execv("/bin/sh", argv) == -1 && errno == ENOSYS);
    CHECK("waitpid", waitpid(-1, NULL, WNOHANG) == -1 && errno == ECHILD);
    CHECK("popen", popen("ls", "r") == NULL && errno == ENOSYS);
    /* the rest of each family: every stub links and fails the same way */
    gid_t groups[4];
    CHECK("process_family", _Fork() == -1 && execve("/x", argv, NULL) == -1 &&
                                execvp("x", argv) == -1 && execl("/x", "x", (char *)0) == -1 &&
                                execle("/x", "x", (char *)0, (char *)0) == -1 &&
                                execlp("x", "x", (char *)0) == -1 && fexecve(0, argv, NULL) == -1 &&
                                pipe2(fds, 0) == -1 && dup(1) == -1 && dup3(1, 2, 0) == -1 &&
                                getsid(0) == -1 && setpgid(0, 0) == -1 && getpgid(0) == -1 &&
                                errno == ENOSYS);
    CHECK("wait_family", wait(NULL) == -1 && errno == ECHILD && waitid(P_ALL, 0, NULL, WEXITED) == -1 &&
                             errno == ECHILD && pclose(stdin) == -1 && errno == ECHILD);
    CHECK("id_family", getgroups(4, groups) == 0 && seteuid(65534) == 0 && setegid(65534) == 0 &&
                           seteuid(0) == -1 && errno == EPERM && setegid(0) == -1 && errno == EPERM &&
                           setgid(0) == -1 && errno == EPERM);
#endif

    /* realpath: of the preopen itself, through "." "..", a symlink, and failures */
    char *dup = realpath(dir, NULL);
    CHECK("realpath_preopen", dup != NULL);
#ifdef __wasi__
    CHECK("realpath_preopen_is_dir", strcmp(dup, dir) == 0);
#endif
    const char *root = dup; /* the canonical name, natively too */
    snprintf(path, sizeof path, "%s/sub", root);
    CHECK("mkdir", (mkdir(path, 0755) == 0 || errno == EEXIST));
    snprintf(path, sizeof path, "%s/./sub/../sub//", dir);
    snprintf(want, sizeof want, "%s/sub", root);
    CHECK("realpath_dots", path_is(realpath(path, got), want));
    snprintf(path, sizeof path, "%s/link", dir);
    unlink(path);
    CHECK("symlink", symlink("sub", path) == 0);
    snprintf(path, sizeof path, "%s/link/.", dir);
    CHECK("realpath_symlink", path_is(realpath(path, got), want));
    snprintf(path, sizeof path, "%s/link", dir);
    unlink(path);
    snprintf(path, sizeof path, "%s/missing", dir);
    errno = 0;
    CHECK("realpath_enoent", realpath(path, got) == NULL && errno == ENOENT);
    snprintf(path, sizeof path, "%s/file", dir);
    FILE *f = fopen(path, "w");
    CHECK("file", f != NULL && fclose(f) == 0);
    snprintf(path, sizeof path, "%s/file/", dir);
    errno = 0;
    CHECK("realpath_enotdir", realpath(path, got) == NULL && errno == ENOTDIR);
    snprintf(path, sizeof path, "%s/file", dir);
    unlink(path);
    snprintf(path, sizeof path, "%s/sub", dir);
    rmdir(path);
    free(dup);
    puts("unchanged: all ok");
    return 0;
}
