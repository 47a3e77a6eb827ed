/*
 * xnotif.pml: SPIN model of Atoll's cross-cluster notification protocol
 * (signal / wait / poll / give-up / IPI), as specified in docs/xnotif.md.
 *
 * One notification object. Its shared word (the only memory two clusters
 * both touch) is `word`:
 *
 *     bits 0..3  badge bits (the kernel: bits 0..54)
 *     bits 4..5  CORE: the core whose IPI wakes the head waiter (kernel: 55..62)
 *     bit  7     WAITING: armed, the owner cluster has a waiter (kernel: 63)
 *
 * Every write to `word` is one locked RMW (lock or / lock cmpxchg / lock xchg
 * / lock and), each modelled as one d_step; the one plain access is the IPI
 * handler's load. A program whose every store is a locked RMW is
 * sequentially consistent on x86-TSO (the store buffer is always empty), so
 * this interleaving model is exact for the word.
 *
 * Actors:
 *   Signaller(s), s < NS: a thread of another cluster; signals badge bit s,
 *       K times. fetch_or; if it saw WAITING with no bits pending it is the
 *       one signaller that sends the IPI, to the CORE it saw (a later step:
 *       the send can lag arbitrarily).
 *   Thread(i), i < NW: an owner-cluster thread running on core i; loops
 *       forever doing Wait or Poll. Blocking halts core i.
 *   Handler(c): the xnotif IPI vector on core c. irr[c] is the local APIC's
 *       IRR bit: a second IPI before the first is accepted coalesces. It is
 *       accepted only while core c runs user code or is halted (interrupts
 *       are off in the kernel); a pending one is taken before the next user
 *       instruction.
 *   Suspender: another owner-cluster thread that suspends (or deletes) a
 *       blocked waiter at any time: the waiter gives up.
 * All owner-side kernel paths hold the owner cluster's kernel lock, modelled
 * as a FIFO of waiting _pids (a ticket lock: fair, so weak fairness suffices
 * for liveness); signallers take no lock. Locals are zeroed after use so
 * that dead values do not multiply the state space.
 *
 * Ghost state (not in the kernel): pend = bits signalled and not yet
 * delivered; nblocked = owner threads committed to sleep; ipis_arm = IPIs
 * sent for the current arming; inflight = signallers between the decision
 * to IPI and the IRR write.
 *
 * -DBROKEN=n selects a deliberately wrong variant (see docs/xnotif.md §6):
 *   1 waiter checks the word, then publishes WAITING (check before publish)
 *   2 signaller reads the word, then ORs (read before OR)
 *   3 IPI handler takes the bits with a load and a plain store
 *   4 give-up path reports the pending bits without taking them
 */

#ifndef NS
#define NS 2            /* signallers, one badge bit each (<= 4) */
#endif
#ifndef K
#define K 2             /* signals per signaller */
#endif
#ifndef NW
#define NW 2            /* owner threads = owner cores (<= 4) */
#endif
#ifndef BROKEN
#define BROKEN 0
#endif
#if NS < 2 || NS > 4 || NW < 1 || NW > 4
#error "2 <= NS <= 4 and 1 <= NW <= 4"
#endif

#define ALLBITS ((1 << NS) - 1)
#define CSHIFT  4
#define CMASK   48
#define WAITING 128

#define USER    0       /* core runs its thread in user mode */
#define KERNEL  1       /* core in the kernel, interrupts off */
#define HALT    2       /* thread blocked, core halted (sti; hlt) */
#define IRQ     3       /* core runs the xnotif IPI handler */


byte word;              /* the shared word */
bit  irr[NW];           /* APIC IRR bit of the xnotif vector, per core */

/* owner cluster's private kernel state, touched only under its lock */
chan q = [NW] of { byte };      /* FIFO of blocked waiters (thread i on core i) */
chan lockq = [2 * NW + 1] of { byte };  /* the kernel lock: FIFO of _pids (a ticket lock) */
byte mode[NW];
bit  woken[NW];

/* ghosts */
byte pend;
bit  pb[NS];            /* pb[s] == bit s of pend, for the LTL formulas */
byte nblocked;
byte ipis_arm;
byte inflight;

/* Owner invariant at lock acquisition: armed iff someone is queued. */
#define OWNER_INV	assert(((word & WAITING) != 0) == (len(q) > 0))

/*
 * A fair (FIFO) lock: take a place in line (done in the same step as the
 * kernel entry), wait to be at its head. Checks the owner invariant.
 */
