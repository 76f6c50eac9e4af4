package main

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/disconnectex/disconnectex/emulator"
	"github.com/disconnectex/disconnectex/spec"
)

// `disconnectex run` streams: it reads, parses and runs a script one line
// at a time and prints the timeline as it goes, so a script of any length
// (or an endless stream on standard input) runs in bounded memory. A
// regular file is first checked whole, so that a syntax error in it never
// leaves a half-run script; a pipe is checked line by line, and a syntax
// error stops it where it is.

func runScript(args []string, stdout, stderr io.Writer) int {
	fs := flagSet("run", scriptHelp())
	quiet := fs.Bool("q", false, "print only the lines and their results, not the emulator's trace events")
	format := fs.String("format", "text", "output: text (the timeline), or json, mermaid or svg of the trace (at most 200,000 events)")
	pos, st := parseFlags(fs, args, stdout, stderr)
	if st >= 0 {
		return st
	}
	if st := checkFormat(fs, stderr, *format, traceFormats...); st >= 0 {
		return st
	}
	if len(pos) != 1 {
		return usageError(fs, stderr, "want exactly one script file (or - for standard input)")
	}
	name := pos[0]
	f := os.Stdin
	if name != "-" {
		var err error
		if f, err = os.Open(name); err != nil {
			fmt.Fprintf(stderr, "disconnectex run: %v\n", err)
			return exitUsage
		}
		defer f.Close()
	}
	if fi, err := f.Stat(); err == nil && fi.Mode().IsRegular() {
		if err := checkScript(f); err != nil {
			// A syntax error, or a FILE that cannot be read as a script (a
			// line too long): bad input either way.
			fmt.Fprintf(stderr, "disconnectex run: %s: %v\n", name, err)
			return exitUsage
		}
		if _, err := f.Seek(0, io.SeekStart); err != nil {
			fmt.Fprintf(stderr, "disconnectex run: %s: %v\n", name, err)
			return exitUsage
		}
	}
	if *format != "text" {
		return runPicture(f, name, *format, stdout, stderr)
	}
	return runStream(f, name, !*quiet, stdout, stderr)
}

// lines reads a script's lines, each at most maxLine bytes.
func lines(r io.Reader) *bufio.Scanner {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 4096), maxLine)
	return sc
}

// scanError is the error that ended a script's lines early.
func scanError(err error, line int) error {
	if errors.Is(err, bufio.ErrTooLong) {
		return &syntaxError{line + 1, fmt.Sprintf("line longer than %d bytes", maxLine)}
	}
	return fmt.Errorf("reading the script: %w", err)
}

// checkScript parses a whole script without running it and returns its
// first syntax error.
func checkScript(r io.Reader) error {
	p := newParser()
	sc := lines(r)
	for sc.Scan() {
		if _, err := p.parseLine(sc.Text()); err != nil {
			return err
		}
	}
	if err := sc.Err(); err != nil {
		return scanError(err, p.line)
	}
	if p.calls == 0 {
		return p.settingsDone()
	}
	return nil
}

