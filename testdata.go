// Package disconnectex is the root of the DisconnectEx reference emulator
// and conformance suite. Its only content is the data the suite and the
// command share: the known divergences of each backend, one JSON file per
// backend under testdata/divergences, embedded so that the command works
// from any directory. The code lives in the packages spec, emulator, native,
// conformance and cmd/disconnectex.
package disconnectex

import "embed"

// Divergences holds testdata/divergences/<backend>.json.
//
//go:embed testdata/divergences/*.json
var Divergences embed.FS
