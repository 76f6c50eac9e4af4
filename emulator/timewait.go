package emulator

import (
	"math"
	"math/bits"
	"net/netip"
	"time"

	"github.com/disconnectex/disconnectex/spec"
)

// The TIME_WAIT table keys connections by their 4-tuple, as a TCP stack
// does: at most one row per (local address and port, remote address and
// port). Every row lives for the same TcpTimedWaitDelay, so rows leave in
// the order they came and the table is a FIFO ring: the head is always the
// next to expire, and there is no timer or goroutine per row.
//
//   - A row is 16 bytes: its expiry and its 4-tuple, the two addresses
//     interned as one address-pair number (twPairs), which also gives the
//     family. Pair numbers are reference-counted and reused, so any number
//     of distinct addresses can be listed, each row under its own.
//   - An open-addressing index (4 bytes a slot, at most half full) finds the
//     row of a 4-tuple in O(1): insert, lookup, expiry and takeover are all
//     O(1) (amortised over the ring's doubling).
//   - A row taken over by a new connection (a SYN for its pair) is marked
//     dead in place; dead rows at either end of the ring are dropped at once,
//     and the ring is compacted when it fills with more dead rows than live.
//   - The table holds at most MaxTimeWaitRows rows; past that the oldest row
//     leaves early, as Windows 2000 and Server 2003 purged the oldest
//     TIME_WAIT blocks past MaxFreeTWTcbs.

// MaxTimeWaitRows bounds the TIME_WAIT table. A connection that enters
// TIME_WAIT when the table is full ends the oldest row's TIME_WAIT first.
// At 16 bytes a row plus the index, a full table takes 384 to 768 MB.
const MaxTimeWaitRows = 1 << 24

// twRow is one connection in TIME_WAIT. Its size is part of the model's
// cost (16 bytes; TestTimeWaitRowSize).
type twRow struct {
	exp          int64  // emulator time at which the row leaves the table
	pair         uint32 // twPairs index of (local, remote) address; deadPair once taken over
	lport, rport uint16 // local and remote ports
}

const deadPair = math.MaxUint32

// twKey is a row's 4-tuple packed into one word.
type twKey uint64

func keyOf(pair uint32, lport, rport uint16) twKey {
	return twKey(uint64(pair)<<32 | uint64(lport)<<16 | uint64(rport))
}

type twQueue struct {
	rows []twRow // ring buffer, length a power of two
	head int     // ring index of the oldest slot
	used int     // slots in use from head, live and dead; head and tail slots are live
	live int     // live rows

	index []uint32 // ring index+1 of a live row, 0 for an empty slot; len = 2*len(rows)
	shift uint     // 64 - log2(len(index))

	pairs  twPairs
	ports  *portTable       // told which local ports rows hold
	owners map[twKey]uint32 // rows whose socket still has its handle: handle slot+1
}

func (q *twQueue) init(p *portTable) {
	q.ports = p
	q.pairs.init()
	q.owners = make(map[twKey]uint32)
}

func (q *twQueue) mask() int { return len(q.rows) - 1 }

func (q *twQueue) keyAt(pos int) twKey {
	r := &q.rows[pos]
	return keyOf(r.pair, r.lport, r.rport)
}

// Index entries: the row's ring index+1 in the low posBits bits, and
// tagBits more bits of the key's hash above them, so a probe reads a row
// only when the tag matches.
const (
	posBits = 26 // the ring never exceeds 2*MaxTimeWaitRows slots
	posMask = 1<<posBits - 1
	tagBits = 32 - posBits
)

// hash returns a key's home slot (Fibonacci hashing: the high bits of the
// product) and its tag (the bits below those).
func (q *twQueue) hash(k twKey) (home int, tag uint32) {
	h := uint64(k) * 0x9E3779B97F4A7C15
	return int(h >> q.shift), uint32(h>>(q.shift-tagBits)) & (1<<tagBits - 1)
}

