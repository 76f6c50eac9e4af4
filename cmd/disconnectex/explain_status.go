package main

import (
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/disconnectex/disconnectex/spec"
)

// NTSTATUS values: explain also takes the status a request leaves in
// OVERLAPPED.Internal (STATUS_CANCELLED, 0xC0000120), which its own output
// talks about, and explains it through its two faces.

// parseStatus accepts an NTSTATUS name of spec's table (any case, the
// STATUS_ prefix optional) or a number the project maps to a Winsock
// face (a row of spec.NTStatuses, or an error status
// WSAGetOverlappedResult translates).
func parseStatus(s string) (spec.NTStatus, bool) {
	s = strings.TrimSpace(s)
	if n, err := strconv.ParseUint(s, 0, 32); err == nil {
		st := spec.NTStatus(n)
		for _, known := range spec.NTStatuses() {
			if st == known {
				return st, true
			}
		}
		// A status outside the table with its own Winsock face (not the
		// WSAEINVAL every unknown error status gets).
		if int32(st) < 0 && st.Winsock() != spec.WSAEINVAL {
			return st, true
		}
		return 0, false
	}
	up := strings.ToUpper(s)
	for _, known := range spec.NTStatuses() {
		if name := known.String(); up == name || "STATUS_"+up == name {
			return known, true
		}
	}
	return 0, false
}

// winsockName is the name WSAGetOverlappedResult's face goes by: its WSA_
// alias where it has one (WSA_OPERATION_ABORTED for 995).
func winsockName(e spec.Errno) string {
	for _, a := range e.Aliases() {
		if strings.HasPrefix(a, "WSA") {
			return a
		}
	}
	return e.Name()
}

// statusTitle is "STATUS_CANCELLED (0xC0000120)", or the number alone for
// a status outside spec's named table.
func statusTitle(st spec.NTStatus) string {
	if name, ok := statusName(st); ok {
		return fmt.Sprintf("%s (0x%08X)", name, uint32(st))
	}
	return fmt.Sprintf("NTSTATUS 0x%08X", uint32(st))
}

// statusFaces returns the faces of st the reference records, Win32 first:
// both for a row of spec's table (one when they are the same code), the
// Winsock face alone for another status (its Win32 face is not recorded).
func statusFaces(st spec.NTStatus) []spec.Errno {
	w, s := st.Win32(), st.Winsock()
	if _, ok := statusName(st); !ok {
		return []spec.Errno{s}
	}
	if w == s {
		return []spec.Errno{w}
	}
	return []spec.Errno{w, s}
}

func (r *reference) writeStatusText(w io.Writer, st spec.NTStatus) {
	fmt.Fprintf(w, "%s: an NTSTATUS, the status an overlapped request leaves in OVERLAPPED.Internal\n\n", statusTitle(st))
	fmt.Fprintf(w, "A program does not get it as an error: Windows reports it as\n")
	if _, ok := statusName(st); ok {
		fmt.Fprintf(w, "  GetOverlappedResult      %s (%d)\n", st.Win32().Name(), uint32(st.Win32()))
	} else {
		fmt.Fprintf(w, "  GetOverlappedResult      (not recorded in this reference)\n")
	}
	fmt.Fprintf(w, "  WSAGetOverlappedResult   %s (%d)\n", winsockName(st.Winsock()), uint32(st.Winsock()))
	if f := statusFaces(st); len(f) == 2 && errors.Is(f[0], f[1]) {
		fmt.Fprintf(w, "errors.Is relates the two faces (spec.Errno.Is).\n")
	}
	for _, e := range statusFaces(st) {
		fmt.Fprintln(w)
		r.explain(e).writeText(w)
	}
}

func (r *reference) writeStatusMarkdown(w io.Writer, st spec.NTStatus) {
	fmt.Fprintf(w, "# %s\n\n", statusTitle(st))
	fmt.Fprintf(w, "An NTSTATUS, the status an overlapped request leaves in `OVERLAPPED.Internal`. ")
	if _, ok := statusName(st); ok {
		fmt.Fprintf(w, "GetOverlappedResult reports it as `%s` (%d), ", st.Win32().Name(), uint32(st.Win32()))
	}
	fmt.Fprintf(w, "WSAGetOverlappedResult as `%s` (%d).\n\n", winsockName(st.Winsock()), uint32(st.Winsock()))
	for _, e := range statusFaces(st) {
		r.explain(e).writeMarkdown(w, "##")
	}
}

// statusName returns the name of st when it is a row of spec's table.
func statusName(st spec.NTStatus) (string, bool) {
	for _, known := range spec.NTStatuses() {
		if st == known {
			return known.String(), true
		}
	}
	return "", false
}
