package native

import "github.com/disconnectex/disconnectex/spec"

// The raw calls are //sys lines in syscall_windows.go (a file for Windows
// only, so the directive lives here, where go generate sees it on any GOOS).
//
//go:generate go run golang.org/x/sys/windows/mkwinsyscall -output zsyscall_windows.go syscall_windows.go

// API is what New returns: the spec.API of the running Windows system, and
// Close, which releases what the backend holds (threads from NewThread not
// exited, OVERLAPPEDs not freed). On Windows it is a *Backend.
type API interface {
	spec.API
	Close() error
}
