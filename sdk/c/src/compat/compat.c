/* wasock's additions to the sysroot's libc.a: what the headers declare but wasi-libc never
 * defines, for calls a network program makes around its sockets. Either it works as POSIX
 * says (syslog, err/warn, sendfile), or it fails honestly: -1 / NULL with errno ENOSYS (or the
 * error number returned by the _r functions), so a program links and takes its own error path
 * instead of stopping the build. sdk/c/README.md lists them all.
 *
 * One object per function: scripts/setup-sysroot compiles this file once per `#ifdef C_name`
 * section with -DC_name and adds the objects to libc.a. An archive member is linked only when
 * something needs it, so a program that defines one of these itself still links, even if it
 * uses another. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <grp.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <poll.h>
#include <pthread.h>
#include <pwd.h>
#include <stdatomic.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/resource.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/timerfd.h>
#include <sys/wait.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>
#include <wasi/api.h>

#include "progname.h"

/* ---- users and groups: WASI has none; lookups fail as with an unreachable database ---- */
#ifdef C_getpwnam
struct passwd *getpwnam(const char *name) { (void)name; errno = ENOSYS; return NULL; }
#endif
#ifdef C_getpwuid
struct passwd *getpwuid(uid_t uid) { (void)uid; errno = ENOSYS; return NULL; }
#endif
#ifdef C_getpwnam_r
int getpwnam_r(const char *name, struct passwd *pw, char *buf, size_t size, struct passwd **res) {
    (void)name, (void)pw, (void)buf, (void)size;
    *res = NULL;
    return ENOSYS;
}
#endif
#ifdef C_getpwuid_r
int getpwuid_r(uid_t uid, struct passwd *pw, char *buf, size_t size, struct passwd **res) {
    (void)uid, (void)pw, (void)buf, (void)size;
    *res = NULL;
    return ENOSYS;
}
#endif
#ifdef C_getpwent
struct passwd *getpwent(void) { errno = ENOSYS; return NULL; }
void setpwent(void) {}
void endpwent(void) {}
#endif
#ifdef C_getgrnam
struct group *getgrnam(const char *name) { (void)name; errno = ENOSYS; return NULL; }
#endif
#ifdef C_getgrgid
struct group *getgrgid(gid_t gid) { (void)gid; errno = ENOSYS; return NULL; }
#endif
#ifdef C_getgrnam_r
int getgrnam_r(const char *name, struct group *gr, char *buf, size_t size, struct group **res) {
    (void)name, (void)gr, (void)buf, (void)size;
    *res = NULL;
    return ENOSYS;
}
#endif
#ifdef C_getgrgid_r
int getgrgid_r(gid_t gid, struct group *gr, char *buf, size_t size, struct group **res) {
    (void)gid, (void)gr, (void)buf, (void)size;
    *res = NULL;
    return ENOSYS;
}
#endif
#ifdef C_getgrent
struct group *getgrent(void) { errno = ENOSYS; return NULL; }
void setgrent(void) {}
void endgrent(void) {}
#endif
#ifdef C_initgroups
int initgroups(const char *user, gid_t gid) { (void)user, (void)gid; errno = ENOSYS; return -1; }
#endif
#ifdef C_setgroups
int setgroups(size_t n, const gid_t *list) { (void)n, (void)list; errno = ENOSYS; return -1; }
#endif
#ifdef C_getgrouplist
int getgrouplist(const char *user, gid_t gid, gid_t *groups, int *ngroups) {
    (void)user, (void)gid, (void)groups;
    *ngroups = 0;
    errno = ENOSYS;
    return -1;
}
#endif
#ifdef C_getlogin
char *getlogin(void) { errno = ENOSYS; return NULL; }
#endif
#ifdef C_getlogin_r
int getlogin_r(char *name, size_t size) { (void)name, (void)size; return ENOSYS; }
#endif

/* ---- syslog: there is no syslog daemon to reach; messages go to stderr, which is where a
 * service manager (systemd, a container runtime) collects them ---- */
#ifdef C_syslog
static const char *log_ident;
static int log_options;
static int log_mask = 0xff;

void openlog(const char *ident, int option, int facility) {
    (void)facility;
    log_ident = ident;
    log_options = option;
}

void closelog(void) { log_ident = NULL; }

