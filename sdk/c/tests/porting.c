/* What ported POSIX programs use around their sockets (issue 19), built with only the flags a
 * wasi-sdk user would add: -D_WASI_EMULATED_{SIGNAL,GETPID,PROCESS_CLOCKS,MMAN} and
 * -lwasi-emulated-{signal,getpid,process-clocks,mman}. The same source builds natively (cc),
 * where the WASI-only expectations (ENOSYS, the placeholder pid) do not apply.
 * usage: porting DIR   (DIR: a writable directory, preopened under wasock)
 * Prints `ok NAME` per check, `FAIL ...` and exit 1 on the first failure. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <dlfcn.h>
#include <err.h>
#include <errno.h>
#include <grp.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/times.h>
#include <sys/un.h>
#include <fcntl.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "check.h"

/* The values every Unix gives these (programs assert them: lighttpd). */
_Static_assert(POLLIN == 0x1 && POLLPRI == 0x2 && POLLOUT == 0x4 && POLLERR == 0x8 &&
                   POLLHUP == 0x10 && POLLNVAL == 0x20,
               "poll flags");
_Static_assert(sizeof(((struct sockaddr_un *)0)->sun_path) == 108, "sun_path");
_Static_assert(sizeof(struct sockaddr_storage) >= sizeof(struct sockaddr_un), "storage holds all");

static volatile sig_atomic_t got;
static void on_usr1(int sig) { got = sig; }
static volatile int rearmed;
/* The System V idiom: the handler installs itself again (it must not find a lock held). */
static void on_usr1_rearm(int sig) {
    rearmed++;
    signal(sig, on_usr1_rearm);
}
static volatile sig_atomic_t info_signo;
static void on_info(int sig, siginfo_t *info, void *ctx) {
    (void)ctx;
    info_signo = info->si_signo == sig ? sig : -1;
}

/* 64 frames of 8 KiB: 512 KiB of stack, 8x wasm-ld's old 64 KiB default. */
__attribute__((noinline)) static int deep(int n) {
    volatile char frame[8192];
    frame[(unsigned)n % sizeof frame] = (char)n;
    return n == 0 ? 0 : deep(n - 1) + frame[(unsigned)n % sizeof frame];
}

