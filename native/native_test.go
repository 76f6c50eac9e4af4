package native

import (
	"errors"
	"runtime"
	"testing"

	"github.com/disconnectex/disconnectex/spec"
)

func TestNewUnsupportedElsewhere(t *testing.T) {
	api, err := New(spec.DefaultSettings())
	if runtime.GOOS == "windows" {
		if err != nil {
			t.Fatalf("New on Windows: %v", err)
		}
		return
	}
	if api != nil || !errors.Is(err, errors.ErrUnsupported) {
		t.Fatalf("New on %s = %v, %v; want an error wrapping errors.ErrUnsupported", runtime.GOOS, api, err)
	}
}

func TestNewRejectsInvalidSettings(t *testing.T) {
	if runtime.GOOS != "windows" {
		t.Skip("the settings are checked by the Windows backend")
	}
	s := spec.DefaultSettings()
	s.TcpTimedWaitDelay = 301e9
	if _, err := New(s); err == nil {
		t.Fatal("New accepted a 301 s TIME_WAIT delay")
	}
}