int setlogmask(int mask) {
    int old = log_mask;
    if (mask)
        log_mask = mask;
    return old;
}

void vsyslog(int priority, const char *fmt, va_list ap) {
    if (!(LOG_MASK(LOG_PRI(priority)) & log_mask))
        return;
    const char *ident = log_ident ? log_ident : wasock_progname();
    /* %m is syslog's own conversion: strerror(errno) at the time of the call. */
    char expanded[1024];
    const char *err = strerror(errno);
    size_t o = 0;
    for (const char *p = fmt; *p && o + 1 < sizeof expanded; p++) {
        if (p[0] == '%' && p[1] == 'm') {
            o += (size_t)snprintf(expanded + o, sizeof expanded - o, "%s", err);
            if (o >= sizeof expanded)
                o = sizeof expanded - 1;
            p++;
        } else if (p[0] == '%' && p[1] == '%') {
            expanded[o++] = *p++;
            if (o + 1 < sizeof expanded)
                expanded[o++] = *p;
        } else {
            expanded[o++] = *p;
        }
    }
    expanded[o] = 0;
    if (log_options & LOG_PID)
        fprintf(stderr, "%s[%d]: ", ident ? ident : "", 42);
    else
        fprintf(stderr, "%s: ", ident ? ident : "");
    vfprintf(stderr, expanded, ap);
    if (!*expanded || expanded[strlen(expanded) - 1] != '\n')
        fputc('\n', stderr);
}

void syslog(int priority, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vsyslog(priority, fmt, ap);
    va_end(ap);
}
#endif

/* ---- err.h (BSD): real ---- */
#ifdef C_vwarn
void vwarn(const char *fmt, va_list ap) {
    int e = errno;
    fprintf(stderr, "%s: ", wasock_progname());
    if (fmt) {
        vfprintf(stderr, fmt, ap);
        fputs(": ", stderr);
    }
    fprintf(stderr, "%s\n", strerror(e));
}
void warn(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vwarn(fmt, ap);
    va_end(ap);
}
_Noreturn void verr(int status, const char *fmt, va_list ap) {
    vwarn(fmt, ap);
    exit(status);
}
_Noreturn void err(int status, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    verr(status, fmt, ap);
}
#endif
#ifdef C_vwarnx
void vwarnx(const char *fmt, va_list ap) {
    fprintf(stderr, "%s: ", wasock_progname());
    if (fmt)
        vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
}
void warnx(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vwarnx(fmt, ap);
    va_end(ap);
}
_Noreturn void verrx(int status, const char *fmt, va_list ap) {
    vwarnx(fmt, ap);
    exit(status);
}
_Noreturn void errx(int status, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    verrx(status, fmt, ap);
}
#endif

/* ---- processes ---- */
#ifdef C_system
int system(const char *cmd) {
    if (!cmd)
        return 0; /* POSIX: no command processor is available */
    errno = ENOSYS;
    return -1;
}
#endif

/* Daemonizing, reaping and exec: the guest is one process (wasock); a service manager
 * daemonizes it. Each fails as it would on a system without the feature. */
