/*
 * bugs.c - the injected-bug switch and its canaries (bugs.h), and the
 * table of bug_list.h as data.
 *
 * The canaries are a struct canary_file: in this process (a static one)
 * or in a file mapped shared (bug_canaries_share), where every process of
 * a fuzzing campaign adds to the same counters with atomic increments.
 * The file starts with a magic and a hash of the suite's names, so that a
 * file written by another suite is refused instead of misread.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bugs/bugs.h"

static const struct bug_info table[BUG_COUNT] = {
#define INJECTED_BUG(name_, class_, check_, site_, history_, what_) \
	[BUG_ID_##name_] = { .name = #name_, .class = BUG_CLASS_##class_, \
			     .check = check_, .site = site_, \
			     .history = history_, .what = what_ },
#include "bugs/bug_list.h"
#undef INJECTED_BUG
};

#define CANARY_MAGIC "RMAPBUG1"

struct canary_file {
	char magic[8];
	uint64_t names_hash;      /* of every name in table order */
	uint64_t count;           /* BUG_COUNT */
	struct bug_canary c[BUG_COUNT];
};

static struct canary_file local;
static struct canary_file *canaries = &local;
static int enabled_id = -1;

bool bugs_compiled_in(void)
{
#ifdef RMAP_BUGS
	return true;
#else
	return false;
#endif
}

#ifdef RMAP_BUGS
/* Only the bugs build has it: a default build that called it would not link. */
bool bug_fires(enum bug_id id, bool cond)
{
	struct bug_canary *c = &canaries->c[id];

	__atomic_fetch_add(&c->reached, 1, __ATOMIC_RELAXED);
	if (!cond)
		return false;
	__atomic_fetch_add(&c->triggered, 1, __ATOMIC_RELAXED);
	return (int)id == enabled_id;
}
#endif

const struct bug_info *bug_info(enum bug_id id)
{
	return (unsigned)id < BUG_COUNT ? &table[id] : NULL;
}

int bug_lookup(const char *name)
{
	for (int i = 0; i < BUG_COUNT; i++)
		if (name && !strcmp(table[i].name, name))
			return i;
	return -1;
}

const char *bug_class_name(enum bug_class class)
{
	switch (class) {
	case BUG_CLASS_BACKEND:
		return "backend";
	case BUG_CLASS_SHARED_MM:
		return "shared-mm";
	case BUG_CLASS_KERNEL_ONLY:
		return "kernel-only";
	}
	return "?";
}

int bug_enable(const char *name)
{
	int id;

	if (!name || !name[0]) {
		enabled_id = -1;
		return 0;
	}
	if (!bugs_compiled_in())
		return -ENOTSUP;
	id = bug_lookup(name);
	if (id < 0)
		return -ENOENT;
	enabled_id = id;
	return 0;
}

int bug_enabled(void)
{
	return enabled_id;
}

void bug_canary(enum bug_id id, struct bug_canary *out)
{
	out->reached = __atomic_load_n(&canaries->c[id].reached, __ATOMIC_RELAXED);
	out->triggered = __atomic_load_n(&canaries->c[id].triggered,
					 __ATOMIC_RELAXED);
}

/* FNV-1a over the names, NUL-separated */
static uint64_t names_hash(void)
{
	uint64_t h = 0xcbf29ce484222325ULL;

	for (int i = 0; i < BUG_COUNT; i++)
		for (const char *p = table[i].name;; p++) {
			h = (h ^ (uint8_t)*p) * 0x100000001b3ULL;
			if (!*p)
				break;
		}
	return h;
}

static bool header_ok(const struct canary_file *f)
{
	return !memcmp(f->magic, CANARY_MAGIC, sizeof(f->magic)) &&
	       f->names_hash == names_hash() && f->count == BUG_COUNT;
}

/* counters in shared memory of no file: for this process's children */
static int share_anonymous(void)
{
	struct canary_file *f = mmap(NULL, sizeof(*f), PROT_READ | PROT_WRITE,
				     MAP_SHARED | MAP_ANONYMOUS, -1, 0);

	if (f == MAP_FAILED)
		return -errno;
	*f = *canaries;
	canaries = f;
	return 0;
}