int main(int argc, char **argv) {
    if (argc < 2) {
        fprintf(stderr, "usage: porting DIR\n");
        return 2;
    }
    const char *dir = argv[1];

    /* signal: handlers run on raise(); SIG_IGN and SIG_ERR are distinct values. */
    CHECK("signal_ign", signal(SIGPIPE, SIG_IGN) != SIG_ERR && raise(SIGPIPE) == 0);
    CHECK("signal_handler", signal(SIGUSR1, on_usr1) != SIG_ERR && raise(SIGUSR1) == 0 &&
                                got == SIGUSR1);
    CHECK("signal_returns_old", signal(SIGUSR1, SIG_DFL) == on_usr1);
    CHECK("signal_bad", signal(SIGKILL, on_usr1) == SIG_ERR && errno == EINVAL);
    CHECK("signal_rearm_in_handler", signal(SIGUSR1, on_usr1_rearm) != SIG_ERR &&
                                         raise(SIGUSR1) == 0 && raise(SIGUSR1) == 0 &&
                                         rearmed == 2 && signal(SIGUSR1, SIG_DFL) == on_usr1_rearm);
    CHECK("strsignal", strcmp(strsignal(SIGTERM), "Terminated") == 0);
    /* alarm: POSIX's bookkeeping (under WASI it never fires, and says so once on stderr). */
    unsigned left = 1;
    CHECK("alarm", alarm(0) == 0 && alarm(100) == 0 && (left = alarm(0)) >= 99 &&
                       left <= 100 && alarm(0) == 0);

    /* sigaction: SA_SIGINFO handlers, masks, pending signals, kill() of the own pid */
    struct sigaction sa, old;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = SIG_IGN;
    sigemptyset(&sa.sa_mask);
    CHECK("sigaction_ign", sigaction(SIGPIPE, &sa, NULL) == 0 && raise(SIGPIPE) == 0);
    sa.sa_sigaction = on_info;
    sa.sa_flags = SA_SIGINFO;
    CHECK("sigaction_siginfo", sigaction(SIGUSR2, &sa, NULL) == 0 && raise(SIGUSR2) == 0 &&
                                   info_signo == SIGUSR2);
    CHECK("sigaction_old", sigaction(SIGUSR2, NULL, &old) == 0 && old.sa_sigaction == on_info &&
                               (old.sa_flags & SA_SIGINFO));
    sigset_t set, pend;
    sigemptyset(&set);
    sigaddset(&set, SIGUSR2);
    info_signo = 0;
    CHECK("sigprocmask_blocks", sigprocmask(SIG_BLOCK, &set, NULL) == 0 && raise(SIGUSR2) == 0 &&
                                    info_signo == 0 && sigpending(&pend) == 0 &&
                                    sigismember(&pend, SIGUSR2) == 1);
    CHECK("sigprocmask_delivers", sigprocmask(SIG_UNBLOCK, &set, NULL) == 0 &&
                                      info_signo == SIGUSR2);
    info_signo = 0;
    CHECK("kill_self", kill(getpid(), SIGUSR2) == 0 && info_signo == SIGUSR2 &&
                           kill(getpid(), 0) == 0);
#ifdef __wasi__
    CHECK("kill_other", kill(1234, SIGTERM) == -1 && errno == ESRCH);
#endif

    /* getpid, process clocks */
    pid_t pid = getpid();
#ifdef __wasi__
    CHECK("getpid", pid == 42);
#else
    CHECK("getpid", pid > 0);
#endif
    /* Burn 50 ms of CPU (enough for times()'s 100 Hz ticks natively). */
    clock_t c;
    volatile unsigned long spin = 0;
    while ((c = clock()) != (clock_t)-1 && c < CLOCKS_PER_SEC / 20)
        spin++;
    CHECK("clock", c != (clock_t)-1 && c >= CLOCKS_PER_SEC / 20);
    struct tms t;
    CHECK("times", times(&t) != (clock_t)-1 && t.tms_utime + t.tms_stime > 0);
    struct rusage ru;
    CHECK("getrusage", getrusage(RUSAGE_SELF, &ru) == 0 &&
                           ru.ru_utime.tv_sec + ru.ru_stime.tv_sec + ru.ru_utime.tv_usec + ru.ru_stime.tv_usec > 0);

    /* mman: anonymous maps are zeroed memory */
    unsigned char *m = mmap(NULL, 100000, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    CHECK("mmap_anon", m != MAP_FAILED && m[0] == 0 && m[99999] == 0);
    m[5] = 7;
    CHECK("munmap", munmap(m, 100000) == 0);
#ifdef __wasi__
    /* whole maps only: a shorter length would free pages still in use */
    m = mmap(NULL, 200000, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    CHECK("munmap_part", m != MAP_FAILED && munmap(m, 1000) == -1 && errno == EINVAL);
    CHECK("munmap_whole", munmap(m, 200000) == 0);
#endif

    /* inet_* are in libc.a and now declared */
    struct in_addr a;
    CHECK("inet_addr", inet_addr("127.0.0.1") == htonl(0x7f000001));
    CHECK("inet_addr_bad", inet_addr("300.1.1.1") == INADDR_NONE);
    CHECK("inet_aton", inet_aton("10.1.2.3", &a) == 1 && a.s_addr == htonl(0x0a010203));
    CHECK("inet_ntoa", strcmp(inet_ntoa(a), "10.1.2.3") == 0);

    /* CMSG macros walk a control buffer as on Linux */
    union {
        char buf[CMSG_SPACE(sizeof(int)) * 2];
        struct cmsghdr align;
    } control;
    memset(&control, 0, sizeof control);
    struct msghdr msg = {0};
    msg.msg_control = control.buf;
    msg.msg_controllen = sizeof control.buf;
    struct cmsghdr *cm = CMSG_FIRSTHDR(&msg);
    cm->cmsg_level = SOL_SOCKET;
    cm->cmsg_type = SCM_RIGHTS;
    cm->cmsg_len = CMSG_LEN(sizeof(int));
    memcpy(CMSG_DATA(cm), &(int){5}, sizeof(int));
    struct cmsghdr *second = CMSG_NXTHDR(&msg, cm);
    CHECK("cmsg", second != NULL && (char *)second - (char *)cm == (long)CMSG_SPACE(sizeof(int)) &&
                      CMSG_LEN(0) == CMSG_ALIGN(sizeof(struct cmsghdr)) &&
                      *(int *)CMSG_DATA(cm) == 5);

    /* socketpair: no preview1 import makes a connected pair */
    int sv[2];
    int r = socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
#ifdef __wasi__
    CHECK("socketpair_enosys", r == -1 && errno == ENOSYS);
#else
    CHECK("socketpair_native", r == 0 && close(sv[0]) == 0 && close(sv[1]) == 0);
#endif

    /* users, groups, syslog: link, and fail or log honestly */
#ifdef __wasi__
    errno = 0;
    CHECK("getpwnam", getpwnam("root") == NULL && errno == ENOSYS);
    CHECK("getgrnam", getgrnam("root") == NULL && errno == ENOSYS);
#else
    (void)getpwnam("root");
    (void)getgrnam("root");
    printf("ok getpwnam\nok getgrnam\n");
#endif
#ifdef __wasi__
    errno = 0;
    CHECK("getgrouplist", initgroups("root", 0) == -1 && errno == ENOSYS);
    CHECK("system", system(NULL) == 0 && system("true") == -1 && errno == ENOSYS);
    CHECK("epoll", epoll_create1(0) == -1 && errno == ENOSYS);
    CHECK("dlopen", dlopen("x.so", RTLD_NOW) == NULL && strstr(dlerror(), "WASI") != NULL &&
                        dlerror() == NULL);
#endif
    warnx("warnx works: %d", 7);
    printf("ok warnx\n");
    openlog("porting", LOG_PID, LOG_DAEMON);
    errno = ENOENT;
    syslog(LOG_INFO, "syslog works: %s (%m)", "yes");
    closelog();
    printf("ok syslog\n");

    /* sendfile: a file's bytes to another descriptor, with and without an offset */
    char src[512], dst[512];
    snprintf(src, sizeof src, "%s/sendfile-src", dir);
    snprintf(dst, sizeof dst, "%s/sendfile-dst", dir);
    int in = open(src, O_RDWR | O_CREAT | O_TRUNC, 0644);
    int out = open(dst, O_RDWR | O_CREAT | O_TRUNC, 0644);
    CHECK("sendfile_open", in >= 0 && out >= 0 && write(in, "0123456789", 10) == 10);
    off_t off = 2;
    CHECK("sendfile_offset", sendfile(out, in, &off, 5) == 5 && off == 7);
    CHECK("sendfile_pos", lseek(in, 8, SEEK_SET) == 8 && sendfile(out, in, NULL, 100) == 2 &&
                              lseek(in, 0, SEEK_CUR) == 10);
    char back[16] = {0};
    CHECK("sendfile_bytes", pread(out, back, sizeof back, 0) == 7 && memcmp(back, "2345689", 7) == 0);
    close(in);
    close(out);
    unlink(src);
    unlink(dst);

    /* clock ids are integers (POSIX): kept in an int, switched on */
    int clk = CLOCK_MONOTONIC, which = -1;
    switch (clk) {
    case CLOCK_REALTIME: which = 0; break;
    case CLOCK_MONOTONIC: which = 1; break;
    }
    struct timespec t0, t1, res;
    CHECK("clockid_int", which == 1 && clock_gettime(clk, &t0) == 0 &&
                             clock_gettime(CLOCK_REALTIME, &t1) == 0 && t1.tv_sec > 1600000000);
    CHECK("clock_cputime", clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t1) == 0 &&
                               clock_getres(CLOCK_MONOTONIC, &res) == 0 && res.tv_sec == 0);
    errno = 0;
    CHECK("clock_bad", clock_gettime(77, &t1) == -1 && errno == EINVAL &&
                           clock_nanosleep(77, 0, &res, NULL) == EINVAL);
    struct timespec ms = {0, 2000000};
    CHECK("clock_nanosleep", clock_nanosleep(CLOCK_MONOTONIC, 0, &ms, NULL) == 0 &&
                                 clock_gettime(CLOCK_MONOTONIC, &t1) == 0 &&
                                 (t1.tv_sec - t0.tv_sec) * 1000000000L + (t1.tv_nsec - t0.tv_nsec) >= 2000000);
    t1.tv_nsec += 1000000;
    if (t1.tv_nsec >= 1000000000L) {
        t1.tv_sec++;
        t1.tv_nsec -= 1000000000L;
    }
    CHECK("clock_nanosleep_abs", clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &t1, NULL) == 0 &&
                                     clock_gettime(CLOCK_MONOTONIC, &t0) == 0 &&
                                     (t0.tv_sec > t1.tv_sec ||
                                      (t0.tv_sec == t1.tv_sec && t0.tv_nsec >= t1.tv_nsec)));
    pthread_condattr_t ca;
    clockid_t got_clock = -1;
    CHECK("condattr_init", pthread_condattr_init(&ca) == 0 &&
                               pthread_condattr_getclock(&ca, &got_clock) == 0 &&
                               got_clock == CLOCK_REALTIME);
    CHECK("condattr_clock", pthread_condattr_setclock(&ca, CLOCK_MONOTONIC) == 0 &&
                                pthread_condattr_getclock(&ca, &got_clock) == 0 &&
                                got_clock == CLOCK_MONOTONIC);

    /* poll with the usual values: a file is readable and writable, a negative fd ignored, a
     * closed one POLLNVAL; `events` is left as given */
    char tmpl[512];
    snprintf(tmpl, sizeof tmpl, "%s/tmp-XXXXXX", dir);
    int tf = mkstemp(tmpl);
    CHECK("mkstemp", tf >= 0 && strstr(tmpl, "XXXXXX") == NULL && access(tmpl, F_OK) == 0);
    struct pollfd pf[3] = {{tf, POLLIN | POLLOUT | POLLPRI, 0}, {-1, POLLIN, 0}, {9999, POLLIN, 0}};
    CHECK("poll_values", poll(pf, 3, 0) == 2 && pf[0].revents == (POLLIN | POLLOUT) &&
                             pf[0].events == (POLLIN | POLLOUT | POLLPRI) && pf[1].revents == 0 &&
                             pf[2].revents == POLLNVAL);
    struct pollfd many[100];
    for (int i = 0; i < 100; i++)
        many[i] = (struct pollfd){i == 99 ? tf : -1, POLLOUT, 0};
    CHECK("poll_many", poll(many, 100, 0) == 1 && many[99].revents == POLLOUT);
    close(tf);
    unlink(tmpl);
    char bad[] = "no-x's";
    CHECK("mkstemp_einval", mkstemp(bad) == -1 && errno == EINVAL);
    snprintf(tmpl, sizeof tmpl, "%s/tmp-XXXXXX.log", dir);
    tf = mkstemps(tmpl, 4);
    CHECK("mkstemps", tf >= 0 && strcmp(tmpl + strlen(tmpl) - 4, ".log") == 0 && close(tf) == 0 &&
                          unlink(tmpl) == 0);
    snprintf(tmpl, sizeof tmpl, "%s/dir-XXXXXX", dir);
    struct stat st;
    CHECK("mkdtemp", mkdtemp(tmpl) == tmpl && stat(tmpl, &st) == 0 && S_ISDIR(st.st_mode) &&
                         rmdir(tmpl) == 0);
    /* resource limits and both ids at once (3proxy) */
    struct rlimit rl;
    CHECK("getrlimit", getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur > 2 && rl.rlim_cur <= rl.rlim_max);
    CHECK("setrlimit_same", setrlimit(RLIMIT_NOFILE, &rl) == 0);
    CHECK("setreuid_same", setreuid((uid_t)-1, geteuid()) == 0 && setregid(getgid(), (gid_t)-1) == 0);
#ifdef __wasi__
    CHECK("getrlimit_values", rl.rlim_cur == 16384 && rl.rlim_max == 16384 &&
                                  getrlimit(RLIMIT_CORE, &rl) == 0 && rl.rlim_max == 0 &&
                                  getrlimit(RLIMIT_STACK, &rl) == 0 && rl.rlim_cur == RLIM_INFINITY &&
                                  getrlimit(99, &rl) == -1 && errno == EINVAL);
    rl.rlim_cur = rl.rlim_max = 100000;
    CHECK("setrlimit_raise", setrlimit(RLIMIT_NOFILE, &rl) == -1 && errno == EPERM);
    rl.rlim_cur = rl.rlim_max = 100;
    CHECK("setrlimit_lower", setrlimit(RLIMIT_NOFILE, &rl) == -1 && errno == ENOSYS);
    CHECK("setreuid_root", setreuid(0, 0) == -1 && errno == EPERM && setregid(0, (gid_t)-1) == -1 &&
                               errno == EPERM);
    int so = socket(PF_INET, SOCK_STREAM, 0), one = 1;
    CHECK("so_oobinline", so >= 0 && setsockopt(so, SOL_SOCKET, SO_OOBINLINE, &one, sizeof one) == -1 &&
                              errno == ENOPROTOOPT && close(so) == 0);
    CHECK("pf_unix", PF_LOCAL == AF_UNIX && AF_LOCAL == AF_UNIX && socket(PF_UNIX, SOCK_STREAM, 0) == -1 &&
                         errno == EAFNOSUPPORT);
    CHECK("getppid", getppid() == 1 && kill(getppid(), 0) == -1 && errno == ESRCH);
    CHECK("clock_nanosleep_cputime", clock_nanosleep(CLOCK_PROCESS_CPUTIME_ID, 0, &ms, NULL) == ENOTSUP);
    CHECK("fchdir", fchdir(3) == -1 && errno == ENOSYS);
    CHECK("f_dupfd", fcntl(1, F_DUPFD, 10) == -1 && errno == EINVAL);
#else
    CHECK("getppid", getppid() > 0);
#endif

    /* the stack: 512 KiB deep, far past the old 64 KiB */
    CHECK("deep_stack", deep(64) >= 0);
    puts("porting: all ok");
    return 0;
}