#ifdef C_fork
pid_t fork(void) { errno = ENOSYS; return -1; }
#endif
#ifdef C__Fork
pid_t _Fork(void) { errno = ENOSYS; return -1; }
#endif
#ifdef C_execve
int execve(const char *path, char *const argv[], char *const envp[]) {
    (void)path, (void)argv, (void)envp;
    errno = ENOSYS;
    return -1;
}
#endif
#ifdef C_execv
int execv(const char *path, char *const argv[]) { (void)path, (void)argv; errno = ENOSYS; return -1; }
#endif
#ifdef C_execvp
int execvp(const char *file, char *const argv[]) { (void)file, (void)argv; errno = ENOSYS; return -1; }
#endif
#ifdef C_execl
int execl(const char *path, const char *arg, ...) { (void)path, (void)arg; errno = ENOSYS; return -1; }
#endif
#ifdef C_execle
int execle(const char *path, const char *arg, ...) { (void)path, (void)arg; errno = ENOSYS; return -1; }
#endif
#ifdef C_execlp
int execlp(const char *file, const char *arg, ...) { (void)file, (void)arg; errno = ENOSYS; return -1; }
#endif
#ifdef C_fexecve
int fexecve(int fd, char *const argv[], char *const envp[]) {
    (void)fd, (void)argv, (void)envp;
    errno = ENOSYS;
    return -1;
}
#endif
#ifdef C_popen
FILE *popen(const char *cmd, const char *mode) { (void)cmd, (void)mode; errno = ENOSYS; return NULL; }
#endif
#ifdef C_pclose
/* popen never succeeds, so no stream has a child to wait for. */
int pclose(FILE *f) { (void)f; errno = ECHILD; return -1; }
#endif
#ifdef C_wait
/* No child can exist (fork fails), so there is none to wait for: ECHILD, as POSIX says. */
pid_t wait(int *status) { (void)status; errno = ECHILD; return -1; }
#endif
#ifdef C_waitpid
pid_t waitpid(pid_t pid, int *status, int options) {
    (void)pid, (void)status, (void)options;
    errno = ECHILD;
    return -1;
}
#endif
#ifdef C_waitid
int waitid(idtype_t type, id_t id, siginfo_t *info, int options) {
    (void)type, (void)id, (void)info, (void)options;
    errno = ECHILD;
    return -1;
}
#endif
#ifdef C_setsid
pid_t setsid(void) { errno = ENOSYS; return -1; }
#endif
#ifdef C_getsid
pid_t getsid(pid_t pid) { (void)pid; errno = ENOSYS; return -1; }
#endif
#ifdef C_setpgid
int setpgid(pid_t pid, pid_t pgid) { (void)pid, (void)pgid; errno = ENOSYS; return -1; }
#endif
#ifdef C_getpgid
pid_t getpgid(pid_t pid) { (void)pid; errno = ENOSYS; return -1; }
#endif
#ifdef C_chroot
/* Nothing to confine further: the guest sees only what wasock's --dir/--map-dir grant. */
int chroot(const char *path) { (void)path; errno = ENOSYS; return -1; }
#endif
#ifdef C_umask
/* WASI creates files without permission bits (wasi-libc's open() ignores its mode), so there
 * is nothing to mask; the value is kept so that umask(umask(0)) gives back what was set. */
static _Atomic mode_t mask = 022;
mode_t umask(mode_t m) { return atomic_exchange_explicit(&mask, m & 0777, memory_order_relaxed); }
#endif
#ifdef C_tzset
/* wasi-libc has UTC only (no zone tables, no TZ), so there is nothing to load. */
void tzset(void) {}
#endif

/* ---- identity: the guest runs as "nobody" (65534), unprivileged. Not root (0): a program
 * must not believe it holds privileges it has not; a switch to another id fails with EPERM,
 * as for any unprivileged process, and a switch to its own id succeeds. ---- */
#define WASOCK_NOBODY 65534
#ifdef C_getuid
uid_t getuid(void) { return WASOCK_NOBODY; }
#endif
#ifdef C_geteuid
uid_t geteuid(void) { return WASOCK_NOBODY; }
#endif
#ifdef C_getgid
gid_t getgid(void) { return WASOCK_NOBODY; }
#endif
#ifdef C_getegid
gid_t getegid(void) { return WASOCK_NOBODY; }
#endif
#ifdef C_getgroups
int getgroups(int size, gid_t list[]) { (void)size, (void)list; return 0; }
#endif
#ifdef C_setuid
int setuid(uid_t uid) {
    if (uid == WASOCK_NOBODY)
        return 0;
    errno = EPERM;
    return -1;
}
#endif
#ifdef C_seteuid
int seteuid(uid_t uid) {
    if (uid == WASOCK_NOBODY)
        return 0;
    errno = EPERM;
    return -1;
}
#endif
#ifdef C_setgid
int setgid(gid_t gid) {
    if (gid == WASOCK_NOBODY)
        return 0;
    errno = EPERM;
    return -1;
}
#endif
#ifdef C_setegid
int setegid(gid_t gid) {
    if (gid == WASOCK_NOBODY)
        return 0;
    errno = EPERM;
    return -1;
}
#endif
/* Both ids at once; -1 keeps one. */
#ifdef C_setreuid
int setreuid(uid_t ruid, uid_t euid) {
    if ((ruid == (uid_t)-1 || ruid == WASOCK_NOBODY) && (euid == (uid_t)-1 || euid == WASOCK_NOBODY))
        return 0;
    errno = EPERM;
    return -1;
}
#endif
#ifdef C_setregid
int setregid(gid_t rgid, gid_t egid) {
    if ((rgid == (gid_t)-1 || rgid == WASOCK_NOBODY) && (egid == (gid_t)-1 || egid == WASOCK_NOBODY))
        return 0;
    errno = EPERM;
    return -1;
}
#endif

