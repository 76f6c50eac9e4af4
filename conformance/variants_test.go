package conformance_test

import (
	"testing"

	"github.com/disconnectex/disconnectex/conformance"
	"github.com/disconnectex/disconnectex/emulator"
	"github.com/disconnectex/disconnectex/internal/backends"
)

// TestEmulatorVariants runs every case on every variant combination of the
// Windows profile that can change an outcome (emulator.VariantRuns). Each
// must pass, with the Windows profile's divergence data (none): a case for
// a clause the evidence does not settle accepts every outcome its evidence
// allows, so it passes on each variant the emulator offers for it.
func TestEmulatorVariants(t *testing.T) {
	emulator.ForEachVariant(t, func(t *testing.T, opts ...emulator.Option) {
		conformance.Run(t, suite(t, emulator.Windows, backends.Options{Emulator: opts}))
	})
}
