/* Directory operations inside the preopened directory argv[1]. */
#include "../check.h"
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

static char p1[256], p2[256];
#define AT(buf, name) (snprintf(buf, sizeof buf, "%s/%s", d, name), buf)

static void touch(const char *path, const char *text) {
    int fd = open(path, O_CREAT | O_WRONLY | O_TRUNC, 0644);
    CHECK(fd >= 0 && write(fd, text, strlen(text)) == (ssize_t)strlen(text) && close(fd) == 0);
}

/* Lists `path`: returns the number of entries other than . and ..; *dots counts those. */
static int list(const char *path, int *dots) {
    DIR *dir = opendir(path);
    CHECK(dir != NULL);
    int n = 0;
    *dots = 0;
    struct dirent *e;
    while ((e = readdir(dir))) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
            ++*dots;
        else
            n++;
    }
    CHECK(closedir(dir) == 0);
    return n;
}

int main(int argc, char **argv) {
    CHECK(argc == 2);
    const char *d = argv[1];
    struct stat st;
    int dots;

    CHECK(mkdir(AT(p1, "sub"), 0755) == 0);
    CHECK(stat(AT(p1, "sub"), &st) == 0 && S_ISDIR(st.st_mode));
    CHECK(list(AT(p1, "sub"), &dots) == 0 && dots == 2); /* fd_readdir yields . and .. */
    CHECK_ERR(mkdir(AT(p1, "sub"), 0755), EEXIST);
    CHECK_ERR(mkdir(AT(p1, "no/such/parent"), 0755), ENOENT);
    touch(AT(p1, "sub/f1"), "x");
    CHECK_ERR(rmdir(AT(p1, "sub")), ENOTEMPTY);
    CHECK_ERR(rmdir(AT(p1, "sub/f1")), ENOTDIR);
    CHECK_ERR(unlink(AT(p1, "sub")), EISDIR);
    CHECK_ERR(mkdir(AT(p1, "sub/f1/x"), 0755), ENOTDIR);
    OK("mkdir");

    CHECK(link(AT(p1, "sub/f1"), AT(p2, "sub/f2")) == 0);
    CHECK(stat(AT(p1, "sub/f1"), &st) == 0 && st.st_nlink == 2);
    CHECK_ERR(link(AT(p1, "sub/f1"), AT(p2, "sub/f2")), EEXIST);
    CHECK(rename(AT(p1, "sub/f2"), AT(p2, "sub/f3")) == 0);
    CHECK_ERR(stat(AT(p1, "sub/f2"), &st), ENOENT);
    touch(AT(p1, "sub/victim"), "old");
    CHECK(rename(AT(p1, "sub/victim"), AT(p2, "sub/f3")) == 0); /* replaces f3 */
    CHECK(stat(AT(p1, "sub/f3"), &st) == 0 && st.st_size == 3 && st.st_nlink == 1);
    CHECK(mkdir(AT(p1, "full"), 0755) == 0);
    touch(AT(p1, "full/x"), "");
    CHECK(mkdir(AT(p1, "empty"), 0755) == 0);
    CHECK_ERR(rename(AT(p1, "sub/f3"), AT(p2, "empty")), EISDIR);
    CHECK_ERR(rename(AT(p1, "empty"), AT(p2, "sub/f3")), ENOTDIR);
    errno = 0;
    CHECK(rename(AT(p1, "empty"), AT(p2, "full")) == -1 && (errno == ENOTEMPTY || errno == EEXIST));
    CHECK(rename(AT(p1, "empty"), AT(p2, "empty2")) == 0 && rmdir(AT(p1, "empty2")) == 0);

    CHECK(symlink("f1", AT(p1, "sub/ln")) == 0);
    char target[64] = {0};
    CHECK(readlink(AT(p1, "sub/ln"), target, sizeof target) == 2 && memcmp(target, "f1", 2) == 0);
    CHECK_ERR(readlink(AT(p1, "sub/f1"), target, sizeof target), EINVAL);
    CHECK(lstat(AT(p1, "sub/ln"), &st) == 0 && S_ISLNK(st.st_mode));
    CHECK(stat(AT(p1, "sub/ln"), &st) == 0 && S_ISREG(st.st_mode) && st.st_size == 1);
    CHECK(symlink("nowhere", AT(p1, "dangling")) == 0);
    CHECK_ERR(stat(AT(p1, "dangling"), &st), ENOENT);
    CHECK(lstat(AT(p1, "dangling"), &st) == 0 && S_ISLNK(st.st_mode));
    CHECK(unlink(AT(p1, "dangling")) == 0);
    /* A name directly in the preopen: stat follows it, lstat does not, a trailing slash on a
       file fails. */
    CHECK(symlink("sub/f1", AT(p1, "top")) == 0);
    CHECK(stat(AT(p1, "top"), &st) == 0 && S_ISREG(st.st_mode) && st.st_size == 1);
    CHECK(lstat(AT(p1, "top"), &st) == 0 && S_ISLNK(st.st_mode));
    CHECK(unlink(AT(p1, "top")) == 0);
    touch(AT(p1, "plain"), "abc");
    CHECK(stat(AT(p1, "plain"), &st) == 0 && S_ISREG(st.st_mode) && st.st_size == 3);
    CHECK_ERR(stat(AT(p1, "plain/"), &st), ENOTDIR);
    CHECK(unlink(AT(p1, "plain")) == 0);
    OK("link_rename_symlink");

    DIR *dir = opendir(AT(p1, "sub"));
    CHECK(dir != NULL);
    int seen = 0;
    dots = 0;
    struct dirent *e;
    while ((e = readdir(dir))) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
            dots++;
        else if (!strcmp(e->d_name, "f1") || !strcmp(e->d_name, "f3")) {
            seen++;
            CHECK(e->d_type == DT_REG);
        } else if (!strcmp(e->d_name, "ln")) {
            seen++;
            CHECK(e->d_type == DT_LNK);
        } else
            CHECK(!"unexpected entry");
    }
    CHECK(seen == 3 && dots == 2);
    rewinddir(dir);
    CHECK(readdir(dir) != NULL); /* rewinddir restarts the listing */
    closedir(dir);
    errno = 0;
    CHECK(opendir(AT(p1, "sub/f1")) == NULL && errno == ENOTDIR);
    CHECK(list(d, &dots) == 2 && dots == 2); /* the preopen itself: sub and full */
    OK("readdir");

    /* Enough entries to need several fd_readdir calls. */
    CHECK(mkdir(AT(p1, "many"), 0755) == 0);
    for (int i = 0; i < 300; i++) {
        char name[64];
        snprintf(name, sizeof name, "many/entry-with-a-long-name-%03d", i);
        touch(AT(p1, name), "");
    }
    CHECK(list(AT(p1, "many"), &dots) == 300 && dots == 2);
    OK("readdir_many");

    CHECK(unlink(AT(p1, "sub/ln")) == 0 && unlink(AT(p1, "sub/f1")) == 0 && unlink(AT(p1, "sub/f3")) == 0);
    CHECK(rmdir(AT(p1, "sub")) == 0);
    CHECK_ERR(stat(AT(p1, "sub"), &st), ENOENT);
    CHECK_ERR(unlink(AT(p1, "sub")), ENOENT);
    CHECK(unlink(AT(p1, "full/x")) == 0 && rmdir(AT(p1, "full")) == 0);
    OK("remove");
    return 0;
}
