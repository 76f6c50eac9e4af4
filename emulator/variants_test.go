package emulator

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/disconnectex/disconnectex/spec"
	"gotest.tools/v3/assert"
)

// scriptAfterClose drives the transitions of variant after-close of
// DX-FLAG-TIMEWAIT: a TF_REUSE_SOCKET request of the side that closed first
// completes at the peer's FIN (or at once during TIME_WAIT), and the row
// stays.
func scriptAfterClose(t *testing.T) *Emulator {
	w := newWorld(t, Windows, WithTrace(), WithVariant(spec.ClauseFlagTimeWait, VariantReuseAfterClose))
	e := w.e
	// transmit-closing, waiting for the peer's FIN.
	c, s := w.pair(true)
	ov := w.ov(0)
	w.is(e.DisconnectEx(c, ov, spec.TF_REUSE_SOCKET, 0), spec.ERROR_IO_PENDING)
	w.wantState(c, spec.StateTransmitClosing)
	w.ok(e.Closesocket(s))
	w.wantState(c, spec.StateReusable)
	// connected, TIME_WAIT already running (shutdown, then the peer's FIN).
	c2, s2 := w.pair(true)
	w.ok(e.Shutdown(c2, spec.SD_SEND))
	w.ok(e.Closesocket(s2))
	w.ok(e.DisconnectEx(c2, 0, spec.TF_REUSE_SOCKET, 0))
	w.wantState(c2, spec.StateReusable)
	// transmit-closing, TIME_WAIT already running.
	c3, s3 := w.pair(true)
	w.ok(e.DisconnectEx(c3, 0, 0, 0))
	w.ok(e.Closesocket(s3))
	w.ok(e.DisconnectEx(c3, 0, spec.TF_REUSE_SOCKET, 0))
	w.wantState(c3, spec.StateReusable)
	return e
}

func TestVariantsCatalogue(t *testing.T) {
	vs := Variants()
	clauses := map[string]int{}
	defaults := map[string]int{}
	for _, v := range vs {
		c, ok := spec.Lookup(v.Clause)
		assert.Assert(t, ok, "variant %v names an unknown clause", v)
		assert.Assert(t, c.Status != spec.Agrees || v.Clause == spec.ClauseRemDatagram,
			"variant %v: clause %s is %q; a clause the evidence settles has no variants", v, v.Clause, c.Status)
		assert.Assert(t, v.Name != "" && !strings.ContainsAny(v.Name, " =+") && v.Description != "" && v.Why != "", "variant %v incomplete", v)
		clauses[v.Clause]++
		if v.Default {
			defaults[v.Clause]++
		}
		// The clause's text names every variant, so the spec carries the reasoning.
		assert.Assert(t, strings.Contains(c.Windows, v.Name), "clause %s does not name its variant %q", v.Clause, v.Name)
	}
	assert.Assert(t, len(clauses) >= 5, "%d clauses with variants, want at least 5", len(clauses))
	for c, n := range clauses {
		assert.Assert(t, n >= 2, "clause %s has %d variants, want at least 2", c, n)
		assert.Equal(t, defaults[c], 1, "clause %s: want exactly one default", c)
	}
}

func TestWithVariantErrors(t *testing.T) {
	_, err := New(spec.DefaultSettings(), WithVariant(spec.ClauseFlagTimeWait, "sometimes"))
	assert.ErrorContains(t, err, `clause DX-FLAG-TIMEWAIT has no variant "sometimes" (want one of after-close, waits)`)
	_, err = New(spec.DefaultSettings(), WithVariant("DX-NOPE", "x"))
	assert.ErrorContains(t, err, `clause "DX-NOPE" has no variants`)
	e, err := New(spec.DefaultSettings(), WithVariant(spec.ClauseParamReserved, VariantIgnored), WithVariant(spec.ClauseParamReserved, VariantEinval))
	assert.NilError(t, err)
	for _, v := range e.Variants() {
		assert.Assert(t, v.Default, "later option wins: %v", v)
	}
}

func TestVariantRuns(t *testing.T) {
	runs := VariantRuns()
	assert.Equal(t, runs[0].Name, "defaults")
	assert.Equal(t, len(runs[0].Options), 0)
	names := map[string]bool{}
	seen := map[string]bool{}
	for _, r := range runs {
		assert.Assert(t, !names[r.Name], "duplicate run %s", r.Name)
		names[r.Name] = true
		e, err := New(spec.DefaultSettings(), r.Options...)
		assert.NilError(t, err, r.Name)
		var got []string
		for _, v := range e.Variants() {
			if !v.Default {
				got = append(got, v.String())
				seen[v.String()] = true
			}
		}
		var want []string
		for _, v := range r.Variants {
			want = append(want, v.String())
		}
		assert.DeepEqual(t, got, want)
	}
	// Every non-default variant is run, and fewer runs than the product.
	product := 1
	for _, v := range Variants() {
		if !v.Default {
			assert.Assert(t, seen[v.String()], "variant %v never run", v)
		}
	}
	for _, vs := range variantTable {
		product *= len(vs)
	}
	assert.Assert(t, len(runs) < product, "%d runs, the full product is %d", len(runs), product)
}

