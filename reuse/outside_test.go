package reuse_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// TestOutsideModule runs the tests of testdata/reusemod, a module of its
// own that uses this one through a replace directive, as a user's program
// would: it serves 1,000 connections through a Listener and a Pool of 8.
// `go test ./...` does not enter testdata, so this test runs it.
func TestOutsideModule(t *testing.T) {
	if testing.Short() {
		t.Skip("runs go test in another module")
	}
	gobin := filepath.Join(os.Getenv("GOROOT"), "bin", "go")
	if _, err := os.Stat(gobin); err != nil {
		var lerr error
		if gobin, lerr = exec.LookPath("go"); lerr != nil {
			t.Skip("no go command:", lerr)
		}
	}
	cmd := exec.Command(gobin, "test", "-count=1", "./...")
	cmd.Dir = filepath.Join("..", "testdata", "reusemod")
	cmd.Env = append(os.Environ(), "GOWORK=off", "GOFLAGS=-mod=readonly")
	out, err := cmd.CombinedOutput()
	t.Logf("%s", out)
	if err != nil {
		t.Fatalf("go test in testdata/reusemod: %v", err)
	}
}