// find returns the ring index of the live row with key k and its index slot.
func (q *twQueue) find(k twKey) (pos, slot int, ok bool) {
	if q.live == 0 {
		return 0, 0, false
	}
	m := len(q.index) - 1
	i, tag := q.hash(k)
	for ; ; i = (i + 1) & m {
		v := q.index[i]
		if v == 0 {
			return 0, 0, false
		}
		if v>>posBits == tag && q.keyAt(int(v&posMask-1)) == k {
			return int(v&posMask - 1), i, true
		}
	}
}

// slotOf returns the index slot of the live row at pos.
func (q *twQueue) slotOf(pos int) int {
	m := len(q.index) - 1
	i, _ := q.hash(q.keyAt(pos))
	for q.index[i]&posMask != uint32(pos)+1 {
		i = (i + 1) & m
	}
	return i
}

func (q *twQueue) indexAdd(pos int) {
	m := len(q.index) - 1
	i, tag := q.hash(q.keyAt(pos))
	for q.index[i] != 0 {
		i = (i + 1) & m
	}
	q.index[i] = tag<<posBits | uint32(pos+1)
}

// indexDelete empties slot i and shifts later entries of the probe run
// back, so no tombstones are needed.
func (q *twQueue) indexDelete(i int) {
	m := len(q.index) - 1
	j := i
	for {
		j = (j + 1) & m
		v := q.index[j]
		if v == 0 {
			break
		}
		h, _ := q.hash(q.keyAt(int(v&posMask - 1)))
		if (j-h)&m >= (j-i)&m { // its home is not in (i, j]: it may move to i
			q.index[i] = v
			i = j
		}
	}
	q.index[i] = 0
}

// makeRoom ensures a free slot at the tail: it doubles the ring, or
// compacts it when at least half of it is dead, and rebuilds the index.
func (q *twQueue) makeRoom() {
	if q.used < len(q.rows) {
		return
	}
	size := len(q.rows)
	switch {
	case size == 0:
		size = 16
	case q.live > size/2:
		size *= 2
	}
	rows := make([]twRow, size)
	n := 0
	for k := 0; k < q.used; k++ {
		r := q.rows[(q.head+k)&q.mask()]
		if r.pair != deadPair {
			rows[n] = r
			n++
		}
	}
	q.rows, q.head, q.used = rows, 0, n
	q.rebuildIndex()
}

func (q *twQueue) rebuildIndex() {
	n := 2 * len(q.rows)
	if cap(q.index) >= n && cap(q.index) <= 2*n {
		q.index = q.index[:n]
		clear(q.index)
	} else {
		q.index = make([]uint32, n)
	}
	q.shift = uint(64 - bits.TrailingZeros(uint(n)))
	for k := 0; k < q.used; k++ {
		pos := (q.head + k) & q.mask()
		if q.rows[pos].pair != deadPair {
			q.indexAdd(pos)
		}
	}
}

// push appends a row for a 4-tuple that has none and returns its ring index.
func (q *twQueue) push(r twRow) int {
	q.makeRoom()
	pos := (q.head + q.used) & q.mask()
	q.rows[pos] = r
	q.used++
	q.live++
	q.indexAdd(pos)
	q.ports.rowAdded(q.pairs.fam(r.pair), r.lport)
	return pos
}

// remove takes the live row at pos out of the table.
func (q *twQueue) remove(pos, slot int) {
	r := &q.rows[pos]
	q.indexDelete(slot)
	q.ports.rowRemoved(q.pairs.fam(r.pair), r.lport)
	q.pairs.release(r.pair)
	r.pair = deadPair
	q.live--
	m := q.mask()
	for q.used > 0 && q.rows[q.head].pair == deadPair {
		q.rows[q.head] = twRow{}
		q.head = (q.head + 1) & m
		q.used--
	}
	for q.used > 0 && q.rows[(q.head+q.used-1)&m].pair == deadPair {
		q.used--
	}
	if q.used == 0 {
		q.head = 0
		if len(q.rows) > 1024 { // give back the memory of a burst
			q.rows, q.index = nil, nil
		}
	}
}

