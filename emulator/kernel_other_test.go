//go:build !linux

package emulator

import (
	"errors"
	"time"
)

// The kernel comparison of BenchmarkReuseVsKernel runs on Linux only.

func kernelRawReuse(int) (wall, cpu time.Duration, err error) { return 0, 0, errors.ErrUnsupported }

func kernelDial(int) (wall, cpu time.Duration, err error) { return 0, 0, errors.ErrUnsupported }

func threadCPU() time.Duration { return 0 }
