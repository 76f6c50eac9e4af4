// Package disconnectex is the root of the DisconnectEx reference emulator
// and conformance suite. Its only content is data the command shares with
// the browser playground: the scenarios under testdata/scenarios, embedded
// so that the command works from any directory. The code lives in the
// packages spec, emulator, native, conformance, picture, overlapped, reuse
// and cmd/disconnectex.
package disconnectex

import "embed"

// Scenarios holds the commented experiments of testdata/scenarios/*.dx
// (scripts for `disconnectex run`), embedded for the playground page.
//
//go:embed testdata/scenarios/*.dx
var Scenarios embed.FS