/* ---- resource limits: what a guest of wasock's CLI can count on. Open fds: the CLI's cap
 * (DEFAULT_MAX_FDS in crates/wasock/src/instance.rs; an embedder's Config::max_fds may differ);
 * core files: none; nothing else is limited in a way the guest could see (memory: a failed
 * malloc at the module's maximum). No limit can be changed: setting the values reported
 * succeeds, raising one above its maximum fails with EPERM (as for any unprivileged process),
 * and lowering one, which wasock could not enforce, fails with ENOSYS. ---- */
#if defined(C_getrlimit) || defined(C_setrlimit)
#define WASOCK_MAX_FDS 16384
static int wasock_rlimit(int resource, struct rlimit *rl) {
    if (resource < 0 || resource >= RLIM_NLIMITS) {
        errno = EINVAL;
        return -1;
    }
    rlim_t v = resource == RLIMIT_NOFILE ? WASOCK_MAX_FDS : resource == RLIMIT_CORE ? 0 : RLIM_INFINITY;
    rl->rlim_cur = rl->rlim_max = v;
    return 0;
}
#endif
#ifdef C_getrlimit
int getrlimit(int resource, struct rlimit *rl) { return wasock_rlimit(resource, rl); }
#endif
#ifdef C_setrlimit
int setrlimit(int resource, const struct rlimit *rl) {
    struct rlimit now;
    if (wasock_rlimit(resource, &now) != 0)
        return -1;
    if (rl->rlim_cur > rl->rlim_max) {
        errno = EINVAL;
        return -1;
    }
    if (rl->rlim_cur == now.rlim_cur && rl->rlim_max == now.rlim_max)
        return 0;
    errno = rl->rlim_max > now.rlim_max ? EPERM : ENOSYS;
    return -1;
}
#endif

/* ---- paths ---- */
#ifdef C_realpath
/* Replaces musl's realpath (removed from libc.a by setup-sysroot), which asks readlink() about
 * every prefix of the path: for a preopen such as --dir=/srv/www, "/srv" lies outside every
 * preopen and fails with ENOENT. Here a prefix that is an ancestor of a preopen's name is a
 * directory that exists (the guest's view of the file system is the preopens), and symlinks
 * are resolved below it as musl does: readlink() of each component, at most SYMLOOP_MAX. */
#include <limits.h>
#ifndef SYMLOOP_MAX
#define SYMLOOP_MAX 40
#endif

/* Whether `p` (absolute, normalised, len > 1) is a proper ancestor of a preopen's name. */
static int above_preopen(const char *p, size_t len) {
    for (__wasi_fd_t fd = 3;; fd++) {
        __wasi_prestat_t st;
        __wasi_errno_t e = __wasi_fd_prestat_get(fd, &st);
        if (e == __WASI_ERRNO_BADF)
            return 0;
        if (e != 0 || st.tag != __WASI_PREOPENTYPE_DIR)
            continue;
        size_t n = st.u.dir.pr_name_len;
        char name[PATH_MAX];
        if (n >= sizeof name || __wasi_fd_prestat_dir_name(fd, (uint8_t *)name, n) != 0)
            continue;
        name[n] = 0;
        /* "/srv/www", "/srv//www/", "srv/www" all name /srv/www (wasi-libc reads a relative
         * preopen name from the root, as it does cwd "/"). */
        char norm[PATH_MAX];
        size_t k = 0;
        for (const char *c = name; *c;) {
            while (*c == '/')
                c++;
            const char *e2 = c;
            while (*e2 && *e2 != '/')
                e2++;
            size_t cl = (size_t)(e2 - c);
            if (cl && !(cl == 1 && c[0] == '.')) {
                if (k + 1 + cl >= sizeof norm)
                    break;
                norm[k++] = '/';
                memcpy(norm + k, c, cl);
                k += cl;
            }
            c = e2;
        }
        norm[k] = 0;
        if (k > len && memcmp(norm, p, len) == 0 && norm[len] == '/')
            return 1;
    }
}

