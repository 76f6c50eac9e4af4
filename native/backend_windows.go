//go:build windows

package native

import (
	"errors"
	"fmt"
	"sync"
	"syscall"
	"time"

	"golang.org/x/sys/windows"
	"golang.org/x/sys/windows/registry"

	"github.com/disconnectex/disconnectex/spec"
)

// Backend is the spec.API of the running Windows system. Its methods are
// the Windows calls, issued by the calling goroutine's OS thread (Go never
// ends such a thread), except those of a Thread from NewThread.
type Backend struct {
	settings spec.Settings
	system   spec.Settings

	mu      sync.Mutex
	ext     map[extKey]uintptr   // extension functions by address family and provider
	threads map[*thread]struct{} // threads from NewThread not yet exited
}

var _ API = (*Backend)(nil)

// extKey names a cached extension function: the pointer WSAIoctl returns
// belongs to the socket's provider, so it is cached per address family and
// provider (the MSAFD entries of one family share theirs).
type extKey struct {
	af       int32
	provider windows.GUID
	id       spec.GUID
}

var wsaStartup = sync.OnceValue(func() error {
	var d windows.WSAData
	return errnoOf(windows.WSAStartup(0x0202, &d))
})

// New returns the native backend, a *Backend. Windows' TCP settings cannot
// be changed by a process: s is validated and recorded (Settings returns
// it), and SystemSettings reports what the system really uses.
func New(s spec.Settings) (API, error) {
	b, err := NewBackend(s)
	if err != nil {
		return nil, err
	}
	return b, nil
}

// NewBackend is New with the concrete type, for the Windows-only extras
// (AcceptExAddresses, SystemSettings).
func NewBackend(s spec.Settings) (*Backend, error) {
	if err := s.Validate(); err != nil {
		return nil, fmt.Errorf("native: %w", err)
	}
	if err := wsaStartup(); err != nil {
		return nil, fmt.Errorf("native: WSAStartup: %w", err)
	}
	b := &Backend{
		settings: s,
		system:   systemSettings(),
		ext:      make(map[extKey]uintptr),
		threads:  make(map[*thread]struct{}),
	}
	return b, nil
}

// Settings returns the settings New was given.
func (b *Backend) Settings() spec.Settings { return b.settings }

// SystemSettings returns the settings in force: TcpTimedWaitDelay from the
// registry (240 s when the value is absent) and Windows' default dynamic
// port range (the real range is netsh's and is not read).
func (b *Backend) SystemSettings() spec.Settings { return b.system }

func systemSettings() spec.Settings {
	s := spec.DefaultSettings()
	k, err := registry.OpenKey(registry.LOCAL_MACHINE, `SYSTEM\CurrentControlSet\Services\Tcpip\Parameters`, registry.QUERY_VALUE)
	if err != nil {
		return s
	}
	defer k.Close()
	if v, _, err := k.GetIntegerValue("TcpTimedWaitDelay"); err == nil {
		s.TcpTimedWaitDelay = time.Duration(v) * time.Second
	}
	return s
}

// WineVersion reports whether the process runs under Wine (ntdll exports
// wine_get_version) and which version.
func WineVersion() (string, bool) {
	if procwine_get_version.Find() != nil {
		return "", false
	}
	r := wineGetVersion()
	if r == 0 {
		return "", true
	}
	return windows.BytePtrToString((*byte)(at(r))), true
}

// errnoOf converts a Windows error into the spec's Errno.
func errnoOf(err error) error {
	if err == nil {
		return nil
	}
	var e syscall.Errno
	if errors.As(err, &e) {
		if e == 0 {
			return nil
		}
		if e >= syscall.APPLICATION_ERROR {
			// One of Go's invented errnos, which no Windows code has:
			// x/sys/windows returns syscall.EINVAL when a call failed
			// without setting the last error, and EAFNOSUPPORT for an
			// address of a family it cannot decode.
			if e == syscall.EAFNOSUPPORT {
				return spec.WSAEAFNOSUPPORT
			}
			return lastErr(0)
		}
		return spec.Errno(e)
	}
	return err
}

// lastErr returns the error of a failed raw call: the thread's last error,
// as GetLastError and WSAGetLastError (the same slot) report it.
func lastErr(e syscall.Errno) error {
	if e == 0 {
		// The call failed without setting an error; report it as Windows
		// would print it rather than as success.
		return errnoOf(syscall.Errno(windows.ERROR_INVALID_FUNCTION))
	}
	return errnoOf(e)
}

// Close releases what the backend holds: it ends the threads from
// NewThread that were not exited, and frees the OVERLAPPEDs it handed out
// that are neither pending nor in use. Those are left allocated (the
// kernel may still write to them) and reported in the error. Sockets and
// handles are the caller's. The backend stays usable; Close may be called
// again.
func (b *Backend) Close() error {
	b.mu.Lock()
	threads := make([]*thread, 0, len(b.threads))
	for t := range b.threads {
		threads = append(threads, t)
	}
	b.mu.Unlock()
	var errs []error
	for _, t := range threads {
		if err := t.Exit(); err != nil && !errors.Is(err, spec.ERROR_INVALID_HANDLE) {
			errs = append(errs, err)
		}
	}
	slots.Lock()
	left := 0
	for ov, sl := range slots.live {
		if sl.owner != b {
			continue
		}
		if sl.busy() {
			left++
			continue
		}
		delete(slots.live, ov)
		if err := freeSlot(sl); err != nil {
			errs = append(errs, fmt.Errorf("native: freeing OVERLAPPED %#x: %w", ov, err))
		}
	}
	slots.Unlock()
	if left > 0 {
		errs = append(errs, fmt.Errorf("native: %d OVERLAPPED(s) still pending or in use were left allocated", left))
	}
	return errors.Join(errs...)
}

// Sleep suspends the calling thread on the real clock.
func (b *Backend) Sleep(d time.Duration) { time.Sleep(d) }
