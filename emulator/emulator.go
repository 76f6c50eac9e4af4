package emulator

import (
	"fmt"
	"sync"
	"time"

	"github.com/disconnectex/disconnectex/spec"
)

// Emulator is one emulated Windows machine: a Winsock provider with
// loopback TCP, kernel events, completion ports, threads, the TCP table
// with its TIME_WAIT rows, the dynamic port range and a clock.
//
// Its methods (promoted from the API view of its main thread) implement
// spec.API. Calls made directly on the Emulator are issued by a main thread
// that never exits; NewThread returns views whose calls another thread
// issues. All methods are safe for concurrent use.
type Emulator struct {
	view // the main thread's view: its methods implement spec.API

	mu      sync.Mutex
	cond    sync.Cond // broadcast (wake) when anything a blocked caller may wait for changes
	waiters int       // callers blocked in cond.Wait

	// Callers, for the clock (see wait.go).
	inCall      int     // calls in progress
	sleepers    int     // callers asleep in waitUntil that no wake has reached since
	wakeGen     uint64  // counts wakes
	running     int     // threads started with Go that are outside a call
	deadlines   []int64 // the deadlines of the callers in waitUntil
	deadlockErr bool    // WithDeadlockError
	deadlockGen uint64  // counts deadlocks found

	settings spec.Settings
	profile  Profile
	variants variantSet // the variant followed on each clause with variants (variants.go)
	clock    Clock
	vclock   *VirtualClock // non-nil when clock is virtual
	// foreignClock: clock is neither a VirtualClock nor SystemClock's, so
	// its Now is the caller's code (calls then keep a deferred unlock: view.fast).
	foreignClock bool
	epoch        time.Duration
	delay        int64 // TcpTimedWaitDelay in nanoseconds

	handles   []slot   // handle table: index = handle value / 4 - 1 (low bits), with a generation
	freeSlots []uint32 // free slot indices, reused LIFO

	ovs     []*ovl   // OVERLAPPED table, same scheme with its own address space
	freeOvs []uint32 //

	sockPool  []*socket               // socket structs ready for reuse
	listeners []*socket               // listening sockets, in listen order
	listenAt  map[listenKey][]*socket // the same by family and port (findListener), in listen order
	orphans   []*socket               // connection ends whose handle is closed (FIN_WAIT2)

	tw        twQueue
	ports     portTable
	synPolicy synPolicy // what a SYN does to a pair in TIME_WAIT

	hosts []RemoteHost // the network beyond loopback: DefaultRemoteHosts, then WithRemoteHosts
	syn   SYNSchedule  // SYN retransmissions of a connect nobody answers
	syns  []*socket    // connects in progress, waiting for an answer to their SYN

	threads int // threads created so far (ids start at 1; 0 is the main thread)

	tr *tracer // nil when tracing is off

	faults faultSet // fault rules (faults.go)

	missed []string // transitions the table lacked (emulator bugs; see setState)

	seeded seededBug // a defect the package's tests inject on purpose (seeded.go); none otherwise
}

var _ spec.API = (*Emulator)(nil)

// Option configures New.
type Option func(*config)

type config struct {
	profile     Profile
	clock       Clock
	trace       bool
	traceFunc   func(Event) // WithTraceFunc
	observer    func(Event) // WithObserver
	faults      []Fault     // WithFaults
	traceRing   int         // WithTraceRing
	variants    variantSet
	err         error // the first bad option (WithVariant)
	deadlockErr bool
	hosts       []RemoteHost // WithRemoteHosts
	syn         SYNSchedule  // WithSYNSchedule
	synSet      bool
	seeded      seededBug // tests only (seeded.go)
}

// WithProfile selects Windows (the default) or Documented behaviour.
func WithProfile(p Profile) Option { return func(c *config) { c.profile = p } }

// WithClock sets the clock. The default is NewVirtualClock(). Use
// SystemClock() inside a testing/synctest bubble to have waits run on the
// bubble's fake time.
func WithClock(c Clock) Option { return func(cf *config) { cf.clock = c } }

// WithTrace records every call, result, state transition and completion
// (see Trace). Tracing is off by default and then costs nothing. Each
// recorded Event holds 96 bytes plus its strings, for the life of
// the emulator; WithTraceRing keeps only the last n, WithTraceFunc streams
// them instead.
func WithTrace() Option { return func(c *config) { c.trace = true } }