// nextExpiry returns when the head row expires.
func (q *twQueue) nextExpiry() (int64, bool) {
	if q.live == 0 {
		return 0, false
	}
	return q.rows[q.head].exp, true
}

// lookup returns the row of a 4-tuple.
func (q *twQueue) lookup(local, remote netip.AddrPort) (pos, slot int, ok bool) {
	if q.live == 0 {
		return 0, 0, false
	}
	fam := 1 // as twPairs.intern gives the family
	if local.Addr().Is4() {
		fam = 0
	}
	if q.ports.rows[fam][local.Port()] == 0 {
		return 0, 0, false // the port table counts the rows on each local port: none here
	}
	p, ok := q.pairs.lookup(local.Addr(), remote.Addr())
	if !ok {
		return 0, 0, false
	}
	return q.find(keyOf(p, local.Port(), remote.Port()))
}

func (q *twQueue) local(r *twRow) netip.AddrPort {
	return netip.AddrPortFrom(q.pairs.ents[r.pair].l, r.lport)
}

func (q *twQueue) remote(r *twRow) netip.AddrPort {
	return netip.AddrPortFrom(q.pairs.ents[r.pair].r, r.rport)
}

// tcpRows appends the TIME_WAIT rows to a TCP table listing.
func (q *twQueue) tcpRows(out []spec.TCPRow) []spec.TCPRow {
	for k := 0; k < q.used; k++ {
		r := &q.rows[(q.head+k)&q.mask()]
		if r.pair == deadPair {
			continue
		}
		out = append(out, spec.TCPRow{Local: q.local(r), Remote: q.remote(r), State: spec.TCPTimeWait})
	}
	return out
}

// connLocal is the local address a connection from so to remote uses: an
// unspecified bind takes the address the route gives, which on loopback
// is the destination itself (as establish records it).
func connLocal(so *socket, remote netip.AddrPort) netip.AddrPort {
	if so.local.Addr().IsUnspecified() {
		return netip.AddrPortFrom(remote.Addr(), so.local.Port())
	}
	return so.local
}

// enterTimeWait records that the connection end so, which closed first, has
// received the peer's FIN: it enters TIME_WAIT for TcpTimedWaitDelay. With a
// delay of 0 the connection is over at once and no row is made.
func (e *Emulator) enterTimeWait(so *socket) {
	so.activeCloser = true
	if e.delay == 0 {
		so.conn = connClosed
		return
	}
	q := &e.tw
	if pos, slot, ok := q.lookup(so.local, so.remote); ok {
		// Not reachable through the connect checks; keep the 4-tuple unique.
		e.endTimeWait(pos, slot, "TIME_WAIT -> CLOSED (pair reused)")
	}
	if q.live >= MaxTimeWaitRows {
		e.endTimeWait(q.head, q.headSlot(), "TIME_WAIT -> CLOSED (table full)")
	}
	exp := e.expiry()
	so.conn = connTimeWait
	so.twExp, so.twKey = exp, e.addRow(so.local, so.remote, exp)
	if so.h != 0 {
		q.owners[so.twKey] = so.slot + 1
	}
	if e.tr != nil {
		e.tr.add(e, Event{Kind: KindTransition, Socket: so.h, Call: "TCP", Result: "FIN_WAIT2 -> TIME_WAIT",
			Args: so.local.String() + " -> " + so.remote.String()})
	}
}

// addRow pushes a TIME_WAIT row for a 4-tuple that has none, leaving at
// exp, and returns its key.
func (e *Emulator) addRow(local, remote netip.AddrPort, exp int64) twKey {
	q := &e.tw
	pair := q.pairs.intern(local.Addr(), remote.Addr())
	q.push(twRow{exp: exp, pair: pair, lport: local.Port(), rport: remote.Port()})
	return keyOf(pair, local.Port(), remote.Port())
}

func (q *twQueue) headSlot() int { return q.slotOf(q.head) }

