package emulator

import (
	"testing"

	"github.com/disconnectex/disconnectex/spec"
	"gotest.tools/v3/assert"
)

// TestOverlappedAddressesNeverRepeat: 70,000 alloc/free cycles of one
// OVERLAPPED slot, past the old 16-bit generation's wrap at 65,536, hand
// out 70,000 distinct addresses, and the first, stale, stays invalid
// (issue 8 item 4).
func TestOverlappedAddressesNeverRepeat(t *testing.T) {
	within(t, func() {
		e, err := New(spec.DefaultSettings())
		assert.NilError(t, err)
		const cycles = 70000
		seen := make(map[spec.Overlapped]bool, cycles)
		var first spec.Overlapped
		for i := 0; i < cycles; i++ {
			ov, err := e.NewOverlapped(0)
			assert.NilError(t, err)
			assert.Assert(t, !seen[ov], "cycle %d: address %#x handed out again", i, ov)
			seen[ov] = true
			if i == 0 {
				first = ov
			}
			if i == 65536 {
				assert.Equal(t, uint64(ov)&(ovLoMask<<(ovIdxBits+4)|ovIdxMask<<4|ovTag), uint64(first),
					"the same slot, generation 65536: only the upper generation bits differ")
			}
			assert.NilError(t, e.FreeOverlapped(ov))
			assert.Equal(t, e.FreeOverlapped(first), error(spec.ERROR_INVALID_PARAMETER), "cycle %d", i)
		}
		_, err = e.GetOverlappedResult(0, first, false)
		assert.Equal(t, err, error(spec.ERROR_INVALID_PARAMETER))
		assert.Equal(t, len(e.ovs), 1, "one slot served every cycle")
	})
}

// TestGenerationsRetire: a slot whose last generation is freed is retired,
// not wrapped to generation 0, for OVERLAPPEDs and handles alike.
func TestGenerationsRetire(t *testing.T) {
	e, err := New(spec.DefaultSettings())
	assert.NilError(t, err)
	ov, _ := e.NewOverlapped(0)
	assert.NilError(t, e.FreeOverlapped(ov))
	e.ovs[0].gen = ovGenLast
	last, _ := e.NewOverlapped(0)
	assert.NilError(t, e.FreeOverlapped(last))
	next, _ := e.NewOverlapped(0)
	assert.Assert(t, next != ov && next != last)
	assert.Equal(t, e.ov(next).idx, uint32(1), "slot 0 is retired")
	assert.Equal(t, e.FreeOverlapped(last), error(spec.ERROR_INVALID_PARAMETER))
	assert.Equal(t, e.FreeOverlapped(ov), error(spec.ERROR_INVALID_PARAMETER))

	h, _ := e.CreateEvent(true, false)
	assert.NilError(t, e.CloseHandle(h))
	e.handles[0].gen = genLast
	hl, _ := e.CreateEvent(true, false)
	assert.NilError(t, e.CloseHandle(hl))
	hn, _ := e.CreateEvent(true, false)
	assert.Assert(t, hn != h && hn != hl)
	assert.Equal(t, e.CloseHandle(hl), error(spec.ERROR_INVALID_HANDLE))
	assert.Equal(t, e.CloseHandle(h), error(spec.ERROR_INVALID_HANDLE))
	assert.NilError(t, e.SetEvent(hn))
}

// TestHandlesNeverRepeat: 70,000 create/close cycles of one handle slot
// give distinct values, and the first stays invalid.
func TestHandlesNeverRepeat(t *testing.T) {
	within(t, func() {
		e, err := New(spec.DefaultSettings())
		assert.NilError(t, err)
		seen := make(map[spec.Handle]bool)
		var first spec.Handle
		for i := 0; i < 70000; i++ {
			h, err := e.CreateEvent(false, false)
			assert.NilError(t, err)
			assert.Assert(t, !seen[h], "cycle %d: handle %#x again", i, h)
			seen[h] = true
			if i == 0 {
				first = h
			}
			assert.NilError(t, e.CloseHandle(h))
		}
		assert.Equal(t, e.SetEvent(first), error(spec.ERROR_INVALID_HANDLE))
	})
}
