/* preview1 semantics the WASI testsuite (WebAssembly/wasi-testsuite) pins, inside the preopened
 * directory argv[1]; each group mirrors one of its tests, so a clone without the suite still
 * checks them. Further arguments pick groups by name (default: all). Where the suite and POSIX
 * disagree the suite wins; docs/wasi.md lists those places. */
#include "../check.h"
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <wasi/api.h>

static int argc_;
static char **argv_;
static char p1[256];
#define AT(name) (snprintf(p1, sizeof p1, "%s/%s", argv_[1], name), p1)

static int want(const char *group) {
    if (argc_ == 2)
        return 1;
    for (int i = 2; i < argc_; i++)
        if (!strcmp(argv_[i], group))
            return 1;
    return 0;
}

static void touch(const char *path, const char *text) {
    int fd = open(path, O_CREAT | O_WRONLY | O_TRUNC, 0644);
    CHECK(fd >= 0 && write(fd, text, strlen(text)) == (ssize_t)strlen(text) && close(fd) == 0);
}

static off_t size_of(const char *path) {
    struct stat st;
    CHECK(stat(path, &st) == 0);
    return st.st_size;
}

/* path_open: a raw call, so the errno is exactly the host's. */
static __wasi_errno_t wopen(int dir, const char *name, __wasi_oflags_t of, __wasi_rights_t base, __wasi_fd_t *fd) {
    return __wasi_path_open(dir, 0, name, of, base, 0, 0, fd);
}

