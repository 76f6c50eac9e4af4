package main

import (
	"bytes"
	"embed"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"sync"

	"github.com/disconnectex/disconnectex"
	"github.com/disconnectex/disconnectex/emulator"
	"github.com/disconnectex/disconnectex/picture"
)

// The playground is a static page (playground/) that loads this command
// compiled to WebAssembly (wasm_js.go registers its functions) and runs
// scripts in the browser. serve.go serves it; the browser test drives it.

//go:embed playground
var playgroundFiles embed.FS

// playgroundScenario is a scenario the page offers.
type playgroundScenario struct {
	Name string `json:"name"`
	Text string `json:"text"`
}

// playgroundScenarios lists testdata/scenarios/*.dx by name.
func playgroundScenarios() []playgroundScenario {
	var out []playgroundScenario
	files, _ := fs.Glob(disconnectex.Scenarios, "testdata/scenarios/*.dx")
	sort.Strings(files)
	for _, f := range files {
		b, err := fs.ReadFile(disconnectex.Scenarios, f)
		if err == nil {
			out = append(out, playgroundScenario{Name: strings.TrimSuffix(path.Base(f), ".dx"), Text: string(b)})
		}
	}
	return out
}

// explainText is `disconnectex explain CODE` as text, or "" when CODE is
// not a code the reference knows.
func explainText(code string) string {
	c, err := parseCode(code)
	if err != nil {
		return ""
	}
	r, err := newReference()
	if err != nil {
		return ""
	}
	var b bytes.Buffer
	r.explain(c).writeText(&b)
	return b.String()
}

// statesSVG draws the state diagram with the states in statesJSON (state
// name -> socket names) highlighted.
func statesSVG(statesJSON string) string {
	at := map[string][]string{}
	_ = json.Unmarshal([]byte(statesJSON), &at) // bad input: nothing highlighted
	var b bytes.Buffer
	_ = picture.StateDiagram(&b, at)
	return b.String()
}

func scenariosJSON() string {
	b, _ := json.Marshal(playgroundScenarios())
	return string(b)
}

// playgroundResult is one run of a script in the page.
type playgroundResult struct {
	Code   int       `json:"code"`   // run's exit status
	Text   string    `json:"text"`   // what run prints
	Stderr string    `json:"stderr"` // unmet expectations, syntax errors
	SVG    string    `json:"svg"`    // the SVG timeline
	Trace  jsonTrace `json:"trace"`  // the events, and each socket's state after each
}

// playgroundRunJSON runs a script named name (script.dx when empty) as
// `disconnectex run` does and returns the playgroundResult as JSON.
func playgroundRunJSON(text, name string) string {
	if name == "" {
		name = "script.dx"
	}
	var r playgroundResult
	var stdout, stderr bytes.Buffer
	code, w := runScriptText(text, name, &stdout, &stderr)
	r.Code, r.Text, r.Stderr = code, stdout.String(), stderr.String()
	evs := w.events
	names := picture.AutoNames(evs)
	if w.label != nil {
		names = picture.Names(w.label)
	}
	var svg bytes.Buffer
	_ = picture.SVG(&svg, name, evs, names)
	r.SVG = svg.String()
	r.Trace = traceDoc(name, evs, names)
	b, _ := json.Marshal(r)
	return string(b)
}

// playgroundChurn is one `disconnectex churn` in the page: the report and
// the plot of the same simulations.
type playgroundChurn struct {
	Code    int    `json:"code"`    // churn's exit status
	Command string `json:"command"` // the command line that prints the same report
	Text    string `json:"text"`    // what churn prints (-format text)
	Stderr  string `json:"stderr"`  // usage errors
	SVG     string `json:"svg"`     // what churn -format svg prints
}

// maxChurnArgs bounds the arguments the page may pass.
const maxChurnArgs = 64

// playgroundChurnJSON runs churn with the flags in argsJSON (a JSON array
// of strings, as on the command line; -format is ignored, the page shows
// both the text and the plot) and returns the playgroundChurn as JSON.
func playgroundChurnJSON(argsJSON string) string {
	var r playgroundChurn
	var args []string
	switch err := json.Unmarshal([]byte(argsJSON), &args); {
	case err != nil:
		r.Code, r.Stderr = exitUsage, "churn: the arguments are not a JSON array of strings: "+err.Error()+"\n"
	case len(args) > maxChurnArgs:
		r.Code, r.Stderr = exitUsage, fmt.Sprintf("churn: %d arguments, at most %d\n", len(args), maxChurnArgs)
	default:
		var stderr, text, svg bytes.Buffer
		w, _, results, code := churnRuns(args, &stderr)
		r.Code, r.Stderr, r.Command = code, stderr.String(), "disconnectex churn "+shellQuote(args)
		if code == exitOK {
			for _, res := range results {
				churnText(&text, io.Discard, w, res)
			}
			churnSVG(&svg, w, results)
			r.Text, r.SVG = text.String(), svg.String()
		}
	}
	b, _ := json.Marshal(r)
	return string(b)
}

// shellQuote joins args as a POSIX shell would read them back.
func shellQuote(args []string) string {
	out := make([]string, len(args))
	for i, a := range args {
		if a != "" && strings.Trim(a, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./=:+,") == "" {
			out[i] = a
		} else {
			out[i] = "'" + strings.ReplaceAll(a, "'", `'\''`) + "'"
		}
	}
	return strings.Join(out, " ")
}

// maxWatchedEvents bounds the trace a picture of a script keeps: past it
// the picture ends and says so (Truncated).
const maxWatchedEvents = 200_000

// scriptWatch collects the trace of one script run, with the script's
// names, for a picture of it.
type scriptWatch struct {
	events    []emulator.Event
	label     func(uint64) string
	truncated bool
}

func (w *scriptWatch) add(ev emulator.Event) {
	if w == nil {
		return
	}
	if len(w.events) >= maxWatchedEvents {
		w.truncated = true
		return
	}
	w.events = append(w.events, ev)
}

// watchScript, when set, collects the trace of the script runs that start
// (runScriptText sets it for one run).
var watchScript *scriptWatch

var watchMu sync.Mutex

// runScriptText runs a script given as text, as `disconnectex run` runs a
// file, and returns its exit status with what it traced.
func runScriptText(text, name string, stdout, stderr io.Writer) (int, *scriptWatch) {
	return runWatched(strings.NewReader(text), name, stdout, stderr)
}

func runWatched(r io.Reader, name string, stdout, stderr io.Writer) (int, *scriptWatch) {
	watchMu.Lock()
	defer watchMu.Unlock()
	w := &scriptWatch{}
	watchScript = w
	defer func() { watchScript = nil }()
	return runStream(r, name, true, stdout, stderr), w
}

// runPicture is `run -format json|mermaid|svg`: the script runs with its
// timeline discarded, and its trace is drawn with the script's names.
func runPicture(r io.Reader, name, format string, stdout, stderr io.Writer) int {
	code, w := runWatched(r, name, io.Discard, stderr)
	if code == exitUsage {
		return code
	}
	names := picture.AutoNames(w.events)
	if w.label != nil {
		names = picture.Names(w.label)
	}
	if w.truncated {
		fmt.Fprintf(stderr, "disconnectex run: %s: the picture shows the first %d events only\n", name, maxWatchedEvents)
	}
	if err := writePicture(stdout, format, filepath.Base(name), w.events, names); err != nil {
		fmt.Fprintf(stderr, "disconnectex run: %v\n", err)
		return exitUnexpected
	}
	return code
}
