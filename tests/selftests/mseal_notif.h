/* SPDX-License-Identifier: GPL-2.0 */
/*
 * mseal_notif.h - make the kernel answer mseal(2) (system call 462) as a
 * test wants, to check how libmseal chooses between the system call and
 * the device without touching the library: a seccomp filter hands every
 * call of number 462 to a supervisor thread (SECCOMP_RET_USER_NOTIF),
 * which counts and records it and replies success, an errno, or "run the
 * real system call" (SECCOMP_USER_NOTIF_FLAG_CONTINUE).
 *
 * The filter is permanent for the process and inherited by the threads
 * it creates afterwards: install it in a process of its own (every
 * kselftest harness test is one).  Header-only: used by the in-guest
 * test (mseal_lib) and the host test (tests/host).
 */
#ifndef MSEAL_NOTIF_H
#define MSEAL_NOTIF_H

#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/filter.h>
#include <linux/seccomp.h>

#define NOTIF_NR_MSEAL		462
/* Reply: let the real system call run. */
#define NOTIF_CONTINUE		(-1)

struct notif {
	int listener;
	pthread_t thread;
	/* What to answer: 0 success, an errno, or NOTIF_CONTINUE. */
	int probe_reply;	/* to mseal(0, 0, 0), the library's probe */
	int call_reply;		/* to any other mseal() */
	/* What was seen (read after the calls returned). */
	int probes;
	int calls;
	uint64_t args[3];	/* of the last non-probe call */
};

static void *notif_supervise(void *arg)
{
	struct notif *n = arg;

	for (;;) {
		struct seccomp_notif req;
		struct seccomp_notif_resp resp;
		int reply;
		bool probe;

		memset(&req, 0, sizeof(req));
		if (ioctl(n->listener, SECCOMP_IOCTL_NOTIF_RECV, &req)) {
			if (errno == EINTR || errno == ENOENT)
				continue;
			return NULL;
		}
		memset(&resp, 0, sizeof(resp));
		resp.id = req.id;
		probe = !req.data.args[0] && !req.data.args[1] &&
			!req.data.args[2];
		if (probe) {
			__atomic_add_fetch(&n->probes, 1, __ATOMIC_SEQ_CST);
			reply = n->probe_reply;
		} else {
			memcpy(n->args, req.data.args, sizeof(n->args));
			__atomic_add_fetch(&n->calls, 1, __ATOMIC_SEQ_CST);
			reply = n->call_reply;
		}
		if (reply == NOTIF_CONTINUE)
			resp.flags = SECCOMP_USER_NOTIF_FLAG_CONTINUE;
		else
			resp.error = -reply;
		ioctl(n->listener, SECCOMP_IOCTL_NOTIF_SEND, &resp);
	}
}

/* Install the filter and start the supervisor: 0 or -errno. */
static inline int notif_install(struct notif *n, int probe_reply,
				int call_reply)
{
	struct sock_filter insns[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
			 offsetof(struct seccomp_data, nr)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, NOTIF_NR_MSEAL, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_USER_NOTIF),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog prog = {
		.len = sizeof(insns) / sizeof(insns[0]),
		.filter = insns,
	};
	int r;

	memset(n, 0, sizeof(*n));
	n->probe_reply = probe_reply;
	n->call_reply = call_reply;
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0))
		return -errno;
	n->listener = syscall(__NR_seccomp, SECCOMP_SET_MODE_FILTER,
			      SECCOMP_FILTER_FLAG_NEW_LISTENER, &prog);
	if (n->listener < 0)
		return -errno;
	r = pthread_create(&n->thread, NULL, notif_supervise, n);
	return -r;
}

static inline int notif_probes(struct notif *n)
{
	return __atomic_load_n(&n->probes, __ATOMIC_SEQ_CST);
}

static inline int notif_calls(struct notif *n)
{
	return __atomic_load_n(&n->calls, __ATOMIC_SEQ_CST);
}

#endif /* MSEAL_NOTIF_H */
