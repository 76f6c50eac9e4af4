package main

import (
	"github.com/disconnectex/disconnectex/conformance"
	"github.com/disconnectex/disconnectex/emulator"
	"github.com/disconnectex/disconnectex/internal/backends"
)

// backendSlot is one column of the report: a backend, or the reason it is
// not available on this machine.
type backendSlot struct {
	Name        string
	Backend     conformance.Backend
	Unavailable string // "" when the backend runs here
}

// emulatorBackend is the conformance backend of one emulator profile, as
// internal/backends describes it; o adds emulator options and the hook
// that receives each emulator.
func emulatorBackend(p emulator.Profile, o backends.Options) conformance.Backend {
	b, err := backends.Emulator(p).Suite(o)
	if err != nil {
		// The divergence data are embedded and checked by the tests.
		panic(err)
	}
	return b
}

// reportBackends lists the backends the report runs, available or not
// (backends.Here): the two emulator profiles, and the native backend, which
// runs only on Windows (under Wine it is reported as "wine"). In-process
// the native backend has no wild-pointer isolation, so those cases skip
// with the reason.
func reportBackends() []backendSlot {
	var out []backendSlot
	for _, b := range backends.Here() {
		slot := backendSlot{Name: b.Name, Unavailable: b.Unavailable()}
		if slot.Unavailable == "" {
			cb, err := b.Suite(backends.Options{})
			if err != nil {
				slot.Unavailable = err.Error()
			}
			slot.Backend = cb
		}
		out = append(out, slot)
	}
	return out
}
