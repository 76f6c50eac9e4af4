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

// AutoNames names what the calls of evs create, in order: sock1, sock2,
// event1, port1, ov1, ... A value the trace does not create (a socket an
// AcceptEx filled, say, was created by WSASocketW and so is named) keeps no
// name.
func AutoNames(evs []emulator.Event) Names {
	names := map[uint64]string{}
	counts := map[string]int{}
	for _, ev := range evs {
		stem, ok := stems[ev.Call]
		if !ok || ev.Kind != emulator.KindResult || ev.Result != "ok" {
			continue
		}
		v, err := strconv.ParseUint(ev.Args, 10, 64)
		if err != nil || v == 0 {
			continue
		}
		if _, dup := names[v]; dup {
			continue
		}
		counts[stem]++
		names[v] = fmt.Sprintf("%s%d", stem, counts[stem])
	}
	return func(v uint64) string { return names[v] }
}
