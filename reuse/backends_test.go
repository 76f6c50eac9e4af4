package reuse_test

import (
	"testing"

	"github.com/disconnectex/disconnectex/emulator"
	"github.com/disconnectex/disconnectex/native"
	"github.com/disconnectex/disconnectex/spec"
)

// backend is one spec.API the tests run on.
type backend struct {
	name string
	api  spec.API
	// wine: TF_REUSE_SOCKET is ignored (testdata/divergences/wine.json,
	// reuse/connect-then-connectex): recycled sockets are refused and
	// replaced by fresh ones.
	wine bool
	// realTime: TIME_WAIT passes in real time (240 s by default), so a
	// test that recycles through it takes minutes.
	realTime bool
}

// forEachBackend runs f on the emulator under every variant combination
// (emulator.ForEachVariant) and on the native backend where it runs
// (Windows, Wine).
func forEachBackend(t *testing.T, f func(t *testing.T, b backend)) {
	t.Run("emulator", func(t *testing.T) {
		emulator.ForEachVariant(t, func(t *testing.T, opts ...emulator.Option) {
			e, err := emulator.New(spec.DefaultSettings(), opts...)
			if err != nil {
				t.Fatal(err)
			}
			f(t, backend{name: "emulator", api: e})
		})
	})
	t.Run("native", func(t *testing.T) {
		api, err := native.New(spec.DefaultSettings())
		if err != nil {
			t.Skip(err)
		}
		t.Cleanup(func() { _ = api.Close() })
		_, wine := native.WineVersion()
		name := "native"
		if wine {
			name = "wine"
		}
		f(t, backend{name: name, api: api, wine: wine, realTime: !wine})
	})
}
