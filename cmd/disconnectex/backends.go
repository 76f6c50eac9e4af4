package main

import (
	"slices"
	"testing"

	"github.com/disconnectex/disconnectex/conformance"
	"github.com/disconnectex/disconnectex/emulator"
	"github.com/disconnectex/disconnectex/native"
	"github.com/disconnectex/disconnectex/spec"
)

// backendSlot is one column of the report: a backend, or the reason it is
// not available on this machine.
type backendSlot struct {
	Name        string
	Backend     conformance.Backend
	Unavailable string // "" when the backend runs here
}

// divergenceFileFor returns "<name>.json" when that file is embedded.
func divergenceFileFor(name string) string {
	files, err := conformance.DivergenceFiles()
	if err != nil || !slices.Contains(files, name+".json") {
		return ""
	}
	return name + ".json"
}

// emulatorBackend is the conformance backend of one emulator profile. The
// name, capabilities and divergence file match the ones conformance's own
// tests use (conformance_test.go), so report and go test agree.
func emulatorBackend(p emulator.Profile, opts ...emulator.Option) conformance.Backend {
	name := "emulator-" + p.String()
	return conformance.Backend{
		Name: name,
		New: func(_ testing.TB, s spec.Settings) (spec.API, error) {
			return emulator.New(s, append([]emulator.Option{emulator.WithProfile(p)}, opts...)...)
		},
		Capabilities: []conformance.Capability{conformance.VirtualTime, conformance.Settings,
			conformance.Introspection, conformance.WildPointers},
		Divergences: divergenceFileFor(name),
	}
}

// backends lists every backend the report knows, available or not: the two
// emulator profiles, and the native backend, which runs only on Windows
// (under Wine it is reported as "wine").
func backends() []backendSlot {
	out := []backendSlot{
		{Name: "emulator-windows", Backend: emulatorBackend(emulator.Windows)},
		{Name: "emulator-documented", Backend: emulatorBackend(emulator.Documented)},
	}
	name := "native"
	if _, wine := native.WineVersion(); wine {
		name = "wine"
	}
	api, err := native.New(spec.DefaultSettings())
	if err != nil {
		return append(out, backendSlot{Name: name, Unavailable: err.Error()})
	}
	api.Close()
	// No capabilities: no virtual time, no settings (Windows' TCP settings
	// are the system's), no long waits, and no wild pointers - the
	// conformance test isolates those cases in a child process, which an
	// in-process report cannot do, so they are skipped here with the reason.
	return append(out, backendSlot{Name: name, Backend: conformance.Backend{
		Name: name,
		New: func(t testing.TB, s spec.Settings) (spec.API, error) {
			api, err := native.New(s)
			if err != nil {
				return nil, err
			}
			// Registered first, so it runs after the case's own
			// cleanups: threads end and OVERLAPPEDs are freed.
			t.Cleanup(func() { api.Close() })
			return api, nil
		},
		Divergences: divergenceFileFor(name),
	}})
}