int bug_canaries_share(const char *path)
{
	int fd = path ? open(path, O_RDWR | O_CREAT, 0644) : -1;
	struct canary_file *f;
	struct stat st;

	if (!path)
		return share_anonymous();
	if (fd < 0)
		return -errno;
	/*
	 * the file's creator writes the header under the lock: a process that
	 * starts at the same moment (AFL++ -S instances) must not see the size
	 * set and the header still zero
	 */
	if (flock(fd, LOCK_EX) || fstat(fd, &st) ||
	    (st.st_size < (off_t)sizeof(*f) && ftruncate(fd, sizeof(*f)))) {
		int err = -errno;

		close(fd);
		return err;
	}
	f = mmap(NULL, sizeof(*f), PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (f != MAP_FAILED && st.st_size == 0) {   /* new: the header */
		f->names_hash = names_hash();
		f->count = BUG_COUNT;
		memcpy(f->magic, CANARY_MAGIC, sizeof(f->magic));
	}
	/*
	 * unlock by hand: the mapping keeps the open file, and the lock with
	 * it, after close(fd); every other process that shares the file (a
	 * libFuzzer -fork child, an AFL++ -S instance) would block in flock
	 * for as long as this one runs
	 */
	flock(fd, LOCK_UN);
	close(fd);
	if (f == MAP_FAILED)
		return -ENOMEM;
	if (!header_ok(f)) {
		munmap(f, sizeof(*f));
		return -EINVAL;
	}
	canaries = f;
	return 0;
}

int bug_canaries_read(const char *path, struct bug_canary out[BUG_COUNT])
{
	struct canary_file f;
	int fd = open(path, O_RDONLY);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = read(fd, &f, sizeof(f));
	close(fd);
	if (n != (ssize_t)sizeof(f) || !header_ok(&f))
		return -EINVAL;
	memcpy(out, f.c, sizeof(f.c));
	return 0;
}

void bug_canaries_print(FILE *f, bool all)
{
	for (int i = 0; i < BUG_COUNT; i++) {
		struct bug_canary c;

		if (!all && i != enabled_id)
			continue;
		bug_canary((enum bug_id)i, &c);
		fprintf(f, "canary %s reached=%llu triggered=%llu\n",
			table[i].name, (unsigned long long)c.reached,
			(unsigned long long)c.triggered);
	}
}

void bug_list_print(FILE *f)
{
	for (int i = 0; i < BUG_COUNT; i++)
		fprintf(f, "%-36s %-12s %-24s %s\n", table[i].name,
			bug_class_name(table[i].class), table[i].check,
			table[i].site);
}

/*
 * The canary line of the bug that is on, with write(2): a run that ends in
 * a crash (a core BUG_ON aborts, a sanitizer dies) still says whether the
 * bug triggered.  Not for the fuzz targets: their engines own these hooks,
 * and their canaries go to RMAP_BUG_CANARIES.
 */
static void canary_on_death(void)
{
	struct bug_canary c;
	char line[160];
	int n;

	if (enabled_id < 0)
		return;
	bug_canary((enum bug_id)enabled_id, &c);
	n = snprintf(line, sizeof(line), "canary %s reached=%llu triggered=%llu\n",
		     table[enabled_id].name, (unsigned long long)c.reached,
		     (unsigned long long)c.triggered);
	if (n > 0 && write(2, line, (size_t)n) < 0)
		return;
}

static void canary_on_abort(int sig)
{
	canary_on_death();
	signal(sig, SIG_DFL);
}

void __sanitizer_set_death_callback(void (*cb)(void)) __attribute__((weak));

int bug_switch(const char *prog, const char *name)
{
	int err;

	if (!strcmp(name, "list")) {
		bug_list_print(stdout);
		return 1;
	}
	err = bug_enable(name);
	if (err == -ENOTSUP) {
		fprintf(stderr, "%s: --bug %s: this build has no injected bugs "
			"(build with --config=bugs)\n", prog, name);
		return -1;
	}
	if (err) {
		fprintf(stderr, "%s: --bug %s: no such bug (--bug list shows "
			"them; bugs/bug_list.h)\n", prog, name);
		return -1;
	}
	err = bug_canaries_share(NULL);
	if (err) {
		fprintf(stderr, "%s: --bug: no shared memory for the canaries: "
			"%s\n", prog, strerror(-err));
		return -1;
	}
	signal(SIGABRT, canary_on_abort);
	if (__sanitizer_set_death_callback)
		__sanitizer_set_death_callback(canary_on_death);
	return 0;
}

int bug_setup_from_env(void)
{
	const char *name = getenv("RMAP_BUG");
	const char *path = getenv("RMAP_BUG_CANARIES");
	int err;

	if (path && path[0] && (err = bug_canaries_share(path))) {
		fprintf(stderr, "RMAP_BUG_CANARIES=%s: %s\n", path,
			err == -EINVAL ? "not a canary file of this bug suite"
				       : strerror(-err));
		return -1;
	}
	err = bug_enable(name);
	if (err == -ENOTSUP)
		fprintf(stderr, "RMAP_BUG=%s: this build has no injected bugs "
			"(build with --config=bugs)\n", name);
	else if (err)
		fprintf(stderr, "RMAP_BUG=%s: no such bug (bugs/bug_list.h)\n",
			name);
	return err ? -1 : 0;
}
