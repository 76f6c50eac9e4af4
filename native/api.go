package native

import "github.com/disconnectex/disconnectex/spec"

// API is what New returns: the spec.API of the running Windows system, and
// Close, which releases what the backend holds (threads from NewThread not
// exited, OVERLAPPEDs not freed). On Windows it is a *Backend.
type API interface {
	spec.API
	Close() error
}