func TestForEachVariant(t *testing.T) {
	var names []string
	ForEachVariant(t, func(t *testing.T, opts ...Option) {
		names = append(names, t.Name())
		if _, err := New(spec.DefaultSettings(), opts...); err != nil {
			t.Fatal(err)
		}
	})
	assert.Equal(t, len(names), len(VariantRuns()))
	assert.Assert(t, strings.HasSuffix(names[0], "/defaults"), names[0])
}

// TestVariantBehaviour checks what each variant changes, on the emulator.
func TestVariantBehaviour(t *testing.T) {
	pick := func(clause, name string) *world {
		return newWorld(t, Windows, WithVariant(clause, name))
	}
	t.Run("timewait", func(t *testing.T) {
		for _, name := range []string{VariantReuseWaits, VariantReuseAfterClose} {
			w := pick(spec.ClauseFlagTimeWait, name)
			c, s := w.pair(true)
			ov := w.ov(0)
			w.is(w.e.DisconnectEx(c, ov, spec.TF_REUSE_SOCKET, 0), spec.ERROR_IO_PENDING)
			w.ok(w.e.Closesocket(s))
			_, err := w.e.GetOverlappedResult(spec.Handle(c), ov, true)
			w.ok(err)
			rows, _ := w.e.TCPTable()
			tw := slices.ContainsFunc(rows, func(r spec.TCPRow) bool { return r.State == spec.TCPTimeWait })
			if name == VariantReuseWaits {
				assert.Equal(t, w.e.Now(), spec.DefaultTcpTimedWaitDelay, name)
				assert.Assert(t, !tw, "%s: row left", name)
			} else {
				assert.Equal(t, w.e.Now(), time.Duration(0), name)
				assert.Assert(t, tw, "%s: row stays", name)
			}
		}
	})
	t.Run("delay-default", func(t *testing.T) {
		for name, want := range map[string]time.Duration{VariantDelay240: 240 * time.Second, VariantDelay120: 120 * time.Second} {
			w := pick(spec.ClauseRemTimeWaitDefault, name)
			c, s := w.pair(true)
			w.ok(w.e.Closesocket(c))
			w.ok(w.e.Closesocket(s))
			w.e.Sleep(want - time.Second)
			assert.Equal(t, w.rows(spec.TCPTimeWait), 1, "%s: 1s before the end", name)
			w.e.Sleep(2 * time.Second)
			assert.Equal(t, w.rows(spec.TCPTimeWait), 0, "%s: 1s after the end", name)
		}
		// An explicit delay other than the default is used as is.
		e, err := New(settings(30*time.Second), WithVariant(spec.ClauseRemTimeWaitDefault, VariantDelay120))
		assert.NilError(t, err)
		assert.Equal(t, time.Duration(e.delay), 30*time.Second)
	})
	t.Run("datagram", func(t *testing.T) {
		for name, want := range map[string]spec.Errno{VariantDatagramNotConn: spec.WSAENOTCONN, VariantDatagramEinvalConnect: spec.WSAEINVAL} {
			w := pick(spec.ClauseRemDatagram, name)
			u, err := w.e.Socket(spec.AF_INET, spec.SOCK_DGRAM, 0, spec.WSA_FLAG_OVERLAPPED)
			w.ok(err)
			w.is(w.e.DisconnectEx(u, 0, 0, 0), spec.WSAENOTCONN)
			w.ok(w.e.Connect(u, serverAddr))
			w.is(w.e.DisconnectEx(u, 0, 0, 0), want)
		}
	})
	t.Run("reserved-and-flags", func(t *testing.T) {
		for _, clause := range []string{spec.ClauseParamReserved, spec.ClauseErrInvalFlags} {
			for name, want := range map[string]spec.Errno{VariantEinval: spec.WSAEINVAL, VariantIgnored: spec.ERROR_SUCCESS} {
				w := pick(clause, name)
				c, _ := w.pair(true)
				flags, reserved := uint32(0), uint32(0)
				if clause == spec.ClauseParamReserved {
					reserved = 1
				} else {
					flags = 0x100
				}
				if err := w.e.DisconnectEx(c, 0, flags, reserved); want == 0 {
					w.ok(err)
				} else {
					w.is(err, want)
				}
			}
		}
	})
}
