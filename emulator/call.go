package emulator

import "github.com/disconnectex/disconnectex/spec"

// The path of a call that is traced, observed or matched against fault
// rules (api.go has the fast path and the spec.API methods).

// do runs one call: it takes the lock, fails with ERROR_INVALID_HANDLE on an
// exited thread, processes the TIME_WAIT expiries that are due, and around
// op records the call (args) and its result (err and, for calls that return
// a value, result) when tracing. args and result run only when tracing (or
// for a fault rule's predicate); no closure escapes, so a call costs
// nothing extra with tracing off: that path (the one a benchmark measures)
// is kept apart from the traced one. A fault rule that matches the call
// acts instead of op or after it (faults.go); an observer gets the events
// once the lock is released (observer.go).
func (v *view) do(name string, s spec.Socket, args func() string, op func() error, result func() string) error {
	return v.doOv(name, s, 0, 0, args, op, result)
}

// doOv is do for the calls that carry an OVERLAPPED ov (and, for AcceptEx,
// an accept socket acc), which a fault rule may start as a request.
func (v *view) doOv(name string, s, acc spec.Socket, ov spec.Overlapped, args func() string, op func() error, result func() string) error {
	if v == nil || v.e == nil || v.t == nil {
		return ErrZero
	}
	e := v.e
	if e.tr != nil || e.faults.rules.Load() != nil { // tr is set by New, never changed
		return v.doTraced(name, s, acc, ov, args, op, result)
	}
	e.mu.Lock()
	defer e.unlockCall(v.t)
	e.enterCall(v.t)
	if !v.begin() {
		return spec.ERROR_INVALID_HANDLE
	}
	return op()
}

// doTraced is do with tracing on or fault rules installed.
func (v *view) doTraced(name string, s, acc spec.Socket, ov spec.Overlapped, args func() string, op func() error, result func() string) error {
	e := v.e
	var rules []*faultRule
	if rs := e.faults.rules.Load(); rs != nil {
		// Outside the lock: a predicate may call the emulator.
		rules = candidates(*rs, name, s, acc, v.t.id, args)
	}
	err := v.traced(name, s, acc, ov, rules, args, op, result)
	if e.tr != nil && e.tr.observe != nil {
		e.deliverEvents()
	}
	return err
}

func (v *view) traced(name string, s, acc spec.Socket, ov spec.Overlapped, rules []*faultRule, args func() string, op func() error, result func() string) error {
	e := v.e
	e.mu.Lock()
	defer e.unlockCall(v.t)
	e.enterCall(v.t)
	if !v.begin() {
		return spec.ERROR_INVALID_HANDLE
	}
	if e.tr != nil {
		a := ""
		if args != nil {
			a = args()
		}
		e.traceCall(v.t, name, s, a)
	}
	var err error
	if rules != nil {
		err = e.applyFaults(v.t, rules, name, s, acc, ov, op)
	} else {
		err = op()
	}
	if e.tr != nil {
		r := ""
		if result != nil {
			r = result()
		}
		e.traceResult(v.t, name, s, err, r)
	}
	return err
}