// New returns an emulator with the given system settings. It fails when
// Windows would not accept the settings (spec.Settings.Validate), for
// example a TcpTimedWaitDelay of 301 s.
func New(s spec.Settings, opts ...Option) (*Emulator, error) {
	if err := s.Validate(); err != nil {
		return nil, fmt.Errorf("emulator: %w", err)
	}
	cf := config{profile: Windows}
	for _, o := range opts {
		if o != nil {
			o(&cf)
		}
	}
	if cf.err != nil {
		return nil, cf.err
	}
	if cf.profile != Windows && cf.profile != Documented {
		return nil, fmt.Errorf("emulator: unknown profile %v", cf.profile)
	}
	if cf.clock == nil {
		cf.clock = NewVirtualClock()
	}
	e := &Emulator{
		settings: s,
		profile:  cf.profile,
		variants: cf.variants,
		clock:    cf.clock,
		delay:    int64(cf.variants.timeWaitDelay(s)),

		deadlockErr: cf.deadlockErr,
		seeded:      cf.seeded,
	}
	e.view = view{e: e, t: &thread{}}
	e.cond.L = &e.mu
	if vc, ok := cf.clock.(*VirtualClock); ok {
		e.vclock = vc
	} else if _, ok := cf.clock.(systemClock); !ok {
		e.foreignClock = true
	}
	e.epoch = cf.clock.Now()
	e.ports.init(s.DynamicPorts)
	e.tw.init(&e.ports)
	e.hosts = append(DefaultRemoteHosts(), cf.hosts...)
	e.syn = DefaultSYNSchedule
	if cf.synSet {
		e.syn = cf.syn
	}
	e.synPolicy = synTakesOver
	if e.variants.is(axTimeWaitSYN, VariantSYNRefused) {
		e.synPolicy = synRefused
	}
	if cf.trace || cf.traceFunc != nil || cf.observer != nil {
		e.tr = &tracer{sink: cf.traceFunc, keep: cf.trace && cf.traceFunc == nil, observe: cf.observer, ring: cf.traceRing}
	}
	for _, f := range cf.faults {
		if _, err := e.inject(f); err != nil {
			return nil, err
		}
	}
	return e, nil
}

// Settings returns the settings the emulator was built with (zero
// Settings for a nil or zero Emulator).
func (e *Emulator) Settings() spec.Settings {
	if !e.usable() {
		return spec.Settings{}
	}
	return e.settings
}

// Profile returns the emulator's profile (Windows for a nil or zero
// Emulator).
func (e *Emulator) Profile() Profile {
	if !e.usable() {
		return Windows
	}
	return e.profile
}

// Now returns the emulator's time since New: virtual time with the default
// clock (0 for a nil or zero Emulator). It saturates at about 292 years
// (math.MaxInt64 nanoseconds, less the clock's reading at New) instead of
// wrapping.
func (e *Emulator) Now() time.Duration {
	if !e.usable() {
		return 0
	}
	return time.Duration(e.now())
}

func (e *Emulator) now() int64 { return int64(e.clock.Now() - e.epoch) }