char *realpath(const char *restrict filename, char *restrict resolved) {
    char stack[PATH_MAX + 1]; /* what is left to resolve, at its end */
    char out[PATH_MAX];       /* the result so far: "" stands for "/" */
    char link[PATH_MAX];
    size_t p, q = 0;
    int links = 0;
    if (!filename) {
        errno = EINVAL;
        return NULL;
    }
    size_t l = strnlen(filename, sizeof stack);
    if (!l) {
        errno = ENOENT;
        return NULL;
    }
    if (l >= sizeof stack - 1) {
        errno = ENAMETOOLONG;
        return NULL;
    }
    p = sizeof stack - l - 1;
    memcpy(stack + p, filename, l + 1);
    if (stack[p] != '/') {
        if (!getcwd(out, sizeof out))
            return NULL;
        q = strlen(out);
        if (q == 1) /* "/" */
            q = 0;
    }
    int want_dir = filename[l - 1] == '/';
    while (stack[p]) {
        while (stack[p] == '/')
            p++;
        if (!stack[p])
            break;
        size_t e = p;
        while (stack[e] && stack[e] != '/')
            e++;
        size_t cl = e - p;
        if (cl == 1 && stack[p] == '.') {
            p = e;
            continue;
        }
        if (cl == 2 && stack[p] == '.' && stack[p + 1] == '.') {
            while (q && out[q - 1] != '/')
                q--;
            if (q)
                q--;
            p = e;
            continue;
        }
        if (q + 1 + cl >= sizeof out) {
            errno = ENAMETOOLONG;
            return NULL;
        }
        out[q] = '/';
        memcpy(out + q + 1, stack + p, cl);
        size_t q0 = q;
        q += 1 + cl;
        out[q] = 0;
        p = e;
        if (above_preopen(out, q))
            continue;
        ssize_t k = readlink(out, link, sizeof link);
        if (k < 0) {
            if (errno != EINVAL)
                return NULL; /* ENOENT, ENOTDIR, EACCES...: as the real one */
            continue;        /* exists, not a link */
        }
        if ((size_t)k == sizeof link) {
            errno = ENAMETOOLONG;
            return NULL;
        }
        if (++links > SYMLOOP_MAX) {
            errno = ELOOP;
            return NULL;
        }
        /* Replace the component by the link's text, in front of what is left. */
        if ((size_t)k > p) {
            errno = ENAMETOOLONG;
            return NULL;
        }
        if (k && link[k - 1] == '/')
            want_dir = want_dir || !stack[p];
        p -= (size_t)k;
        memmove(stack + p, link, (size_t)k);
        if (link[0] == '/')
            q = 0;
        else
            q = q0;
    }
    out[q] = 0;
    if (!q) {
        out[0] = '/';
        out[1] = 0;
        q = 1;
    }
    if (want_dir && !above_preopen(out, q) && q > 1) {
        struct stat st;
        if (stat(out, &st) != 0)
            return NULL;
        if (!S_ISDIR(st.st_mode)) {
            errno = ENOTDIR;
            return NULL;
        }
    }
    if (!resolved)
        return strdup(out);
    memcpy(resolved, out, q + 1);
    return resolved;
}
#endif

/* ---- strings ---- */
#ifdef C_strcasestr
/* Replaces musl's (removed from libc.a by setup-sysroot), which calls strncasecmp at every
 * position of the haystack, and that calls tolower twice per byte: in darkhttpd, which looks
 * for each header with strcasestr, musl's took a third of the guest's CPU time (perf). Same
 * result; ASCII folding inline (wasi-libc's only locales are C and C.UTF-8, where tolower is
 * ASCII). */
static inline unsigned char fold(unsigned char c) {
    return (unsigned char)(c + (((unsigned)c - 'A' < 26u) << 5));
}
char *strcasestr(const char *h, const char *n) {
    const unsigned char *hs = (const unsigned char *)h, *ns = (const unsigned char *)n;
    if (!ns[0])
        return (char *)h;
    unsigned char first = fold(ns[0]);
    for (; *hs; hs++) {
        if (fold(*hs) != first)
            continue;
        size_t i = 1;
        while (ns[i] && fold(hs[i]) == fold(ns[i]))
            i++;
        if (!ns[i])
            return (char *)hs;
    }
    return NULL;
}
#endif

