package native

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// TestGeneratedSyscalls re-runs mkwinsyscall over syscall_windows.go into a
// temporary file and fails when zsyscall_windows.go differs: after editing
// a //sys line, run go generate ./native.
func TestGeneratedSyscalls(t *testing.T) {
	gobin, err := exec.LookPath("go")
	if err != nil {
		// A test binary copied elsewhere (under Wine) has no toolchain.
		t.Skipf("no go command to run the generator: %v", err)
	}
	out := filepath.Join(t.TempDir(), "zsyscall_windows.go")
	cmd := exec.Command(gobin, "run", "golang.org/x/sys/windows/mkwinsyscall", "-output", out, "syscall_windows.go")
	if msg, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("%v: %v\n%s", cmd, err, msg)
	}
	want, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile("zsyscall_windows.go")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("zsyscall_windows.go is stale: run go generate ./native")
	}
}