// State returns the life-cycle state of a socket handle. A handle that is
// not an open socket gives spec.StateClosed and WSAENOTSOCK.
func (e *Emulator) State(s spec.Socket) (spec.State, error) {
	if !e.usable() {
		return spec.StateClosed, ErrZero
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	e.expireDue()
	so := e.sock(s)
	if so == nil {
		return spec.StateClosed, spec.WSAENOTSOCK
	}
	return so.state, nil
}

// ---- handle table ----

type kind uint8

const (
	kindFree kind = iota
	kindSocket
	kindEvent
	kindPort
)

type slot struct {
	gen  uint32
	kind kind
	sock *socket
	ev   *event
	port *port
}

const (
	idxBits = 22 // up to 4M live handles
	idxMask = 1<<idxBits - 1
	genLast = 1<<32 - 1 // a slot's last generation (then it is retired)
)

// handleValue builds a handle: a multiple of 4, never 0, low bit clear, that
// carries the slot's generation so a closed handle is never mistaken for a
// later one.
func handleValue(idx, gen uint32) uintptr {
	return uintptr((uint64(gen)<<idxBits | uint64(idx+1)) << 2)
}

func (e *Emulator) lookup(h uintptr) *slot {
	if h == 0 || h&3 != 0 {
		return nil
	}
	v := uint64(h) >> 2
	idx := v & idxMask
	if idx == 0 || idx > uint64(len(e.handles)) {
		return nil
	}
	sl := &e.handles[idx-1]
	if sl.kind == kindFree || uint64(sl.gen) != v>>idxBits {
		return nil
	}
	return sl
}

// alloc takes a free slot and returns its index and handle value.
func (e *Emulator) alloc(k kind) (uint32, uintptr, bool) {
	var idx uint32
	if n := len(e.freeSlots); n > 0 {
		idx = e.freeSlots[n-1]
		e.freeSlots = e.freeSlots[:n-1]
	} else {
		if len(e.handles) >= idxMask {
			return 0, 0, false
		}
		e.handles = append(e.handles, slot{})
		idx = uint32(len(e.handles) - 1)
	}
	sl := &e.handles[idx]
	sl.kind = k
	return idx, handleValue(idx, sl.gen), true
}

// release frees a slot: its generation moves on, so the old handle value
// stays invalid. A slot whose last generation is released is retired
// rather than wrapped, so no handle value is ever handed out twice.
func (e *Emulator) release(idx uint32) {
	sl := &e.handles[idx]
	if sl.gen == genLast {
		*sl = slot{gen: sl.gen}
		return
	}
	*sl = slot{gen: sl.gen + 1}
	e.freeSlots = append(e.freeSlots, idx)
}

// sock returns the open socket a handle names, or nil.
func (e *Emulator) sock(s spec.Socket) *socket {
	// lookup, with the kind checked in the same test (inlined: every call
	// on a socket starts here). Handle 0 gives index 0, which wraps.
	v := uint64(s) >> 2
	i := v&idxMask - 1
	if s&3 != 0 || i >= uint64(len(e.handles)) {
		return nil
	}
	sl := &e.handles[i]
	if sl.kind != kindSocket || uint64(sl.gen) != v>>idxBits {
		return nil
	}
	return sl.sock
}

func (e *Emulator) event(h spec.Handle) *event {
	sl := e.lookup(uintptr(h))
	if sl == nil || sl.kind != kindEvent {
		return nil
	}
	return sl.ev
}

func (e *Emulator) port(h spec.Handle) *port {
	sl := e.lookup(uintptr(h))
	if sl == nil || sl.kind != kindPort {
		return nil
	}
	return sl.port
}

// errOf turns a code computed at run time into an error without allocating
// for the codes the emulator produces (a constant Errno converts to an
// interface statically; a variable one would be boxed on the heap).
func errOf(c spec.Errno) error {
	if c == spec.ERROR_SUCCESS { // inlined: most calls succeed
		return nil
	}
	return errOfCode(c)
}

func errOfCode(c spec.Errno) error {
	switch c {
	case spec.ERROR_INVALID_HANDLE:
		return spec.ERROR_INVALID_HANDLE
	case spec.ERROR_NOT_ENOUGH_MEMORY:
		return spec.ERROR_NOT_ENOUGH_MEMORY
	case spec.ERROR_NETNAME_DELETED:
		return spec.ERROR_NETNAME_DELETED
	case spec.ERROR_UNEXP_NET_ERR:
		return spec.ERROR_UNEXP_NET_ERR
	case spec.ERROR_INVALID_PARAMETER:
		return spec.ERROR_INVALID_PARAMETER
	case spec.ERROR_PIPE_NOT_CONNECTED:
		return spec.ERROR_PIPE_NOT_CONNECTED
	case spec.WAIT_TIMEOUT:
		return spec.WAIT_TIMEOUT
	case spec.ERROR_OPERATION_ABORTED:
		return spec.ERROR_OPERATION_ABORTED
	case spec.ERROR_IO_INCOMPLETE:
		return spec.ERROR_IO_INCOMPLETE
	case spec.ERROR_IO_PENDING:
		return spec.ERROR_IO_PENDING
	case spec.ERROR_CONNECTION_REFUSED:
		return spec.ERROR_CONNECTION_REFUSED
	case spec.ERROR_CONNECTION_INVALID:
		return spec.ERROR_CONNECTION_INVALID
	case spec.ERROR_CONNECTION_ABORTED:
		return spec.ERROR_CONNECTION_ABORTED
	case spec.ERROR_ADDRESS_ALREADY_ASSOCIATED:
		return spec.ERROR_ADDRESS_ALREADY_ASSOCIATED
	case spec.ERROR_GRACEFUL_DISCONNECT:
		return spec.ERROR_GRACEFUL_DISCONNECT
	case spec.WSAEINVAL:
		return spec.WSAEINVAL
	case spec.WSAENOTCONN:
		return spec.WSAENOTCONN
	case spec.WSAECONNRESET:
		return spec.WSAECONNRESET
	case spec.WSAECONNABORTED:
		return spec.WSAECONNABORTED
	case spec.WSAECONNREFUSED:
		return spec.WSAECONNREFUSED
	case spec.WSAESHUTDOWN:
		return spec.WSAESHUTDOWN
	case spec.WSAEADDRINUSE:
		return spec.WSAEADDRINUSE
	case spec.WSAENOBUFS:
		return spec.WSAENOBUFS
	case spec.WSAEDISCON:
		return spec.WSAEDISCON
	}
	return c
}