/* ---- sockets and descriptors ---- */
#ifdef C_pipe
/* No preview1 import creates a pipe; see sdk/c/README.md for waking a poll loop without one. */
int pipe(int fds[2]) { (void)fds; errno = ENOSYS; return -1; }
#endif
#ifdef C_pipe2
int pipe2(int fds[2], int flags) { (void)fds, (void)flags; errno = ENOSYS; return -1; }
#endif
#ifdef C_dup
/* WASI has fd_renumber (which moves a descriptor) but no way to duplicate one. */
int dup(int fd) { (void)fd; errno = ENOSYS; return -1; }
#endif
#ifdef C_dup2
int dup2(int fd, int to) { (void)fd, (void)to; errno = ENOSYS; return -1; }
#endif
#ifdef C_dup3
int dup3(int fd, int to, int flags) { (void)fd, (void)to, (void)flags; errno = ENOSYS; return -1; }
#endif
#ifdef C_socketpair
/* No preview1 import creates a connected pair, and a loopback TCP pair would need the network
 * policy's permission and be visible on the network; see sdk/c/README.md for alternatives. */
int socketpair(int domain, int type, int protocol, int fds[2]) {
    (void)domain, (void)type, (void)protocol, (void)fds;
    errno = ENOSYS;
    return -1;
}
#endif
#ifdef C_sendfile
/* The same bytes as Linux's sendfile(), copied through a buffer: read (or pread at *offset)
 * and write. Stops at the first short or failed write, so a non-blocking socket gets what it
 * took and the rest is left for the next call, as with the real one. */
ssize_t sendfile(int out_fd, int in_fd, off_t *offset, size_t count) {
    char buf[16384];
    size_t total = 0;
    while (total < count) {
        size_t want = count - total < sizeof buf ? count - total : sizeof buf;
        ssize_t n = offset ? pread(in_fd, buf, want, *offset) : read(in_fd, buf, want);
        if (n < 0) {
            if (total)
                break;
            return -1;
        }
        if (n == 0)
            break;
        ssize_t w = write(out_fd, buf, (size_t)n);
        if (w < 0) {
            if (!offset)
                lseek(in_fd, -n, SEEK_CUR); /* the bytes read but not sent stay unread */
            if (total)
                break;
            return -1;
        }
        total += (size_t)w;
        if (offset)
            *offset += w;
        else if (w < n)
            lseek(in_fd, -(n - w), SEEK_CUR);
        if (w < n)
            break;
    }
    return (ssize_t)total;
}
#endif
#ifdef C_epoll
/* wasock has no epoll import; poll() and select() work (wasock may use epoll underneath). */
int epoll_create(int size) { (void)size; errno = ENOSYS; return -1; }
int epoll_create1(int flags) { (void)flags; errno = ENOSYS; return -1; }
int epoll_ctl(int ep, int op, int fd, struct epoll_event *ev) {
    (void)ep, (void)op, (void)fd, (void)ev;
    errno = ENOSYS;
    return -1;
}
int epoll_wait(int ep, struct epoll_event *evs, int n, int timeout) {
    (void)ep, (void)evs, (void)n, (void)timeout;
    errno = ENOSYS;
    return -1;
}
#endif
#ifdef C_eventfd
int eventfd(unsigned int initval, int flags) { (void)initval, (void)flags; errno = ENOSYS; return -1; }
#endif
#ifdef C_timerfd_create
int timerfd_create(int clock, int flags) { (void)clock, (void)flags; errno = ENOSYS; return -1; }
#endif
#ifdef C_if_nametoindex
unsigned if_nametoindex(const char *name) { (void)name; errno = ENOSYS; return 0; }
#endif
#ifdef C_if_indextoname
char *if_indextoname(unsigned index, char *name) { (void)index, (void)name; errno = ENOSYS; return NULL; }
#endif
#ifdef C_getifaddrs
int getifaddrs(struct ifaddrs **ifap) { *ifap = NULL; errno = ENOSYS; return -1; }
void freeifaddrs(struct ifaddrs *ifa) { (void)ifa; }
#endif

