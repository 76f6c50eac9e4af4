package picture

import (
	"fmt"
	"strconv"

	"github.com/disconnectex/disconnectex/emulator"
)

// Names names a handle or overlapped value of a trace ("sock1", "c"), or
// returns "" for a value it does not know.
type Names func(v uint64) string

// stems are the name stems of created things, by the call that creates them.
var stems = map[string]string{"WSASocketW": "sock", "socket": "sock", "accept": "sock",
	"CreateEvent": "event", "CreateIoCompletionPort": "port", "NewOverlapped": "ov"}

// Created returns the handle or overlapped address that ev, the result of
// a creating call (WSASocketW, accept, CreateEvent, CreateIoCompletionPort,
// NewOverlapped), returned.
func Created(ev emulator.Event) (uint64, bool) {
	if _, ok := stems[ev.Call]; !ok || ev.Kind != emulator.KindResult || ev.Result != "ok" {
		return 0, false
	}
	v, err := strconv.ParseUint(ev.Args, 10, 64)
	return v, err == nil && v != 0
}

// AutoNames names what the calls of evs create, in order: sock1, sock2,
// event1, port1, ov1, ... A value the trace does not create (a socket an
// AcceptEx filled, say, was created by WSASocketW and so is named) keeps no
// name.
func AutoNames(evs []emulator.Event) Names {
	names := map[uint64]string{}
	counts := map[string]int{}
	for _, ev := range evs {
		v, ok := Created(ev)
		if _, dup := names[v]; !ok || dup {
			continue
		}
		stem := stems[ev.Call]
		counts[stem]++
		names[v] = fmt.Sprintf("%s%d", stem, counts[stem])
	}
	return func(v uint64) string { return names[v] }
}

// Label replaces the hex values in s that n knows ("s=0x104") by their
// names ("s=sock1").
func (n Names) Label(s string) string {
	return hexWord.ReplaceAllStringFunc(s, func(w string) string {
		var v uint64
		if _, err := fmt.Sscanf(w, "0x%x", &v); err == nil {
			if name := n(v); name != "" {
				return name
			}
		}
		return w
	})
}
