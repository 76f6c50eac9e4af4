package emulator

import (
	"math"
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
// cursor (the cursor moved past it, skipping the listeners' ports if the
// range holds them: those are held all along), and left no socket but the
// listeners, no orphan and no row owner, with every other port of the
// range that is held held by exactly one row. Once as many turns in a row
// have been made as there are rows (so every row came from one of them)
// and a whole turn of the range's other ports takes longer than the delay
// at the highest rate to come (with the margin the other leap uses for the
// rounding of the virtual times), the rest of the run is counted instead:
// attempts, successes, the samples, the measuring window and the progress
// calls, from the expiries alone (turnoverLeap). At the end the model's
// table is brought to where the connections would have
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
	ports  turnPorts
}

// turnPorts is the dynamic range as the turnover sees it: n ports, of
// which those at the offsets in held (ascending) belong to the listeners
// for the whole run, so the cursor skips them.
type turnPorts struct {
	n      int
	held   []int
	heldAt []bool // by offset; nil when held is empty
}

// free is the number of ports the connections take in turn.
func (p *turnPorts) free() int { return p.n - len(p.held) }

// next is the offset of the first port not held at or after offset c,
// cyclically (free() > 0).
func (p *turnPorts) next(c int) int {
	for p.heldAt != nil && p.heldAt[c] {
		if c++; c == p.n {
			c = 0
		}
	}
	return c
}

// offset is the offset of the k-th port not held (0 <= k < free()).
func (p *turnPorts) offset(k int) int {
	off := k
	for _, h := range p.held {
		if h > off {
			break
		}
		off++
	}
	return off
}

// index is k for the port not held at offset off.
func (p *turnPorts) index(off int) int {
	k := off
	for _, h := range p.held {
		if h >= off {
			break
		}
		k--
	}
	return k
}

func (s *churnSim) initTurnover() {
	// With a delay of 0 no row is made, and which side closes first does
	// not matter.
	s.turn.on = churnLeapOn && s.w.Reuse == 0 && (!s.w.CloserServer || s.e.delay == 0)
	p := &s.e.ports
	tp := turnPorts{n: p.end - int(p.rng.Start) + 1}
	for _, a := range s.servers { // ascending ports
		if p.inRange(a.Port()) {
			tp.held = append(tp.held, int(a.Port())-int(p.rng.Start))
		}
	}
	if len(tp.held) > 0 {
		tp.heldAt = make([]bool, tp.n)
		for _, h := range tp.held {
			tp.heldAt[h] = true
		}
	}
	s.turn.ports = tp
}

// turned reports, after a successful attempt that began with the port
// cursor at prev, whether the attempt was a turn, and whether the leap may
// start.
func (s *churnSim) turned(prev int) bool {
	e, q, st := s.e, &s.e.tw, &s.turn
	tp := &st.ports
	want := tp.next(prev) + 1 // the port taken, and the cursor after it
	if want >= tp.n {
		want = 0
	}
	open := len(e.handles) - len(e.freeSlots)
	if e.ports.cursor != want || e.ports.free[famIndex(s.af)]+q.live != tp.free() || (q.live == 0) != (e.delay == 0) ||
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
	return st.streak >= q.live && (e.delay == 0 || float64(tp.free())/max(s.w.Rate, s.w.RampTo)*1e9 > float64(e.delay)+1e6)
}

