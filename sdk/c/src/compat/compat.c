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
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <syslog.h>
#include <unistd.h>

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

/* ---- sockets and descriptors ---- */
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