inline lock()
{
	atomic { lockq?[eval(_pid)] -> OWNER_INV }
}

inline unlock()
{
	lockq?eval(_pid)
}


/*
 * Bits are received: the moment the kernel reads the bits it will hand to a
 * thread (the lock xchg). (b) no double delivery: never a bit that was not
 * signalled since it was last received.
 */
inline deliver(got)
{
	assert(((got) & ~ALLBITS) == 0);
	assert(((got) & ~pend) == 0);
	pend = pend & ~(got);
	pb[0] = pend & 1;
	pb[1] = (pend >> 1) & 1;
#if NS > 2
	pb[2] = (pend >> 2) & 1;
#endif
#if NS > 3
	pb[3] = (pend >> 3) & 1;
#endif
}

/* lock xchg(word, 0): take the bits (and WAITING/CORE) out of the word. */
inline take(got)
{
	d_step { got = word; word = 0; deliver(got & ALLBITS) }
}

/* Wake a queued thread with the bits taken for it (never 0: no spurious wake). */
inline wake(h, bits)
{
	d_step { assert((bits) != 0); nblocked--; woken[h] = 1 }
}

/* The signaller's decision, in the same locked RMW as the OR. */
#define SENDS_IPI(o)	(((o) & WAITING) && ((o) & ALLBITS) == 0)
inline decide(old)
{
	if
	:: SENDS_IPI(old) ->
		assert(nblocked > 0);   /* (c) an IPI only when someone waits */
		ipis_arm++;
		assert(ipis_arm <= 1);  /* (c) at most one IPI per sleep */
		inflight++
	:: else -> skip
	fi
}

proctype Signaller(byte s)
{
	byte n, old;

	do
	:: n < K ->
#if BROKEN == 2
		old = word;                                     /* plain load ... */
		d_step { word = word | (1 << s); pend = pend | (1 << s); pb[s] = 1 };  /* ... then lock or */
		d_step { decide(old) };
#else
		d_step {                                        /* lock or (fetch_or) */
			old = word; word = word | (1 << s);
			pend = pend | (1 << s); pb[s] = 1;
			decide(old)
		};
#endif
		if
		:: SENDS_IPI(old) ->                            /* write the ICR */
			d_step { irr[(old & CMASK) >> CSHIFT] = 1; inflight--; old = 0; n++ }
		:: else -> d_step { old = 0; n++ }
		fi
	:: else -> break
	od
}

proctype Thread(byte i)
{
	byte got;
	bit ok;

end_user:
	do
	:: atomic { mode[i] == USER && !irr[i] -> mode[i] = KERNEL; lockq!_pid };  /* system call */
		lock();
		if
		:: /* Wait */
			if
			:: len(q) > 0 ->                /* already armed for the head: queue behind */
				d_step { q!i; nblocked++; ok = 1 }
			:: len(q) == 0 ->
#if BROKEN == 1
				got = word;                     /* check ... */
				if
				:: (got & ALLBITS) != 0 -> ok = 0
				:: else ->                      /* ... then publish (lock or) */
					d_step { word = word | WAITING | (i << CSHIFT);
					         nblocked++; ipis_arm = 0; ok = 1 }
				fi;
				got = 0;
#else
				d_step {                        /* lock cmpxchg: 0 -> WAITING|core */
					if
					:: word == 0 ->
						word = WAITING | (i << CSHIFT);
						nblocked++; ipis_arm = 0; ok = 1
					:: else -> ok = 0
					fi
				};
#endif
				if
				:: ok -> q!i
				:: else ->                      /* bits pending: lock xchg, return them */
					take(got);
					d_step { assert((got & WAITING) == 0 && got != 0); got = 0 }
				fi
			fi
		:: /* Poll */
			if
			:: len(q) > 0 -> skip           /* pending bits belong to the head waiter */
			:: len(q) == 0 ->
				take(got);                      /* lock xchg */
				d_step { assert((got & WAITING) == 0); got = 0 }
			fi
		fi;
		if
		:: ok ->
			atomic { mode[i] = HALT; unlock(); ok = 0 };
end_halt:
			atomic { woken[i] && mode[i] == HALT -> woken[i] = 0; mode[i] = USER }
		:: else ->
			atomic { unlock(); mode[i] = USER }
		fi
	od
}