// turnoverLeap counts the connections from virtual time t (seconds, the
// next attempt's) to the end, and returns the time of the attempt after
// them; see above.
func (s *churnSim) turnoverLeap(t float64, end int64, attempts *uint64, nextSample *int64, step int64) float64 {
	e, q, tp := s.e, &s.e.tw, &s.turn.ports
	n := tp.free()        // the ports the connections take in turn
	var client netip.Addr // the clients' address, as the model's rows have it
	if q.live > 0 {
		client = q.local(&q.rows[(q.head+q.used-1)&q.mask()]).Addr()
	}

	// The rows' expiries, oldest first (turnRing). The model's own rows
	// come first (own of them); the counted connections' follow in order,
	// the k-th pushed by the k-th counted connection.
	r := turnRing{exp: make([]int64, n+1), delay: e.delay, ports: n}
	for k := 0; k < q.used; k++ {
		if row := &q.rows[(q.head+k)&q.mask()]; row.pair != deadPair {
			r.exp[r.size] = row.exp
			r.size++
		}
	}
	own := r.size

	// The loop is churnSim.loop with each attempt replaced by the row it
	// makes. turnRing.run makes attempt after attempt up to the next event
	// (a sample, the measuring window's start, a progress call, the end);
	// the events are handled here.
	k0, next := int64(tp.index(tp.next(e.ports.cursor))), s.next
	var m, last int64
	var rate func(float64) float64 // nil: the constant 1/Rate, what rateAt gives without a ramp
	if s.w.RampTo > 0 {
		rate = s.rateAt
	}
	now := nanos(t)
	for now <= end {
		for *nextSample <= now && *nextSample <= end {
			r.popDue(*nextSample)
			s.record(*nextSample, *attempts, r.size, n-r.size)
			*nextSample += step
		}
		s.window(now)
		stop := min(*nextSample, end+1) // the attempts run makes come before it
		if !s.windowed {
			stop = min(stop, s.from)
		}
		todo := int64(math.MaxInt64) // attempts before the next progress call
		if s.w.Progress != nil {
			todo = int64(1<<20 - *attempts&(1<<20-1))
		}
		var done, at int64
		t, now, at, done = r.run(t, 1/s.w.Rate, rate, now, stop, todo)
		if done > 0 {
			last = at
		}
		*attempts += uint64(done)
		s.ok += uint64(done)
		m += done
		if done < todo && now < stop {
			// Every port held: not reachable while a turn outlasts the
			// delay, but if it were, the model makes this attempt.
			break
		}
		if done == todo {
			s.w.Progress(time.Duration(last))
		}
	}
	if m == 0 {
		return t
	}
	s.res.leapt += uint64(m)

	// The model's table after the last counted connection.
	e.vclock.advanceTo(e.epoch + time.Duration(last))
	e.expireDue()
	start := int(e.ports.rng.Start)
	// The ring's head is the popped-th row pushed; the k-th counted
	// connection's row is the (own+k)-th.
	for k := 0; k < r.size; k++ {
		cm := r.popped + int64(k) - int64(own) // the counted connection that made it
		if cm < 0 {
			continue // still in the model's table
		}
		port := uint16(start + tp.offset(int((k0+cm)%int64(n))))
		srv := s.servers[int((int64(next)+cm)%int64(len(s.servers)))]
		e.addRow(netip.AddrPortFrom(client, port), srv, r.exp[(r.head+k)%len(r.exp)])
	}
	// The cursor is past the last port taken.
	if e.ports.cursor = tp.offset(int((k0+m-1)%int64(n))) + 1; e.ports.cursor == tp.n {
		e.ports.cursor = 0
	}
	s.next = int((int64(next) + m) % int64(len(s.servers)))
	return t
}

// turnRing holds the expiries of the rows the turnover leap counts, in a
// ring that never holds more than the ports taken in turn (each row holds
// its own port).
type turnRing struct {
	exp        []int64
	head, size int
	popped     int64 // rows popped so far
	delay      int64 // TcpTimedWaitDelay; 0: no row is made
	ports      int   // the ports taken in turn
}

// popDue pops the rows that are due at now.
func (r *turnRing) popDue(now int64) {
	for r.size > 0 && r.exp[r.head] <= now {
		if r.head++; r.head == len(r.exp) {
			r.head = 0
		}
		r.size--
		r.popped++
	}
}

// run makes the attempts from virtual time t (seconds; now is nanos(t))
// while now < stop, at most todo of them: each pops the rows due and
// pushes its own. The time steps by inv, or by 1/rate(t) with a ramp, as
// churnSim.loop steps it. It returns the time and nanoseconds of the next
// attempt, those of the last one made, and how many it made; it stops
// early, before an attempt, if every port is held. It keeps the ring's
// state in locals: this is the hot loop of a leap over billions of
// connections.
func (r *turnRing) run(t, inv float64, rate func(float64) float64, now, stop, todo int64) (float64, int64, int64, int64) {
	exp, head, size, popped := r.exp, r.head, r.size, r.popped
	delay, ports := r.delay, r.ports
	var done, last int64
	for now < stop && done < todo {
		for size > 0 && exp[head] <= now {
			if head++; head == len(exp) {
				head = 0
			}
			size--
			popped++
		}
		if size >= ports {
			break
		}
		if delay > 0 {
			i := head + size
			if i >= len(exp) {
				i -= len(exp)
			}
			exp[i] = expiryAfter(now, delay)
			size++
		}
		done++
		last = now
		if rate != nil {
			t += 1 / rate(t)
		} else {
			t += inv
		}
		now = nanos(t)
	}
	r.head, r.size, r.popped = head, size, popped
	return t, now, last, done
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