/* ---- dynamic loading: a wasm module is linked whole ---- */
#ifdef C_dlopen
static const char dl_message[] = "dynamic loading is not supported in WASI";
static int dl_failed;
void *dlopen(const char *file, int mode) { (void)file, (void)mode; dl_failed = 1; return NULL; }
void *dlsym(void *restrict handle, const char *restrict name) {
    (void)handle, (void)name;
    dl_failed = 1;
    return NULL;
}
int dlclose(void *handle) { (void)handle; dl_failed = 1; return -1; }
char *dlerror(void) {
    int f = dl_failed;
    dl_failed = 0;
    return f ? (char *)dl_message : NULL;
}
#endif

/* ---- temporary files: a random name for the trailing XXXXXX, created with O_EXCL ---- */
#ifdef C_mkostemps
#include <fcntl.h>
#include <sys/random.h>
/* Fills the six X's before `suffix` bytes of `t` and calls `make` until a name is free. */
static int with_temp_name(char *t, int suffix, int (*make)(const char *, int), int flags) {
    static const char chars[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    size_t len = strlen(t);
    if (suffix < 0 || len < (size_t)suffix + 6 || memcmp(t + len - suffix - 6, "XXXXXX", 6) != 0) {
        errno = EINVAL;
        return -1;
    }
    char *x = t + len - suffix - 6;
    for (int tries = 0; tries < 100; tries++) {
        unsigned char r[6];
        if (getentropy(r, sizeof r) != 0)
            return -1;
        for (int i = 0; i < 6; i++)
            x[i] = chars[r[i] % (sizeof chars - 1)];
        int fd = make(t, flags);
        if (fd >= 0 || errno != EEXIST)
            return fd;
    }
    memcpy(x, "XXXXXX", 6);
    errno = EEXIST;
    return -1;
}
static int make_file(const char *path, int flags) {
    return open(path, O_RDWR | O_CREAT | O_EXCL | (flags & ~O_ACCMODE), 0600);
}
static int make_dir(const char *path, int flags) {
    (void)flags;
    return mkdir(path, 0700);
}
/* Weak, as the five share this member: a port that defines one of them itself still links. */
__attribute__((weak)) int mkostemps(char *t, int suffix, int flags) {
    return with_temp_name(t, suffix, make_file, flags);
}
__attribute__((weak)) int mkstemps(char *t, int suffix) { return with_temp_name(t, suffix, make_file, 0); }
__attribute__((weak)) int mkostemp(char *t, int flags) { return with_temp_name(t, 0, make_file, flags); }
__attribute__((weak)) int mkstemp(char *t) { return with_temp_name(t, 0, make_file, 0); }
__attribute__((weak)) char *mkdtemp(char *t) { return with_temp_name(t, 0, make_dir, 0) == 0 ? t : NULL; }
#endif

/* ---- fchdir: wasi-libc keeps the working directory as a path; an fd's is unknown ---- */
#ifdef C_fchdir
int fchdir(int fd) { (void)fd; errno = ENOSYS; return -1; }
#endif

/* ---- POSIX clock ids: integers (time.h), mapped to wasi-libc's clock pointers ----
 * The sysroot's headers give clockid_t as an int, as POSIX asks, and rename the calls that
 * take one to these (`__wasock_clock_gettime`...); libc.a's own, which take wasi-libc's
 * `const struct __clockid *`, are reached under their own names below. */
#if defined C_clock_gettime || defined C_clock_getres
/* CLOCK_* are preview1's clock ids: 0 realtime, 1 monotonic, 2 process, 3 thread CPU time.
 * A clock the runtime lacks (wasmtime answers EBADF) is EINVAL, as POSIX says. */
static int clock_errno(__wasi_errno_t e) {
    return e == __WASI_ERRNO_BADF || e == __WASI_ERRNO_NOTSUP ? EINVAL : e;
}
static void to_timespec(__wasi_timestamp_t t, struct timespec *ts) {
    ts->tv_sec = (time_t)(t / 1000000000u);
    ts->tv_nsec = (long)(t % 1000000000u);
}
#endif
#ifdef C_clock_gettime
int clock_gettime(clockid_t id, struct timespec *ts) {
    __wasi_timestamp_t t;
    __wasi_errno_t e = id < 0 ? __WASI_ERRNO_INVAL : __wasi_clock_time_get((__wasi_clockid_t)id, 1, &t);
    if (e != 0) {
        errno = clock_errno(e);
        return -1;
    }
    to_timespec(t, ts);
    return 0;
}
#endif
#ifdef C_clock_getres
int clock_getres(clockid_t id, struct timespec *ts) {
    __wasi_timestamp_t t;
    __wasi_errno_t e = id < 0 ? __WASI_ERRNO_INVAL : __wasi_clock_res_get((__wasi_clockid_t)id, &t);
    if (e != 0) {
        errno = clock_errno(e);
        return -1;
    }
    if (ts)
        to_timespec(t, ts);
    return 0;
}
#endif
#if defined C_clock_nanosleep || defined C_pthread_condattr_clock
struct __clockid;
extern const struct __clockid _CLOCK_MONOTONIC, _CLOCK_REALTIME;
/* wasi-libc's clock for a POSIX id: only these two can be waited on. */
static const struct __clockid *wasi_clock(clockid_t id) {
    return id == CLOCK_MONOTONIC ? &_CLOCK_MONOTONIC : id == CLOCK_REALTIME ? &_CLOCK_REALTIME : NULL;
}
#endif
#ifdef C_clock_nanosleep
int wasilibc_clock_nanosleep(const struct __clockid *, int, const struct timespec *,
                             struct timespec *) __asm__("clock_nanosleep");
int clock_nanosleep(clockid_t id, int flags, const struct timespec *req, struct timespec *rem) {
    const struct __clockid *c = wasi_clock(id);
    if (!c) /* POSIX: ENOTSUP for the process's CPU-time clock, EINVAL for the others */
        return id == CLOCK_PROCESS_CPUTIME_ID ? ENOTSUP : EINVAL;
    return wasilibc_clock_nanosleep(c, flags, req, rem);
}
#endif
#ifdef C_pthread_condattr_clock
int wasilibc_condattr_setclock(pthread_condattr_t *, const struct __clockid *)
    __asm__("pthread_condattr_setclock");
int pthread_condattr_setclock(pthread_condattr_t *a, clockid_t id) {
    const struct __clockid *c = wasi_clock(id);
    return c ? wasilibc_condattr_setclock(a, c) : EINVAL;
}
/* libc.a's getclock answers 0 and writes nothing; its setclock keeps the clock's preview1 id
 * where musl does (the low 31 bits; the top one is pshared), which is the POSIX id. */
int pthread_condattr_getclock(const pthread_condattr_t *restrict a, clockid_t *restrict id) {
    *id = (clockid_t)(a->__attr & 0x7fffffff);
    return 0;
}
#endif

/* ---- poll() with the usual flag values (poll.h), over libc.a's, whose differ ---- */
#ifdef C_poll
int wasilibc_poll(struct pollfd *, nfds_t, int) __asm__("poll");
/* libc.a's values (wasi-libc's __header_poll.h). */
enum { W_RDNORM = 0x1, W_WRNORM = 0x2, W_ERR = 0x1000, W_HUP = 0x2000, W_NVAL = 0x4000 };
int poll(struct pollfd *fds, nfds_t n, int timeout) {
    /* A copy, not the caller's array rewritten in place: POSIX leaves `events` untouched. */
    struct pollfd small[64], *w = small;
    if (n > sizeof small / sizeof small[0]) {
        w = n <= SIZE_MAX / sizeof *w ? malloc(n * sizeof *w) : NULL;
        if (!w) {
            errno = ENOMEM;
            return -1;
        }
    }
    for (nfds_t i = 0; i < n; i++) {
        short e = fds[i].events;
        w[i].fd = fds[i].fd;
        w[i].events = (short)((e & (POLLIN | POLLRDNORM) ? W_RDNORM : 0) |
                              (e & (POLLOUT | POLLWRNORM) ? W_WRNORM : 0));
        w[i].revents = 0;
    }
    int r = wasilibc_poll(w, n, timeout);
    int saved = errno;
    if (r >= 0) {
        for (nfds_t i = 0; i < n; i++) {
            short e = fds[i].events, x = w[i].revents, out = 0;
            if (x & W_RDNORM)
                out |= e & (POLLIN | POLLRDNORM);
            if (x & W_WRNORM)
                out |= e & (POLLOUT | POLLWRNORM);
            out |= (x & W_ERR ? POLLERR : 0) | (x & W_HUP ? POLLHUP : 0) | (x & W_NVAL ? POLLNVAL : 0);
            fds[i].revents = out;
        }
    }
    if (w != small)
        free(w);
    errno = saved;
    return r;
}
#endif
