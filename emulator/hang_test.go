package emulator

import (
	"runtime"
	"time"
)

// hangLimit is how long a test call may block (wall time) before within
// reports a hang. Virtual-time waits take microseconds.
const hangLimit = 20 * time.Second

var runtimeGosched = runtime.Gosched
