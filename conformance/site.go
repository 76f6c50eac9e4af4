package conformance

import (
	"fmt"
	"path/filepath"
	"reflect"
	"runtime"
	"strings"
)

// Where a failure comes from. go test prefixes a subtest's failures with
// the file:line of the t.Error call, which for the suite is always Run's,
// in conformance.go. So the suite records the places itself: a case's
// Site (the line of its Body, inside the case's declaration in the
// cases_*.go table), and for each failure the file:line of the check that
// failed, found as testing finds it: the first caller that is neither a
// method of T nor a function that called T.Helper.

// Site returns "file.go:line" of the case's Body: the case's declaration
// in its table. It is "" for a case without a Body.
func (c Case) Site() string {
	if c.Body == nil {
		return ""
	}
	pc := reflect.ValueOf(c.Body).Pointer()
	fn := runtime.FuncForPC(pc)
	if fn == nil {
		return ""
	}
	file, line := fn.FileLine(fn.Entry())
	return fmt.Sprintf("%s:%d", filepath.Base(file), line)
}

// Helper marks the calling function as a test helper: a failure it
// reports is attributed to its caller, as with testing.T.Helper.
func (t *T) Helper() { t.markHelper(3) }

// markHelper marks the function skip frames up (runtime.Callers' count) as
// a helper.
func (t *T) markHelper(skip int) {
	var pc [1]uintptr
	if runtime.Callers(skip, pc[:]) == 0 {
		return
	}
	frame, _ := runtime.CallersFrames(pc[:]).Next()
	t.mu.Lock()
	if t.helpers == nil {
		t.helpers = map[string]bool{}
	}
	t.helpers[frame.Function] = true
	t.mu.Unlock()
}

const tMethods = "github.com/disconnectex/disconnectex/conformance.(*T)."
const tbMethods = "github.com/disconnectex/disconnectex/conformance.(*tb)."

// caller returns "file.go:line: " for the first frame above T's own
// methods and the helpers, or "" when there is none (a failure recorded
// by the suite itself).
func (t *T) caller() string {
	var pcs [32]uintptr
	n := runtime.Callers(3, pcs[:])
	frames := runtime.CallersFrames(pcs[:n])
	t.mu.Lock()
	defer t.mu.Unlock()
	for {
		f, more := frames.Next()
		if f.Function != "" && !strings.HasPrefix(f.Function, tMethods) && !strings.HasPrefix(f.Function, tbMethods) &&
			!t.helpers[f.Function] {
			if strings.HasPrefix(f.Function, "runtime.") || strings.HasPrefix(f.Function, "testing.") {
				return ""
			}
			return fmt.Sprintf("%s:%d: ", filepath.Base(f.File), f.Line)
		}
		if !more {
			return ""
		}
	}
}

// fail records a failure of the caller's caller's check, with its place.
func (t *T) fail(msg string) { t.record(true, t.caller()+msg) }
