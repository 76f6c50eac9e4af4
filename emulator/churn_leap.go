package emulator

import (
	"time"
)

// The churn simulation's leap over a periodic steady state.
//
// With the server closing first, every connection leaves the server's
// TIME_WAIT row for (server, client port); the client's port is free at
// once, so the next connection takes the next port of the range, and when
// the ports come round again its SYN takes over the row of that port's
// previous connection. With a reuse pool a reused socket keeps its local
// port, so its next connection to a server takes over the row its last one
// there left (a table of one row rotates onto itself). After one turn the
// table is a FIFO that rotates by one row a connection: the oldest row
// (the head) is taken over and the same 4-tuple is pushed at the tail.
// Nothing else changes, and nothing depends on time while no row can
// expire before it is taken over.
//
// The simulation runs every connection through the model (attempt) and
// checks after each one that it was such a rotation: it succeeded, the
// emulator holds no socket but the listeners and the pool's sockets (all
// idle), no orphan and no row owner,
// the table keeps its rows and ports, has no dead slot, and the row pushed
// at the tail is the one that was at the head. After P such connections in
// a row (P the number of rows) with the port cursor back where it was, the
// state repeats every P connections: the same rows in the same order, each
// a connection's expiry later. If, besides, P connections take less than
// the TcpTimedWaitDelay (with a margin for the rounding of the virtual
// times), no row can expire inside a period, and the next P connections
// would do exactly what the last P did.
//
// leap then steps the virtual time of whole periods connection by
// connection (the same floating-point sum the loop makes, at the rate of
// the moment under a ramp), counting the attempts and successes, and
// recording the samples, the count at the measuring window's start and
// the progress calls as the loop would, with the counts the rotation
// keeps. Before each period it checks that every row outlives the attempt
// that takes it over (the rate may have fallen since the leap began). It
// stops before a period that would pass the end or fail that check; the
// loop runs the rest through the model. Finally it gives each row the
// expiry it would have: the row i places from the head was pushed by the
// i-th connection of the last period, at that connection's virtual time.
//
// What the leap does not replay: the generation counters of the handle
// slots each connection uses (two without a pool, the accepted socket's
// one with it: the handle values a later socket would get) and a pool
// socket's per-connection counters, which no churn result shows.
// TestChurnLeapExact runs workloads with and without the leap and compares
// the results whole.

// churnLeapOn is off in TestChurnLeapExact's reference runs.
var churnLeapOn = true

// steadyMark is what an attempt must preserve to count as a rotation.
type steadyMark struct {
	live, used, free, cursor int
	head                     twKey
}

type churnSteady struct {
	on     bool       // the workload can leap: a delay
	streak int        // rotations in a row
	period int        // rows (= connections in a period) when the streak began
	cursor int        // the port cursor when the streak began
	times  [2][]int64 // a period's attempt times: the last one leapt, the next one
}

func (s *churnSim) initSteady() {
	s.steady.on = churnLeapOn && s.e.delay > 0
}

// mark records the state before an attempt; ok is false when the table
// cannot rotate (no row, or dead slots in the ring).
func (s *churnSim) mark() (steadyMark, bool) {
	q := &s.e.tw
	if q.live == 0 || q.used != q.live {
		return steadyMark{}, false
	}
	return steadyMark{live: q.live, used: q.used, free: s.e.ports.free[famIndex(s.af)], cursor: s.e.ports.cursor,
		head: q.keyAt(q.head)}, true
}

// rotated reports whether the attempt since m was a rotation.
func (s *churnSim) rotated(m steadyMark) bool {
	e, q := s.e, &s.e.tw
	if q.live != m.live || q.used != m.used || e.ports.free[famIndex(s.af)] != m.free ||
		q.keyAt((q.head+q.used-1)&q.mask()) != m.head || (q.live > 1 && q.keyAt(q.head) == m.head) {
		return false
	}
	open := len(e.handles) - len(e.freeSlots)
	return open == len(s.listeners)+len(s.pool) && s.busy.len() == 0 && s.idle.len() == len(s.pool) &&
		len(e.orphans) == 0 && len(q.owners) == 0
}

// afterAttempt updates the streak after a successful attempt that began
// with mark m (valid when ok), made at the given rate, and reports whether
// a leap may start. (Under a ramp the rate changes; leap itself checks,
// period by period, that no row would expire before its takeover.)
func (s *churnSim) afterAttempt(m steadyMark, ok bool, rate float64) bool {
	st := &s.steady
	if !ok || !s.rotated(m) {
		st.streak = 0
		return false
	}
	if st.streak == 0 {
		st.period, st.cursor = m.live, m.cursor
	}
	st.streak++
	if st.streak < st.period {
		return false
	}
	st.streak = 0
	// One period of rotations: the state is back where it began, and no
	// row may expire within a period.
	// The round robin over the servers and the pool's idle queue are back
	// where they were only after a multiple of their lengths.
	span := float64(st.period) / rate * 1e9
	return s.e.ports.cursor == st.cursor && st.period == m.live && span+1e6 < float64(s.e.delay) &&
		st.period%len(s.servers) == 0 && (len(s.pool) == 0 || st.period%len(s.pool) == 0)
}

// leap skips whole periods from virtual time t (seconds, the next
// attempt's) and returns the time of the attempt after them; see above.
func (s *churnSim) leap(t float64, end int64, attempts *uint64, nextSample *int64, step int64) float64 {
	e, st := s.e, &s.steady
	p := st.period
	for i := range st.times {
		if cap(st.times[i]) < p {
			st.times[i] = make([]int64, p)
		}
	}
	last, next := st.times[0][:p], st.times[1][:p]
	leapt := false
	q := &e.tw
	for {
		// The next period's attempt times, if it ends by the end and no
		// row expires before the attempt that takes it over (the i-th
		// attempt of a period takes over the row i places from the head:
		// the model's own before the first period leapt, then the one the
		// i-th attempt of the last period pushed).
		nt := t
		for i := range next {
			now := nanos(nt)
			exp := q.rows[(q.head+i)&q.mask()].exp
			if leapt {
				exp = s.expiryAt(last[i])
			}
			if now > end || now >= exp {
				if leapt {
					// The clock moves once, to the last leapt attempt
					// (nothing reads it inside the leap).
					e.vclock.advanceTo(e.epoch + time.Duration(last[p-1]))
					s.restamp(last)
				}
				return t
			}
			next[i] = now
			nt += 1 / s.rateAt(nt)
		}
		for _, now := range next {
			for *nextSample <= now && *nextSample <= end {
				s.sampleAt(*nextSample, *attempts)
				*nextSample += step
			}
			s.window(now)
			*attempts++
			if s.w.Progress != nil && *attempts&(1<<20-1) == 0 {
				s.w.Progress(time.Duration(now))
			}
			s.ok++
		}
		s.res.leapt += uint64(p)
		leapt = true
		last, next = next, last
		t = nt
	}
}

// restamp gives the rows, head first, the expiries of connections made at
// times (as expiry computes them).
func (s *churnSim) restamp(times []int64) {
	q := &s.e.tw
	for i, now := range times {
		q.rows[(q.head+i)&q.mask()].exp = s.expiryAt(now)
	}
}

// expiryAt is the expiry of a row made at now (as expiry computes it).
func (s *churnSim) expiryAt(now int64) int64 { return expiryAfter(now, s.e.delay) }
