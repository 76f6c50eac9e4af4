//go:build !windows

package native

import (
	"errors"
	"fmt"
	"runtime"

	"github.com/disconnectex/disconnectex/spec"
)

// New reports that the native backend exists only on Windows: the error
// wraps errors.ErrUnsupported.
func New(s spec.Settings) (API, error) {
	return nil, fmt.Errorf("native: the Windows backend does not run on %s: %w", runtime.GOOS, errors.ErrUnsupported)
}

// WineVersion reports false: Wine runs Windows programs only.
func WineVersion() (string, bool) { return "", false }