int main(int argc, char **argv) {
    CHECK(argc >= 2);
    argc_ = argc;
    argv_ = argv;

    /* c/pwrite-with-append: O_APPEND goes with O_TRUNC; pwrite leaves the offset alone. */
    if (want("append_trunc")) {
        char buf[4] = "abcd";
        int fd = open(AT("append.txt"), O_CREAT | O_TRUNC | O_WRONLY | O_APPEND, 0644);
        CHECK(fd >= 0);
        CHECK(write(fd, buf, 2) == 2);
        CHECK(lseek(fd, 0, SEEK_SET) == 0 && write(fd, buf, 2) == 2); /* appended */
        CHECK(lseek(fd, 0, SEEK_CUR) == 4);
        CHECK(pwrite(fd, buf, 3, 0) == 3);
        CHECK(lseek(fd, 0, SEEK_CUR) == 4);
        /* POSIX writes at 0, Linux (O_APPEND wins) at the end: the suite accepts both. */
        off_t end = lseek(fd, 0, SEEK_END);
        CHECK(end == 4 || end == 7);
        CHECK(close(fd) == 0);
        /* O_TRUNC really truncated an existing file opened with O_APPEND. */
        fd = open(AT("append.txt"), O_CREAT | O_TRUNC | O_WRONLY | O_APPEND, 0644);
        CHECK(fd >= 0 && close(fd) == 0 && size_of(AT("append.txt")) == 0);
        OK("append_trunc");
    }

    /* rust/path_open_preopen: a directory opened with O_DIRECTORY and write rights is EISDIR. */
    if (want("dir_write")) {
        CHECK(mkdir(AT("d"), 0755) == 0);
        CHECK_ERR(open(AT("d"), O_RDWR | O_DIRECTORY), EISDIR);
        CHECK_ERR(open(AT("d"), O_WRONLY | O_DIRECTORY), EISDIR);
        CHECK_ERR(open(AT("d"), O_RDWR), EISDIR);
        int fd = open(AT("d"), O_RDONLY | O_DIRECTORY);
        CHECK(fd >= 0 && close(fd) == 0);
        touch(AT("plain"), "x");
        CHECK_ERR(open(AT("plain"), O_RDWR | O_DIRECTORY), ENOTDIR);
        CHECK(rmdir(AT("d")) == 0 && unlink(AT("plain")) == 0);
        OK("dir_write");
    }

    /* rust/truncation_rights: O_TRUNC needs the directory's path_filestat_set_size right and
     * O_CREAT its path_create_file right; without them path_open fails and changes nothing. */
    if (want("open_rights")) {
        int dir = open(argv[1], O_RDONLY | O_DIRECTORY);
        CHECK(dir >= 0);
        touch(AT("keep.txt"), "data");
        __wasi_fdstat_t st;
        CHECK(__wasi_fd_fdstat_get(dir, &st) == 0);
        CHECK(st.fs_rights_base & __WASI_RIGHTS_PATH_FILESTAT_SET_SIZE);
        CHECK(st.fs_rights_base & __WASI_RIGHTS_PATH_CREATE_FILE);
        __wasi_fd_t fd;
        /* With the rights, both work (no file rights asked for). */
        CHECK(wopen(dir, "keep.txt", __WASI_OFLAGS_TRUNC, 0, &fd) == 0 && close(fd) == 0);
        CHECK(size_of(AT("keep.txt")) == 0);
        touch(AT("keep.txt"), "data");
        CHECK(wopen(dir, "made.txt", __WASI_OFLAGS_CREAT, 0, &fd) == 0 && close(fd) == 0);
        CHECK(unlink(AT("made.txt")) == 0);

        __wasi_rights_t all = st.fs_rights_base;
        CHECK(__wasi_fd_fdstat_set_rights(dir, all & ~__WASI_RIGHTS_PATH_FILESTAT_SET_SIZE, st.fs_rights_inheriting) == 0);
        CHECK(wopen(dir, "keep.txt", __WASI_OFLAGS_TRUNC, 0, &fd) == __WASI_ERRNO_NOTCAPABLE);
        CHECK(wopen(dir, "keep.txt", __WASI_OFLAGS_CREAT | __WASI_OFLAGS_TRUNC, 0, &fd) == __WASI_ERRNO_NOTCAPABLE);
        CHECK(size_of(AT("keep.txt")) == 4); /* not truncated */
        CHECK(wopen(dir, "keep.txt", 0, __WASI_RIGHTS_FD_READ, &fd) == 0 && close(fd) == 0);

        CHECK(__wasi_fd_fdstat_set_rights(dir, all & ~(__WASI_RIGHTS_PATH_FILESTAT_SET_SIZE | __WASI_RIGHTS_PATH_CREATE_FILE), st.fs_rights_inheriting) == 0);
        CHECK(wopen(dir, "new.txt", __WASI_OFLAGS_CREAT, 0, &fd) == __WASI_ERRNO_NOTCAPABLE);
        struct stat s;
        CHECK_ERR(stat(AT("new.txt"), &s), ENOENT); /* not created */
        CHECK(close(dir) == 0 && unlink(AT("keep.txt")) == 0);
        OK("open_rights");
    }

    /* rust/path_link: LOOKUPFLAGS_SYMLINK_FOLLOW is refused (EINVAL) and links nothing. */
    if (want("link_follow")) {
        int dir = open(argv[1], O_RDONLY | O_DIRECTORY);
        CHECK(dir >= 0);
        touch(AT("target"), "t");
        CHECK(symlink("target", AT("sym")) == 0);
        CHECK(__wasi_path_link(dir, __WASI_LOOKUPFLAGS_SYMLINK_FOLLOW, "sym", dir, "link") == __WASI_ERRNO_INVAL);
        struct stat s;
        CHECK_ERR(lstat(AT("link"), &s), ENOENT);
        /* Without the flag the symlink itself is linked. */
        CHECK(__wasi_path_link(dir, 0, "sym", dir, "link") == 0);
        CHECK(lstat(AT("link"), &s) == 0 && S_ISLNK(s.st_mode));
        CHECK(unlink(AT("link")) == 0 && unlink(AT("sym")) == 0 && unlink(AT("target")) == 0);
        CHECK(close(dir) == 0);
        OK("link_follow");
    }
    return 0;
}
