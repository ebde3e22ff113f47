/* Regular-file operations inside the preopened directory argv[1]. */
#include "../check.h"
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>
#include <wasi/api.h>

static char path[256];
static const char *at(const char *dir, const char *name) {
    snprintf(path, sizeof path, "%s/%s", dir, name);
    return path;
}

int main(int argc, char **argv) {
    CHECK(argc == 2);
    const char *d = argv[1];
    char buf[64];

    int fd = open(at(d, "data.txt"), O_CREAT | O_RDWR | O_TRUNC, 0644);
    CHECK(fd >= 0);
    CHECK(write(fd, "hello world\n", 12) == 12);
    CHECK(lseek(fd, 0, SEEK_CUR) == 12);
    CHECK(lseek(fd, 6, SEEK_SET) == 6);
    CHECK(read(fd, buf, 5) == 5 && memcmp(buf, "world", 5) == 0);
    CHECK(lseek(fd, -1, SEEK_END) == 11);
    CHECK_ERR(lseek(fd, -100, SEEK_SET), EINVAL);
    OK("write_read_seek");

    CHECK(pread(fd, buf, 5, 0) == 5 && memcmp(buf, "hello", 5) == 0);
    CHECK(pwrite(fd, "HELLO", 5, 0) == 5);
    CHECK(pread(fd, buf, 12, 0) == 12 && memcmp(buf, "HELLO world\n", 12) == 0);
    CHECK(lseek(fd, 0, SEEK_CUR) == 11); /* pread/pwrite leave the offset alone */
    OK("pread_pwrite");

    struct iovec iov[2] = {{"ab", 2}, {"cd", 2}};
    CHECK(lseek(fd, 0, SEEK_END) == 12);
    CHECK(writev(fd, iov, 2) == 4);
    struct stat st;
    CHECK(fstat(fd, &st) == 0 && st.st_size == 16 && S_ISREG(st.st_mode));
    CHECK(ftruncate(fd, 5) == 0);
    CHECK(fstat(fd, &st) == 0 && st.st_size == 5);
    CHECK(fsync(fd) == 0 && fdatasync(fd) == 0);
    CHECK(posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL) == 0);
    CHECK(posix_fallocate(fd, 0, 4096) == 0);
    CHECK(fstat(fd, &st) == 0 && st.st_size == 4096);
    OK("writev_truncate_sync");

    struct timespec times[2] = {{1000000000, 0}, {1200000000, 500}};
    CHECK(futimens(fd, times) == 0);
    CHECK(fstat(fd, &st) == 0 && st.st_mtim.tv_sec == 1200000000 && st.st_mtim.tv_nsec == 500);
    CHECK(st.st_atim.tv_sec == 1000000000);
    struct timespec omit_now[2] = {{0, UTIME_OMIT}, {0, UTIME_NOW}};
    CHECK(utimensat(AT_FDCWD, at(d, "data.txt"), omit_now, 0) == 0);
    CHECK(stat(at(d, "data.txt"), &st) == 0 && st.st_atim.tv_sec == 1000000000 && st.st_mtim.tv_sec > 1600000000);
    OK("times");

    int fl = fcntl(fd, F_GETFL);
    CHECK(fl >= 0 && (fl & O_ACCMODE) == O_RDWR && !(fl & O_APPEND));
    CHECK(fcntl(fd, F_SETFL, fl | O_APPEND | O_NONBLOCK) == 0);
    fl = fcntl(fd, F_GETFL);
    CHECK((fl & O_APPEND) && (fl & O_NONBLOCK));
    CHECK(close(fd) == 0);
    CHECK_ERR(close(fd), EBADF);
    OK("fcntl_close");

    fd = open(at(d, "log.txt"), O_CREAT | O_WRONLY | O_APPEND, 0644);
    CHECK(fd >= 0 && write(fd, "1", 1) == 1);
    CHECK(lseek(fd, 0, SEEK_SET) == 0 && write(fd, "2", 1) == 1); /* O_APPEND: still at the end */
    close(fd);
    fd = open(at(d, "log.txt"), O_RDONLY);
    CHECK(fd >= 0 && read(fd, buf, 10) == 2 && memcmp(buf, "12", 2) == 0);
    CHECK_ERR(write(fd, "x", 1), EBADF); /* read-only */
    close(fd);
    CHECK_ERR(open(at(d, "log.txt"), O_CREAT | O_EXCL | O_WRONLY, 0644), EEXIST);
    CHECK_ERR(open(at(d, "nope.txt"), O_RDONLY), ENOENT);
    OK("append_excl");

    int a = open(at(d, "a.txt"), O_CREAT | O_WRONLY, 0644), b = open(at(d, "b.txt"), O_CREAT | O_WRONLY, 0644);
    CHECK(a >= 0 && b >= 0);
    CHECK(__wasi_fd_renumber(a, b) == 0); /* WASI has no dup2; fd_renumber moves a onto b */
    CHECK(write(b, "via-b", 5) == 5);
    CHECK_ERR(write(a, "x", 1), EBADF);
    close(b);
    OK("renumber");
    return 0;
}
