// Command disconnectex is the project's teaching tool and error-semantics
// reference for Winsock's DisconnectEx. Trace, run and diagram run on the
// emulator (package emulator) in virtual time, so they work on any
// operating system, instantly, without a Windows machine; explain reads the
// spec and the divergence data; report runs the conformance cases on the
// emulator and, on Windows (or under Wine), on the native backend too.
//
// Usage:
//
//	disconnectex <command> [flags] [arguments]
//
// The commands are:
//
//	report    run the conformance cases against every backend available here
//	          and print the clause x backend matrix (-format text|markdown|json)
//	explain   explain an error code (name or number) as DisconnectEx uses it:
//	          documented causes, observed Windows behaviour, Wine differences,
//	          clauses and cases; -all writes the whole reference
//	          (docs/errors.md is `disconnectex explain -all -format markdown`)
//	trace     run one conformance case on the emulator and print its timeline
//	          (trace -list lists the cases)
//	run       run a script of calls (see `disconnectex run -h` for the
//	          language) and print its timeline, checking expected results
//	diagram   print the socket state machine the emulator runs on
//	          (-format mermaid|dot)
//	churn     simulate connection churn in virtual time: TIME_WAIT rows and
//	          ports over time, the first WSAENOBUFS/WSAEADDRINUSE, the
//	          sustainable rate and what would fix it (-format text|json|svg)
//	serve     serve the playground page on 127.0.0.1: the emulator and the
//	          script language compiled to WebAssembly, in the browser
//	version   print the version of this build (module version, Go version,
//	          platform)
//
// Each command takes -h. The exit status is 0 on success, 1 when a result
// is not the expected one (a conformance failure, an unmet expectation in a
// script), and 2 on bad usage (unknown command or flag, unknown error code
// or case, a script syntax error).
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"text/tabwriter"
)

// Exit statuses.
const (
	exitOK         = 0
	exitUnexpected = 1
	exitUsage      = 2
)

// jsHost, set in a js/wasm build (wasm_js.go), serves the playground page
// instead of running one command.
var jsHost func()

func main() {
	if jsHost != nil {
		jsHost()
		return
	}
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// command is one subcommand.
type command struct {
	name    string
	summary string
	run     func(args []string, stdout, stderr io.Writer) int
}

func commands() []command {
	return []command{
		{"report", "run the conformance cases on every available backend and print the clause x backend matrix", runReport},
		{"explain", "explain an error code as DisconnectEx uses it (name or number; -all for the reference)", runExplain},
		{"trace", "run one conformance case on the emulator and print its timeline (-list lists cases)", runTrace},
		{"run", "run a script of Winsock calls on the emulator and print its timeline", runScript},
		{"diagram", "print the socket state machine the emulator runs on (mermaid or dot)", runDiagram},
		{"churn", "simulate connection churn in virtual time: TIME_WAIT rows, ports, exhaustion, the sustainable rate", runChurn},
		{"serve", "serve the playground: the emulator and scripts in the browser (WebAssembly)", runServe},
		{"version", "print the version of this build", runVersion},
	}
}

// run is the whole command: main calls os.Exit(run(os.Args[1:], ...)), and
// the tests call it in-process.
func run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		usage(stderr)
		return exitUsage
	}
	name := args[0]
	switch name {
	case "-h", "-help", "--help", "help":
		if name == "help" && len(args) > 2 {
			fmt.Fprintf(stderr, "disconnectex help: want at most one command, got %q\n", strings.Join(args[1:], " "))
			return exitUsage
		}
		if name == "help" && len(args) > 1 {
			return run([]string{args[1], "-h"}, stdout, stderr)
		}
		usage(stdout)
		return exitOK
	}
	for _, c := range commands() {
		if c.name == name {
			return c.run(args[1:], stdout, stderr)
		}
	}
	fmt.Fprintf(stderr, "disconnectex: unknown command %q\n\n", name)
	usage(stderr)
	return exitUsage
}

func usage(w io.Writer) {
	fmt.Fprintf(w, "disconnectex: the DisconnectEx teaching tool and error reference (on the emulator, in virtual time; report also runs the native backend where it exists)\n\n")
	fmt.Fprintf(w, "Usage:\n\n\tdisconnectex <command> [flags] [arguments]\n\nCommands:\n\n")
	for _, c := range commands() {
		fmt.Fprintf(w, "\t%-8s %s\n", c.name, c.summary)
	}
	fmt.Fprintf(w, "\nRun 'disconnectex <command> -h' for a command's flags.\n")
	fmt.Fprintf(w, "Exit status: 0 success, 1 unexpected result, 2 bad usage.\n")
}

// flagSet makes a FlagSet for a subcommand whose usage text is head
// (the synopsis and description) followed by the flag defaults.
func flagSet(name, head string) *flag.FlagSet {
	fs := flag.NewFlagSet("disconnectex "+name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {
		w := fs.Output()
		fmt.Fprint(w, strings.TrimLeft(head, "\n"))
		hasFlags := false
		fs.VisitAll(func(*flag.Flag) { hasFlags = true })
		if hasFlags {
			fmt.Fprintf(w, "\nFlags:\n")
			fs.PrintDefaults()
		}
	}
	return fs
}

// parseFlags parses args with fs, letting flags and positional arguments be
// interleaved (explain WSAENOTCONN -format markdown). It returns the
// positional arguments, and a non-negative exit status when the command
// must stop: 0 after -h (usage on stdout), 2 after a bad flag (message and
// usage on stderr).
func parseFlags(fs *flag.FlagSet, args []string, stdout, stderr io.Writer) ([]string, int) {
	var pos []string
	for {
		err := fs.Parse(args)
		if errors.Is(err, flag.ErrHelp) {
			fs.SetOutput(stdout)
			fs.Usage()
			return nil, exitOK
		}
		if err != nil {
			fmt.Fprintf(stderr, "%s: %v\n\n", fs.Name(), err)
			fs.SetOutput(stderr)
			fs.Usage()
			return nil, exitUsage
		}
		rest := fs.Args()
		if len(rest) == 0 {
			return pos, -1
		}
		if rest[0] == "--" {
			return append(pos, rest[1:]...), -1
		}
		pos = append(pos, rest[0])
		args = rest[1:]
	}
}

// usageError reports a bad argument the flag package cannot see.
// parseNoArgs is parseFlags for a command that takes flags only: extra
// words are a usage error that names them.
func parseNoArgs(fs *flag.FlagSet, args []string, stdout, stderr io.Writer) int {
	pos, st := parseFlags(fs, args, stdout, stderr)
	if st < 0 && len(pos) != 0 {
		return usageError(fs, stderr, "%s takes no arguments (got %q)", fs.Name(), strings.Join(pos, " "))
	}
	return st
}

func usageError(fs *flag.FlagSet, stderr io.Writer, format string, a ...any) int {
	fmt.Fprintf(stderr, "%s: %s\n", fs.Name(), fmt.Sprintf(format, a...))
	fmt.Fprintf(stderr, "Run '%s -h' for usage.\n", fs.Name())
	return exitUsage
}

// checkFormat checks a -format value: -1 when it is one of allowed, else
// the usage error's exit status, the message listing allowed.
func checkFormat(fs *flag.FlagSet, stderr io.Writer, v string, allowed ...string) int {
	if slices.Contains(allowed, v) {
		return -1
	}
	return usageError(fs, stderr, "unknown -format %q (want %s)", v, orList(allowed))
}

// newTable returns a tabwriter for aligned columns; call Flush.
func newTable(w io.Writer) *tabwriter.Writer { return tabwriter.NewWriter(w, 0, 8, 2, ' ', 0) }