// runStream parses and runs a script line by line. The timeline goes to
// stdout through a buffer that is flushed whenever the script's input
// would have to be read again, so lines typed or piped in show their
// result at once; unmet expectations and errors go to stderr as they
// happen.
func runStream(r io.Reader, name string, verbose bool, stdout, stderr io.Writer) int {
	ew := &errWriter{w: stdout}
	out := bufio.NewWriterSize(ew, 64<<10)
	sc := lines(&flushReader{r: r, w: out})
	p := newParser()
	var in *interp
	fail := func(code int, format string, a ...any) int {
		out.Flush()
		fmt.Fprintf(stderr, "disconnectex run: %s: %s\n", name, fmt.Sprintf(format, a...))
		return code
	}
	for sc.Scan() {
		c, err := p.parseLine(sc.Text())
		if err != nil {
			return fail(exitUsage, "%v", err)
		}
		if c == nil {
			continue
		}
		if in == nil {
			if in, err = start(p, name, verbose, out); err != nil {
				return fail(exitUsage, "%v", err)
			}
		}
		o, msg := in.step(c)
		if o == lineStopped {
			return fail(exitUsage, "line %d: %s", c.line, msg)
		}
		if o != lineOK {
			out.Flush()
			fmt.Fprintf(stderr, "%s:%d: %s\n", name, c.line, msg)
		}
		if ew.err != nil {
			return fail(exitUnexpected, "writing the timeline: %v", ew.err)
		}
		if o == lineHung {
			break
		}
	}
	if err := sc.Err(); err != nil {
		return fail(exitUsage, "%v", scanError(err, p.line))
	}
	if in == nil {
		if err := p.settingsDone(); err != nil {
			return fail(exitUsage, "%v", err)
		}
		var err error
		if in, err = start(p, name, verbose, out); err != nil {
			return fail(exitUsage, "%v", err)
		}
	}
	in.flush()
	code := exitOK
	if in.failures == 0 {
		fmt.Fprintf(out, "# ok: %d calls, every expectation met, virtual time %v\n", in.calls, spec.FormatDuration(in.em.Now()))
	} else {
		fmt.Fprintf(out, "# FAIL: %d unmet expectation(s)\n", in.failures)
		code = exitUnexpected
	}
	if err := out.Flush(); err != nil {
		return fail(exitUnexpected, "writing the timeline: %v", err)
	}
	return code
}

// start builds the emulator once the settings are over and prints the
// timeline's head.
func start(p *parser, name string, verbose bool, out io.Writer) (*interp, error) {
	profile := p.profile
	// The trace streams into the current line's buffer (verbose), or is
	// not made at all (-q): the emulator keeps none of it.
	var pending []emulator.Event
	opts := []emulator.Option{emulator.WithProfile(profile), emulator.WithDeadlockError()}
	for _, v := range p.variants {
		clause, name, _ := strings.Cut(v, "=")
		opts = append(opts, emulator.WithVariant(clause, name))
	}
	if len(p.faults) > 0 {
		opts = append(opts, emulator.WithFaults(p.faults...))
	}
	watch := watchScript
	if verbose {
		opts = append(opts, emulator.WithTraceFunc(func(ev emulator.Event) {
			pending = append(pending, ev)
			watch.add(ev)
		}))
	}
	em, err := emulator.New(p.settings, opts...)
	if err != nil {
		return nil, err
	}
	s := p.settings
	fmt.Fprintf(out, "# %s: profile %s, TcpTimedWaitDelay %v, dynamic ports %d-%d", filepath.Base(name), profile,
		s.TcpTimedWaitDelay, s.DynamicPorts.Start, int(s.DynamicPorts.Start)+s.DynamicPorts.Count-1)
	if len(p.variants) > 0 {
		fmt.Fprintf(out, ", variants %s", strings.Join(p.variants, " "))
	}
	if n := len(p.faults); n > 0 {
		fmt.Fprintf(out, ", %d fault rule(s)", n)
	}
	fmt.Fprintln(out)
	in := newInterp(em, verbose, out)
	in.pending = &pending
	if watch != nil {
		watch.label = in.label
	}
	return in, nil
}

// flushReader flushes w before each read of r: output waits in w's buffer
// only while more input is at hand.
type flushReader struct {
	r io.Reader
	w *bufio.Writer
}

func (f *flushReader) Read(b []byte) (int, error) {
	f.w.Flush()
	return f.r.Read(b)
}

// errWriter remembers the first write error, so that the script stops
// when nobody reads its timeline any more.
type errWriter struct {
	w   io.Writer
	err error
}

func (e *errWriter) Write(b []byte) (int, error) {
	if e.err != nil {
		return 0, e.err
	}
	n, err := e.w.Write(b)
	e.err = err
	return n, err
}

// call runs one line's call. hung reports that the call could only have
// been released by another line of the script: every script line is issued
// from this one goroutine, so when it blocks with nothing scheduled to wake
// it (no timeout, no TIME_WAIT to expire) the emulator, made with
// WithDeadlockError, fails the call at once with ErrDeadlock instead of
// blocking for ever, and nothing is left running.
func (in *interp) call(c *call) (r result, hung bool) {
	r = in.exec(c)
	return r, errors.Is(r.err, emulator.ErrDeadlock)
}
