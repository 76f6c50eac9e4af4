package emulator

import (
	"net/netip"
	"time"
)

// The churn simulation's leap over a turnover of ports.
//
// With the client closing first, no pool and a range that never runs out,
// every connection takes the port at the range's cursor and leaves its
// own TIME_WAIT row on it, and every row leaves a delay after it came
// (with a delay of 0, whichever side closes first, no row at all). The
// rows are then the block of ports just behind the cursor, one row per
// connection of the last delay, and the port at the cursor is always free:
// it was last taken a whole turn of the range ago, longer ago than the
// delay. What a connection does is known without running it: pop the
// rows that are due, push one for the next port.
//
// The simulation runs every connection through the model and checks after
// each one that it was such a turn: it succeeded, took the port at the
// cursor (the cursor moved by one), and left no socket but the listeners,
// no orphan and no row owner, with every port of the range that is held
// held by exactly one row. Once as many turns in a row have been made as
// there are rows (so every row came from one of them) and a whole turn of
// the range takes longer than the delay at the highest rate to come (with
// the margin the other leap uses for the rounding of the virtual times),
// the rest of the run is
// counted instead: attempts, successes, the samples, the measuring window
// and the progress calls, from the expiries alone (turnoverLeap). At the
// end the model's table is brought to where the connections would have
// left it: its own rows that are due leave through expireDue, and the
// rows of the counted connections still in TIME_WAIT are pushed, in order,
// on the ports and servers those connections took; the port cursor and the
// round robin move on by the connections counted.
//
// Unlike the other leap it runs to the end (nothing it counts depends on
// the period of anything), unless the range were ever full, which the
// trigger rules out; then it stops, and the model makes that attempt.
// As with the other leap, the handle slots' generation counters are not
// replayed. TestChurnLeapExact compares runs with and without it whole,
// and the model's state at the end (churnState).

type churnTurnover struct {
	on     bool // the workload can leap: no pool, and the client closes first or the delay is 0
	streak int  // turns in a row
}

func (s *churnSim) initTurnover() {
	// With a delay of 0 no row is made, and which side closes first does
	// not matter.
	s.turn.on = churnLeapOn && s.w.Reuse == 0 && (!s.w.CloserServer || s.e.delay == 0)
}

// turned reports, after a successful attempt that began with the port
// cursor at prev, whether the attempt was a turn, and whether the leap may
// start.
func (s *churnSim) turned(prev int) bool {
	e, q, st := s.e, &s.e.tw, &s.turn
	n := e.ports.end - int(e.ports.rng.Start) + 1
	want := prev + 1
	if want >= n {
		want = 0
	}
	open := len(e.handles) - len(e.freeSlots)
	if e.ports.cursor != want || e.ports.free[famIndex(s.af)]+q.live != n || (q.live == 0) != (e.delay == 0) ||
		open != len(s.listeners) || len(e.orphans) != 0 || len(q.owners) != 0 {
		st.streak = 0
		return false
	}
	st.streak++
	// A whole turn of the range must outlast the delay at the highest rate
	// to come (a ramp is linear), so that the port at the cursor has
	// always come out of TIME_WAIT. The margin of 1 ms is far above the
	// rounding of the virtual times' sum over a turn (n additions of
	// about 1/rate: under 0.2 ms for any run Churn accepts).
	return st.streak >= q.live && (e.delay == 0 || float64(n)/max(s.w.Rate, s.w.RampTo)*1e9 > float64(e.delay)+1e6)
}

// turnRow is a row the turnover leap keeps: its expiry, and the counted
// connection that made it (-1: a row of the model's own).
type turnRow struct {
	exp int64
	m   int64
}

// turnoverLeap counts the connections from virtual time t (seconds, the
// next attempt's) to the end, and returns the time of the attempt after
// them; see above.
func (s *churnSim) turnoverLeap(t float64, end int64, attempts *uint64, nextSample *int64, step int64) float64 {
	e, q := s.e, &s.e.tw
	n := e.ports.end - int(e.ports.rng.Start) + 1
	var client netip.Addr // the clients' address, as the model's rows have it
	if q.live > 0 {
		client = q.local(&q.rows[(q.head+q.used-1)&q.mask()]).Addr()
	}

	// The rows, oldest first, as a ring that never holds more than the
	// range's ports (each row holds its own port).
	ring := make([]turnRow, n+1)
	head, size := 0, 0
	push := func(r turnRow) {
		i := head + size
		if i >= len(ring) {
			i -= len(ring)
		}
		ring[i] = r
		size++
	}
	popDue := func(now int64) {
		for size > 0 && ring[head].exp <= now {
			if head++; head == len(ring) {
				head = 0
			}
			size--
		}
	}
	for k := 0; k < q.used; k++ {
		if r := &q.rows[(q.head+k)&q.mask()]; r.pair != deadPair {
			push(turnRow{exp: r.exp, m: -1})
		}
	}

	cursor, next := e.ports.cursor, s.next
	var m, last int64
	for {
		now := nanos(t)
		if now > end {
			break
		}
		for *nextSample <= now && *nextSample <= end {
			popDue(*nextSample)
			s.record(*nextSample, *attempts, size, n-size)
			*nextSample += step
		}
		s.window(now)
		popDue(now)
		if size >= n {
			// Every port held: not reachable while a turn outlasts the
			// delay, but if it were, the model makes this attempt.
			break
		}
		*attempts++
		if s.w.Progress != nil && *attempts&(1<<20-1) == 0 {
			s.w.Progress(time.Duration(now))
		}
		s.ok++
		if e.delay > 0 {
			push(turnRow{exp: s.expiryAt(now), m: m})
		}
		m++
		last = now
		t += 1 / s.rateAt(t)
	}
	if m == 0 {
		return t
	}
	s.res.leapt += uint64(m)

	// The model's table after the last counted connection.
	e.vclock.advanceTo(e.epoch + time.Duration(last))
	e.expireDue()
	start := int(e.ports.rng.Start)
	for k := 0; k < size; k++ {
		r := ring[(head+k)%len(ring)]
		if r.m < 0 {
			continue // still in the model's table
		}
		port := uint16(start + int((int64(cursor)+r.m)%int64(n)))
		srv := s.servers[int((int64(next)+r.m)%int64(len(s.servers)))]
		e.addRow(netip.AddrPortFrom(client, port), srv, r.exp)
	}
	e.ports.cursor = int((int64(cursor) + m) % int64(n))
	s.next = int((int64(next) + m) % int64(len(s.servers)))
	return t
}

// churnKeepState makes Churn keep the model's state at the end in its
// result, so that TestChurnLeapExact compares what ChurnResult does not
// show: the port cursor, the round robin, and every row with its expiry.
var churnKeepState = false

type churnState struct {
	Cursor, Next int
	Free         [2]int
	Rows         []churnStateRow
}

type churnStateRow struct {
	Local, Remote netip.AddrPort
	Exp           int64
}

func (s *churnSim) state() *churnState {
	e, q := s.e, &s.e.tw
	st := &churnState{Cursor: e.ports.cursor, Next: s.next, Free: e.ports.free}
	for k := 0; k < q.used; k++ {
		if r := &q.rows[(q.head+k)&q.mask()]; r.pair != deadPair {
			st.Rows = append(st.Rows, churnStateRow{Local: q.local(r), Remote: q.remote(r), Exp: r.exp})
		}
	}
	return st
}