// disown forgets that so's handle owns its row: the row stays, the socket
// no longer hears of its end (closesocket, or a reuse that completes
// before TIME_WAIT is over).
func (q *twQueue) disown(so *socket) {
	if so.twExp != 0 {
		delete(q.owners, so.twKey)
		so.twExp, so.twKey = 0, 0
	}
}

// expireDue removes the rows whose time has come, each at its due time, and
// completes the TF_REUSE_SOCKET requests that waited for them.
func (e *Emulator) expireDue() {
	if e.tw.live != 0 || len(e.syns) != 0 || len(e.faults.timers) != 0 { // the common case stays inline
		e.expireAny()
	}
}

// expireAny runs the delayed effects of fault rules (faults.go) and the
// SYN timers (remote.go), and removes the rows that are due.
func (e *Emulator) expireAny() {
	if len(e.faults.timers) != 0 {
		e.faultsDue()
	}
	if len(e.syns) != 0 {
		e.expireSYNs()
	}
	if e.tw.live != 0 {
		e.expireRows()
	}
}

func (e *Emulator) expireRows() {
	q := &e.tw
	now := e.now()
	for q.live > 0 && q.rows[q.head].exp <= now {
		e.endTimeWait(q.head, q.headSlot(), "TIME_WAIT -> CLOSED")
	}
}

// endTimeWait ends the TIME_WAIT of the row at pos (index slot slot): at
// its expiry, or early when a new connection takes its pair over. The
// socket whose handle still owns the row is told.
func (e *Emulator) endTimeWait(pos, slot int, result string) {
	q := &e.tw
	r := q.rows[pos]
	var so *socket
	if len(q.owners) > 0 {
		k := q.keyAt(pos)
		if s, ok := q.owners[k]; ok {
			delete(q.owners, k)
			if sl := &e.handles[s-1]; sl.kind == kindSocket && sl.sock.twKey == k && sl.sock.twExp == r.exp {
				so = sl.sock
			}
		}
	}
	if e.tr != nil {
		var h spec.Socket
		if so != nil {
			h = so.h
		}
		at := r.exp
		if now := e.now(); at > now {
			at = now // taken over before its expiry
		}
		e.tr.add(e, Event{Time: timeOf(at), Kind: KindTransition, Socket: h, Call: "TCP",
			Result: result, Args: q.local(&r).String() + " -> " + q.remote(&r).String()})
	}
	q.remove(pos, slot)
	if so == nil {
		return
	}
	so.conn = connClosed
	so.twExp, so.twKey = 0, 0
	if so.reusing {
		e.reuseDone(so, trTimeWaitExpires)
	}
}

// timeOf keeps a trace stamp nonzero so tracer.add does not replace it.
func timeOf(t int64) time.Duration {
	if t == 0 {
		return 1
	}
	return time.Duration(t)
}

// synPolicy is what a SYN does when it arrives for a socket pair whose
// listening side holds a TIME_WAIT row (the server closed first and the
// client connects again from the same port). The evidence does not settle
// it (clause DX-GAP-TIMEWAIT-SYN, variants VariantSYNTakesOver and
// VariantSYNRefused); either way the table never holds two rows for one
// 4-tuple.
type synPolicy uint8

const (
	// synTakesOver: the SYN reopens the connection; the row leaves the table
	// and the connect succeeds (RFC 1122 4.2.2.13; the DisconnectEx page: a
	// connection in TIME_WAIT "can be reopened"). The default.
	synTakesOver synPolicy = iota
	// synRefused: the pair stays unusable until its row expires; connect
	// and ConnectEx fail with WSAEADDRINUSE, as for the connecting side's
	// own TIME_WAIT row.
	synRefused
)

// String returns the variant's name.
func (p synPolicy) String() string {
	if p == synRefused {
		return VariantSYNRefused
	}
	return VariantSYNTakesOver
}

