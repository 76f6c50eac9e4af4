package emulator

import (
	"fmt"

	"github.com/disconnectex/disconnectex/spec"
)

// Profile selects whose word the emulator follows where Microsoft's
// DisconnectEx page and Windows disagree.
//
// The two profiles differ in exactly three behaviours, the three clauses of
// the catalogue whose Status is spec.Contradicts:
//
//	clause                     Windows (default)                 Documented
//	DX-ERR-NOTCONN-TRANSMIT    2nd DisconnectEx(0) succeeds       WSAENOTCONN in transmit-closing
//	DX-FLAG-REUSE-TARGET       connected -> ConnectEx only,       either ConnectEx or AcceptEx
//	                           accepted  -> AcceptEx only
//	DX-REM-THREAD-EXIT         I/O on a port survives thread exit  thread exit cancels all its I/O
type Profile uint8

const (
	// Windows behaves as Windows was observed to behave. It is the default.
	Windows Profile = iota
	// Documented behaves as the DisconnectEx page reads.
	Documented
)

// String returns "windows" or "documented".
func (p Profile) String() string {
	switch p {
	case Windows:
		return "windows"
	case Documented:
		return "documented"
	}
	return fmt.Sprintf("Profile(%d)", uint8(p))
}

// ParseProfile returns the profile String names: "windows" or
// "documented".
func ParseProfile(s string) (Profile, error) {
	for _, p := range []Profile{Windows, Documented} {
		if s == p.String() {
			return p, nil
		}
	}
	return 0, fmt.Errorf("emulator: unknown profile %q (want windows or documented)", s)
}

// Clauses returns the IDs of the catalogue clauses on which the profile
// departs from Windows: none for Windows, the three Contradicts clauses for
// Documented.
func (p Profile) Clauses() []string {
	if p == Documented {
		return []string{spec.ClauseErrNotConnTransmit, spec.ClauseFlagReuseTarget, spec.ClauseRemThreadExit}
	}
	return nil
}
