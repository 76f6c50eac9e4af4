package emulator

// Seeded bugs. The fuzz and determinism tests must show that their checks
// catch real defects, so the package can inject four on purpose. Only the
// package's own tests can ask for one (withSeededBug is unexported and no
// exported option reaches it); every other emulator has the zero value,
// no defect. The hooks sit only on paths that are not per-request work (thread exit,
// cancellation, the TCP table listing, a wait that is about to sleep with
// every other caller asleep), where one comparison of a field costs
// nothing measurable; the reuse cycle never reaches them.
type seededBug uint8

const (
	_ seededBug = iota // no defect
	// seededDoubleCompletion: a canceled request completes twice (two
	// completion events, two packets).
	seededDoubleCompletion
	// seededDuplicateRow: the TCP table lists its first connection row twice.
	seededDuplicateRow
	// seededMapOrderExit: a thread's exit cancels its requests in Go map
	// order (random from run to run) rather than in OVERLAPPED order.
	seededMapOrderExit
	// seededNoDeadlockError: WithDeadlockError finds no deadlock, so a call
	// nothing can release hangs.
	seededNoDeadlockError
)

// withSeededBug makes an emulator with the given defect (tests only).
func withSeededBug(b seededBug) Option { return func(c *config) { c.seeded = b } }

// exitThreadMapOrder is exitThread with the seededMapOrderExit defect.
func (e *Emulator) exitThreadMapOrder(t *thread) {
	byIdx := map[uint32]*ovl{}
	for _, o := range e.ovs {
		if o.live && o.pending && o.thread == t && !(e.profile == Windows && o.sock.port != nil && o.event == 0) {
			byIdx[o.idx] = o
		}
	}
	for _, o := range byIdx { // the defect: map order
		if o.pending {
			e.cancel(o)
		}
	}
}