// localFor is the local address and port so's connection to addr will
// have: its bound port, on the address the route to addr takes when it is
// bound to the unspecified one.
func (e *Emulator) localFor(so *socket, addr netip.AddrPort) netip.AddrPort {
	if e.hostFor(addr.Addr()) != 0 {
		return remoteLocal(so, addr)
	}
	return connLocal(so, addr)
}

// synCheck applies the TIME_WAIT rules to a connection from so to addr
// before it is made: the connecting side's own row for the pair refuses it
// (WSAEADDRINUSE), and so does a row on the listening side under
// synRefused.
func (e *Emulator) synCheck(so *socket, addr netip.AddrPort) spec.Errno {
	q := &e.tw
	if q.live == 0 {
		return 0
	}
	local := e.localFor(so, addr)
	if _, _, ok := q.lookup(local, addr); ok {
		return spec.WSAEADDRINUSE
	}
	if e.synPolicy == synRefused {
		if _, _, ok := q.lookup(addr, local); ok {
			return spec.WSAEADDRINUSE
		}
	}
	return 0
}

// synTakeOver ends the listening side's TIME_WAIT row for a connection
// from local to addr, which a SYN reopens (synTakesOver).
func (e *Emulator) synTakeOver(local, addr netip.AddrPort) {
	if pos, slot, ok := e.tw.lookup(addr, local); ok {
		e.endTimeWait(pos, slot, "TIME_WAIT -> CLOSED (SYN reopens the pair)")
	}
}

// twPairs interns (local, remote) address pairs for the rows. Entries
// count the rows using them; an entry whose count drops to zero stays
// findable (a reconnect to the same pair costs no map update) until the
// zero entries outnumber the used ones, when they are reclaimed together.
type twPairs struct {
	ents []twPair
	idx  map[[2]netip.Addr]uint32
	free []uint32
	zero int    // entries with no rows still in idx
	last uint32 // index+1 of the entry found last: a one-entry cache
}

type twPair struct {
	l, r netip.Addr
	rows uint32
	fam  uint8 // famIndex of the local address
}

func (t *twPairs) init() { t.idx = make(map[[2]netip.Addr]uint32) }

func (t *twPairs) fam(i uint32) int { return int(t.ents[i].fam) }

func (t *twPairs) lookup(l, r netip.Addr) (uint32, bool) {
	if t.last != 0 {
		if p := &t.ents[t.last-1]; p.l == l && p.r == r {
			return t.last - 1, true
		}
	}
	i, ok := t.idx[[2]netip.Addr{l, r}]
	if ok {
		t.last = i + 1
	}
	return i, ok
}

// intern returns the entry for (l, r), counting one more row on it.
func (t *twPairs) intern(l, r netip.Addr) uint32 {
	i, ok := t.lookup(l, r)
	if !ok {
		if n := len(t.free); n > 0 {
			i = t.free[n-1]
			t.free = t.free[:n-1]
		} else {
			i = uint32(len(t.ents))
			t.ents = append(t.ents, twPair{})
		}
		fam := uint8(0)
		if !l.Is4() {
			fam = 1
		}
		t.ents[i] = twPair{l: l, r: r, fam: fam}
		t.idx[[2]netip.Addr{l, r}] = i
		t.last = i + 1
	} else if t.ents[i].rows == 0 {
		t.zero--
	}
	t.ents[i].rows++
	return i
}

func (t *twPairs) release(i uint32) {
	p := &t.ents[i]
	p.rows--
	if p.rows != 0 {
		return
	}
	t.zero++
	if t.zero <= 64 || t.zero <= len(t.idx)-t.zero {
		return
	}
	for j := range t.ents {
		if q := &t.ents[j]; q.rows == 0 && q.l.IsValid() {
			delete(t.idx, [2]netip.Addr{q.l, q.r})
			*q = twPair{}
			t.free = append(t.free, uint32(j))
		}
	}
	t.zero, t.last = 0, 0
	if len(t.idx) == 0 {
		t.ents, t.free = t.ents[:0], t.free[:0]
	}
}
