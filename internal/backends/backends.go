// Package backends is the one home of this module's backends: for each, its
// name, what it is, what it can do in-process, its known divergences and how
// to build it for the conformance suite. The disconnectex command (report,
// explain, trace) and the tests (conformance's, the waits test) take them
// from here, and a test enumerates them, so a backend is described once.
//
// A backend's name is the base name of its divergence file,
// divergences/<name>.json, embedded here; the file's "backend" field must
// be that name. The files are parsed and checked once, on first use.
//
// The native backend has two names: "native" on Windows and "wine" under
// Wine, each held to its own file; Native returns the one that applies on
// this machine.
package backends

import (
	"embed"
	"fmt"
	"slices"
	"sync"
	"testing"

	"github.com/disconnectex/disconnectex/conformance"
	"github.com/disconnectex/disconnectex/emulator"
	"github.com/disconnectex/disconnectex/native"
	"github.com/disconnectex/disconnectex/spec"
)

// Backend is one backend of this module.
type Backend struct {
	// Name names it in reports, subtests and explanations, and names its
	// divergence file: "emulator-windows", "emulator-documented",
	// "native" or "wine".
	Name string
	// Description says what it is, in a phrase ("the emulator's Windows
	// profile").
	Description string
	// Capabilities are what it can do in-process. The native backend has
	// only RemoteHosts (loopback stand-ins, nativenet.go): no virtual time, no settings (Windows' TCP settings are the
	// system's), no long waits unless a test asks for them, and no wild
	// pointers unless a test isolates those cases in a child process
	// (conformance/native_test.go does).
	Capabilities []conformance.Capability

	emulated bool
	profile  emulator.Profile
}

// nativeCapabilities are what the native backend can do in-process:
// stand-ins for remote hosts on the machine itself (nativenet.go).
var nativeCapabilities = []conformance.Capability{conformance.RemoteHosts}

// emulatorCapabilities are what every emulator profile can do.
var emulatorCapabilities = []conformance.Capability{conformance.VirtualTime, conformance.Settings,
	conformance.Introspection, conformance.WildPointers, conformance.RemoteHosts}

var all = []Backend{
	{Name: "emulator-windows", Description: "the emulator's Windows profile",
		Capabilities: emulatorCapabilities, emulated: true, profile: emulator.Windows},
	{Name: "emulator-documented", Description: "the emulator's Documented profile (the page read literally)",
		Capabilities: emulatorCapabilities, emulated: true, profile: emulator.Documented},
	{Name: "native", Description: "native Windows", Capabilities: nativeCapabilities},
	{Name: "wine", Description: "Wine", Capabilities: nativeCapabilities},
}

// All returns every backend of the module, available on this machine or
// not: the emulator's Windows and Documented profiles, native and wine.
func All() []Backend {
	out := slices.Clone(all)
	for i := range out {
		out[i].Capabilities = slices.Clone(out[i].Capabilities)
	}
	return out
}

// Lookup returns the backend called name.
func Lookup(name string) (Backend, bool) {
	for _, b := range All() {
		if b.Name == name {
			return b, true
		}
	}
	return Backend{}, false
}

// Emulator returns the backend of an emulator profile.
func Emulator(p emulator.Profile) Backend {
	b, _ := Lookup("emulator-" + p.String())
	return b
}

// Native returns the native backend under its name on this machine:
// "wine" under Wine, "native" elsewhere (where it may be unavailable).
func Native() Backend {
	name := "native"
	if _, wine := native.WineVersion(); wine {
		name = "wine"
	}
	b, _ := Lookup(name)
	return b
}

// Here returns the backends the report runs: the two emulator profiles and
// the native backend under its name on this machine.
func Here() []Backend {
	return []Backend{Emulator(emulator.Windows), Emulator(emulator.Documented), Native()}
}

// Emulated reports whether b is an emulator profile.
func (b Backend) Emulated() bool { return b.emulated }

// Profile returns the emulator profile of an emulated backend.
func (b Backend) Profile() emulator.Profile { return b.profile }

// File is the path of b's divergence file in the module.
func (b Backend) File() string { return "internal/backends/divergences/" + b.Name + ".json" }

// Unavailable returns why b cannot run on this machine, or "".
func (b Backend) Unavailable() string {
	if b.emulated {
		return ""
	}
	if b.Name != Native().Name {
		return fmt.Sprintf("%s runs only where the native backend is %s", b.Name, b.Name)
	}
	api, err := native.New(spec.DefaultSettings())
	if err != nil {
		return err.Error()
	}
	api.Close()
	return ""
}

// Divergences returns b's known divergences, from its embedded file.
func (b Backend) Divergences() ([]conformance.Divergence, error) {
	d, err := divergences()
	if err != nil {
		return nil, err
	}
	return d[b.Name], nil
}

// Options adjust the conformance backend Suite builds.
type Options struct {
	// Emulator are options for every emulator an emulated backend
	// builds, after its profile (trace adds emulator.WithTrace()).
	Emulator []emulator.Option
	// OnEmulator, when set, is handed every emulator an emulated backend
	// builds: trace prints their timelines, the waits test reads their
	// virtual clocks.
	OnEmulator func(*emulator.Emulator)
}

// Suite returns b as a conformance backend: its name, capabilities,
// divergences and a constructor. An emulator that met a transition its
// state machine lacks fails the case; the native constructor closes each
// backend after the case's own cleanups, logging what Close reports.
func (b Backend) Suite(o Options) (conformance.Backend, error) {
	known, err := b.Divergences()
	if err != nil {
		return conformance.Backend{}, err
	}
	cb := conformance.Backend{Name: b.Name, Capabilities: slices.Clone(b.Capabilities), Known: known}
	if b.emulated {
		opts := append([]emulator.Option{emulator.WithProfile(b.profile)}, o.Emulator...)
		cb.New = func(t testing.TB, s spec.Settings) (spec.API, error) {
			e, err := emulator.New(s, opts...)
			if err != nil {
				return nil, err
			}
			// A missing state-machine edge is an emulator bug the case
			// may not notice: it fails the case.
			t.Cleanup(func() {
				for _, m := range e.MissedTransitions() {
					t.Errorf("%s", m)
				}
			})
			if o.OnEmulator != nil {
				o.OnEmulator(e)
			}
			return e, nil
		}
		return cb, nil
	}
	cb.New = func(t testing.TB, s spec.Settings) (spec.API, error) {
		napi, err := native.New(s)
		if err != nil {
			return nil, err
		}
		api := withRemoteHosts(napi)
		// Registered first, so it runs after the case's own cleanups:
		// what the case left (threads not exited, OVERLAPPEDs not freed)
		// does not outlive it.
		t.Cleanup(func() {
			if err := api.Close(); err != nil {
				t.Logf("native backend Close: %v", err)
			}
		})
		return api, nil
	}
	return cb, nil
}

//go:embed divergences/*.json
var files embed.FS

// divergences parses every embedded file once: the entries by backend
// name.
var divergences = sync.OnceValues(func() (map[string][]conformance.Divergence, error) {
	out := map[string][]conformance.Divergence{}
	for _, b := range all {
		name := b.Name + ".json"
		data, err := files.ReadFile("divergences/" + name)
		if err != nil {
			return nil, fmt.Errorf("backend %s: %w", b.Name, err)
		}
		backend, entries, err := conformance.ParseDivergences(name, data)
		if err != nil {
			return nil, err
		}
		if backend != b.Name {
			return nil, fmt.Errorf("divergence data %s is for backend %q, not %q", name, backend, b.Name)
		}
		out[b.Name] = entries
	}
	return out, nil
})
