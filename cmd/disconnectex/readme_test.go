package main

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/disconnectex/disconnectex/internal/docsync"
)

// readmeCommands is the README's list of the tool's commands, generated
// from the same table the tool dispatches on.
func readmeCommands() string {
	var b strings.Builder
	b.WriteString("`go run ./cmd/disconnectex <command>`, or `go install ./cmd/disconnectex`. Every command takes `-h`;\n")
	b.WriteString("the exit status is 0 on success, 1 on an unexpected result, 2 on bad usage. Everything runs on the\n")
	b.WriteString("emulator in virtual time, on any OS.\n\n")
	b.WriteString("| command | what it does |\n| --- | --- |\n")
	for _, c := range commands() {
		fmt.Fprintf(&b, "| `disconnectex %s` | %s |\n", c.name, c.summary)
	}
	b.WriteString("\nFor example:\n\n```sh\n")
	for _, ex := range []string{
		"go run ./cmd/disconnectex explain WSAENOTCONN         # why did DisconnectEx say that?",
		"go run ./cmd/disconnectex trace timewait/delay-240s-default  # a 240 s TIME_WAIT, instantly",
		"go run ./cmd/disconnectex run testdata/scenarios/timewait-delays-reuse.dx",
		"go run ./cmd/disconnectex report -format markdown",
		"go run ./cmd/disconnectex diagram -format dot",
	} {
		b.WriteString(ex + "\n")
	}
	b.WriteString("```\n\nThe scenarios in `testdata/scenarios/` are commented lessons; `run -h` documents the language.\n")
	b.WriteString("[docs/errors.md](docs/errors.md), the error-semantics reference, is `explain -all -format markdown`.\n")
	return b.String()
}

func TestReadmeCommands(t *testing.T) {
	docsync.Check(t, filepath.Join("..", "..", "README.md"), "commands", readmeCommands(), *update,
		"go test ./cmd/disconnectex -run TestReadmeCommands -update")
}

// The README's examples must work as written.
func TestReadmeExamplesRun(t *testing.T) {
	for _, args := range [][]string{
		{"explain", "WSAENOTCONN"},
		{"trace", "timewait/delay-240s-default"},
		{"run", filepath.Join("..", "..", "testdata", "scenarios", "timewait-delays-reuse.dx")},
		{"report", "-format", "markdown"},
		{"diagram", "-format", "dot"},
	} {
		if code, _, errs := cli(t, args...); code != exitOK {
			t.Errorf("disconnectex %s: exit %d: %s", strings.Join(args, " "), code, errs)
		}
	}
}