proctype Handler(byte c)
{
	byte got, h, saved;
	bit ok;

end_h:
	do
	:: atomic { irr[c] && (mode[c] == USER || mode[c] == HALT) ->
			irr[c] = 0; saved = mode[c]; mode[c] = IRQ; lockq!_pid };
		lock();
		if
		:: len(q) == 0 -> skip                  /* waiter gave up: bits stay for the next Wait/Poll */
		:: len(q) > 0 && (word & ALLBITS) == 0 -> skip  /* plain load: stale IPI, stay armed */
		:: len(q) > 0 && (word & ALLBITS) != 0 ->       /* plain load: bits to deliver */
#if BROKEN == 3
			d_step { got = word; deliver(got & ALLBITS) };  /* plain load ... */
			word = 0;                       /* ... plain store: loses a concurrent OR */
#else
			take(got);                      /* lock xchg: bits and WAITING */
#endif
			assert(got & WAITING);
			q?h;
			wake(h, got & ALLBITS);
			do                              /* re-arm for the next waiter */
			:: len(q) == 0 -> break
			:: len(q) > 0 ->
				q?<h>;
				d_step {                /* lock cmpxchg: 0 -> WAITING|core(head) */
					if
					:: word == 0 -> word = WAITING | (h << CSHIFT); ipis_arm = 0; ok = 1
					:: else -> ok = 0
					fi
				};
				if
				:: ok -> break
				:: else ->              /* bits came while disarmed (no IPI for them) */
					take(got);
					q?h;
					wake(h, got)
				fi
			od
		fi;
		atomic { unlock(); mode[c] = saved; saved = 0; got = 0; h = 0; ok = 0 }
	od
}

active proctype Suspender()
{
	byte h, old;

end_s:
	do
	:: atomic { len(q) > 0 -> lockq!_pid };
		lock();
		select(h : 0 .. NW - 1);
		if
		:: q??[eval(h)] ->
			q??eval(h);
			if
			:: len(q) == 0 ->               /* last waiter: disarm, keep the bits (lock and) */
				d_step { old = word; word = word & ~(WAITING | CMASK); nblocked-- };
				assert(old & WAITING);
#if BROKEN == 4
				d_step { deliver(old & ALLBITS) };      /* reports bits it left in the word */
#endif
				old = 0
			:: len(q) > 0 -> nblocked--     /* stays armed; CORE is only a hint */
			fi;
			woken[h] = 1                            /* its Wait ends with an error */
		:: else -> skip
		fi;
		atomic { unlock(); h = 0 }
	od
}

/*
 * (c') Never asleep with bits pending undetected: if a thread sleeps and the
 * word holds bits, an IPI is on its way (decided, in IRR, or being handled).
 */
#if NW == 1
#define ANY_IRR		(irr[0])
#define ANY_IRQ		(mode[0] == IRQ)
#elif NW == 2
#define ANY_IRR		(irr[0] || irr[1])
#define ANY_IRQ		(mode[0] == IRQ || mode[1] == IRQ)
#else
#define ANY_IRR		(irr[0] || irr[1] || irr[2] || irr[NW - 1])
#define ANY_IRQ		(mode[0] == IRQ || mode[1] == IRQ || mode[2] == IRQ || mode[NW - 1] == IRQ)
#endif
#define UNDETECTED	(nblocked > 0 && (word & ALLBITS) != 0 && inflight == 0 && !ANY_IRR && !ANY_IRQ)

active proctype Monitor()
{
end_m:
	atomic { UNDETECTED -> assert(!UNDETECTED) }
}

init {
	byte x;
	atomic {
		for (x : 0 .. NW - 1) { mode[x] = USER };
		for (x : 0 .. NS - 1) { run Signaller(x) };
		for (x : 0 .. NW - 1) { run Thread(x); run Handler(x) }
	}
}

/* (a) no lost wake-up: bits pending while a thread sleeps are delivered. */
ltl no_lost_wakeup { [] ((nblocked > 0 && pend != 0) -> <> (pend == 0)) }

/* (b) every signalled bit is eventually received (with OR semantics). */
#if NS == 2
ltl every_bit { [] ((pb[0] -> <> !pb[0]) && (pb[1] -> <> !pb[1])) }
#elif NS == 3
ltl every_bit { [] ((pb[0] -> <> !pb[0]) && (pb[1] -> <> !pb[1]) && (pb[2] -> <> !pb[2])) }
#else
ltl every_bit { [] ((pb[0] -> <> !pb[0]) && (pb[1] -> <> !pb[1]) && (pb[2] -> <> !pb[2]) && (pb[3] -> <> !pb[3])) }
#endif
