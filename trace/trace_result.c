/*
 * trace_result.c - result names of the trace format (trace.h).
 *
 * The names are those of Python's errno.errorcode, because kernel_run.py
 * prints the real kernel's results with it and our output is diffed against
 * its output line by line: where Linux has two names for one number Python
 * says EAGAIN, EDEADLOCK and ENOTSUP, and so do we.  Kept here rather than in
 * core so that the parser and printer need nothing but core/op.h.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "trace/trace.h"

#define E(name) { name, #name }

static const struct errname {
	int no;
	const char *name;
} errnames[] = {
	E(EPERM), E(ENOENT), E(ESRCH), E(EINTR), E(EIO), E(ENXIO), E(E2BIG),
	E(ENOEXEC), E(EBADF), E(ECHILD), E(EAGAIN), E(ENOMEM), E(EACCES),
	E(EFAULT), E(ENOTBLK), E(EBUSY), E(EEXIST), E(EXDEV), E(ENODEV),
	E(ENOTDIR), E(EISDIR), E(EINVAL), E(ENFILE), E(EMFILE), E(ENOTTY),
	E(ETXTBSY), E(EFBIG), E(ENOSPC), E(ESPIPE), E(EROFS), E(EMLINK),
	E(EPIPE), E(EDOM), E(ERANGE), E(EDEADLOCK), E(ENAMETOOLONG),
	E(ENOLCK), E(ENOSYS), E(ENOTEMPTY), E(ELOOP), E(ENOMSG), E(EIDRM),
	E(ECHRNG), E(EL2NSYNC), E(EL3HLT), E(EL3RST), E(ELNRNG), E(EUNATCH),
	E(ENOCSI), E(EL2HLT), E(EBADE), E(EBADR), E(EXFULL), E(ENOANO),
	E(EBADRQC), E(EBADSLT), E(EBFONT), E(ENOSTR), E(ENODATA), E(ETIME),
	E(ENOSR), E(ENONET), E(ENOPKG), E(EREMOTE), E(ENOLINK), E(EADV),
	E(ESRMNT), E(ECOMM), E(EPROTO), E(EMULTIHOP), E(EDOTDOT), E(EBADMSG),
	E(EOVERFLOW), E(ENOTUNIQ), E(EBADFD), E(EREMCHG), E(ELIBACC),
	E(ELIBBAD), E(ELIBSCN), E(ELIBMAX), E(ELIBEXEC), E(EILSEQ),
	E(ERESTART), E(ESTRPIPE), E(EUSERS), E(ENOTSOCK), E(EDESTADDRREQ),
	E(EMSGSIZE), E(EPROTOTYPE), E(ENOPROTOOPT), E(EPROTONOSUPPORT),
	E(ESOCKTNOSUPPORT), E(ENOTSUP), E(EPFNOSUPPORT), E(EAFNOSUPPORT),
	E(EADDRINUSE), E(EADDRNOTAVAIL), E(ENETDOWN), E(ENETUNREACH),
	E(ENETRESET), E(ECONNABORTED), E(ECONNRESET), E(ENOBUFS), E(EISCONN),
	E(ENOTCONN), E(ESHUTDOWN), E(ETOOMANYREFS), E(ETIMEDOUT),
	E(ECONNREFUSED), E(EHOSTDOWN), E(EHOSTUNREACH), E(EALREADY),
	E(EINPROGRESS), E(ESTALE), E(EUCLEAN), E(ENOTNAM), E(ENAVAIL),
	E(EISNAM), E(EREMOTEIO), E(EDQUOT), E(ENOMEDIUM), E(EMEDIUMTYPE),
	E(ECANCELED), E(ENOKEY), E(EKEYEXPIRED), E(EKEYREVOKED),
	E(EKEYREJECTED), E(EOWNERDEAD), E(ENOTRECOVERABLE), E(ERFKILL),
	E(EHWPOISON),
	/* accepted when parsing; never printed: the entries above come first */
	E(EWOULDBLOCK), E(EDEADLK), E(EOPNOTSUPP),
};

#define NERRNAMES (sizeof(errnames) / sizeof(errnames[0]))

const char *trace_result_name(unsigned kind, int res, char buf[32])
{
	if (res > 0 || (res == 0 && kind == OP_AGE)) {
		snprintf(buf, 32, "referenced=%d", res);
		return buf;
	}
	if (res == RES_OK)
		return "ok";
	if (res == RES_SIGSEGV)
		return "SIGSEGV";
	if (res == RES_SIGBUS)
		return "SIGBUS";
	for (size_t i = 0; i < NERRNAMES; i++)
		if (errnames[i].no == -res)
			return errnames[i].name;
	/* not an errno Python knows: still a token that parses back */
	snprintf(buf, 32, "errno=%u", -(unsigned)res);
	return buf;
}

/* Decimal N in [0, INT32_MAX] spanning all of S. */
static int parse_count(const char *s, int *n)
{
	long long v = 0;

	if (!*s)
		return -1;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return -1;
		v = v * 10 + (*s - '0');
		if (v > INT32_MAX)
			return -1;
	}
	*n = (int)v;
	return 0;
}

int trace_result_parse(const char *tok, int *res)
{
	int n;

	if (!strcmp(tok, "ok")) {
		*res = RES_OK;
		return 0;
	}
	if (!strcmp(tok, "SIGSEGV") || !strcmp(tok, "SIGBUS")) {
		*res = tok[3] == 'S' ? RES_SIGSEGV : RES_SIGBUS;
		return 0;
	}
	if (!strncmp(tok, "referenced=", 11) && !parse_count(tok + 11, &n)) {
		*res = n;
		return 0;
	}
	if (!strncmp(tok, "errno=", 6) && !parse_count(tok + 6, &n) && n) {
		*res = -n;
		return 0;
	}
	for (size_t i = 0; i < NERRNAMES; i++) {
		if (!strcmp(tok, errnames[i].name)) {
			*res = -errnames[i].no;
			return 0;
		}
	}
	return -1;
}
