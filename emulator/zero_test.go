package emulator

import (
	"errors"
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/disconnectex/disconnectex/spec"
)

// within runs f and, should it still run after a generous wall-clock
// limit, crashes the test binary with every goroutine's stack: a hang is a
// finding, not a stuck test run. (The limit only detects hangs; no result
// depends on wall time.)
func within(t *testing.T, f func()) {
	t.Helper()
	timer := time.AfterFunc(hangLimit, func() {
		panic(fmt.Sprintf("%s: still running after %v: hang", t.Name(), hangLimit))
	})
	defer timer.Stop()
	f()
}

// TestZeroValues: every spec.API method, called on a nil *Emulator, a zero
// Emulator and a zero Thread, returns ErrZero (issue 8 item 8) instead of
// dereferencing nil. A spec.API method added without its *Emulator
// declaration in zero.go panics here on the nil Emulator.
func TestZeroValues(t *testing.T) {
	var nilEmu *Emulator
	targets := map[string]spec.Thread{"zero Thread": &Thread{}}
	apis := map[string]spec.API{"nil *Emulator": nilEmu, "zero Emulator": &Emulator{}, "zero Thread": &Thread{}}
	api := reflect.TypeFor[spec.API]()
	for name, a := range apis {
		v := reflect.ValueOf(a)
		for i := 0; i < api.NumMethod(); i++ {
			m := api.Method(i)
			args := make([]reflect.Value, m.Type.NumIn())
			for j := range args {
				args[j] = reflect.Zero(m.Type.In(j))
			}
			var out []reflect.Value
			panicked := false
			within(t, func() {
				defer func() {
					if r := recover(); r != nil {
						panicked = true
						t.Errorf("%s.%s panics: %v (declare it on *Emulator in zero.go)", name, m.Name, r)
					}
				}()
				out = v.MethodByName(m.Name).Call(args)
			})
			if panicked || len(out) == 0 {
				continue // Sleep has no result
			}
			err, _ := out[len(out)-1].Interface().(error)
			if !errors.Is(err, ErrZero) || !errors.Is(err, spec.ERROR_INVALID_HANDLE) {
				t.Errorf("%s.%s: error %v, want ErrZero (an ERROR_INVALID_HANDLE)", name, m.Name, err)
			}
			if m.Name == "Socket" && out[0].Interface() != spec.INVALID_SOCKET {
				t.Errorf("%s.Socket = %v, want INVALID_SOCKET", name, out[0])
			}
		}
	}
	for name, th := range targets {
		if err := th.Exit(); !errors.Is(err, ErrZero) {
			t.Errorf("%s.Exit() = %v, want ErrZero", name, err)
		}
	}
	var nilThread *Thread
	if err := nilThread.Exit(); !errors.Is(err, ErrZero) || nilThread.ID() != 0 || (&Thread{}).ID() != 0 {
		t.Errorf("nil Thread: Exit %v, ID %d", err, nilThread.ID())
	}
	for name, e := range map[string]*Emulator{"nil": nilEmu, "zero": {}} {
		if st, err := e.State(4); st != spec.StateClosed || !errors.Is(err, ErrZero) {
			t.Errorf("%s Emulator: State = %v, %v", name, st, err)
		}
		if e.Now() != 0 || e.Trace() != nil || e.TraceString() != "" || e.Settings() != (spec.Settings{}) || e.Profile() != Windows {
			t.Errorf("%s Emulator: Now, Trace, Settings or Profile not zero", name)
		}
		if err := e.Go(func(*Thread) {}); !errors.Is(err, ErrZero) {
			t.Errorf("%s Emulator: Go = %v, want ErrZero", name, err)
		}
	}
	if ErrZero.Error() == "" || errors.As(ErrZero, new(spec.Errno)) {
		t.Errorf("ErrZero must explain itself and not pose as a Windows code")
	}
}
