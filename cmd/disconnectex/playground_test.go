package main

import (
	"bytes"
	"encoding/json"
	"io"
	"path/filepath"
	"strings"
	"testing"
)

// TestPlaygroundFunctions checks, without a browser, the functions the
// page calls: every scenario runs with the timeline `run` prints, with an
// SVG and a state per event; explain, the state diagram and the scenario
// list answer.
func TestPlaygroundFunctions(t *testing.T) {
	var scs []playgroundScenario
	if err := json.Unmarshal([]byte(scenariosJSON()), &scs); err != nil || len(scs) == 0 {
		t.Fatalf("scenarios: %d, %v", len(scs), err)
	}
	for _, sc := range scs {
		var r playgroundResult
		if err := json.Unmarshal([]byte(playgroundRunJSON(sc.Text, sc.Name+".dx")), &r); err != nil {
			t.Fatal(err)
		}
		var want, stderr bytes.Buffer
		code := run([]string{"run", filepath.Join("..", "..", "testdata", "scenarios", sc.Name+".dx")}, &want, &stderr)
		if r.Code != code || r.Text != want.String() {
			t.Errorf("%s: exit %d, want %d; timeline:\n%s", sc.Name, r.Code, code, firstDiff(want.String(), r.Text))
		}
		if len(r.Trace.Events) == 0 || len(r.Trace.States) != len(r.Trace.Events) || !strings.Contains(r.SVG, `class="band"`) {
			t.Errorf("%s: %d events, %d states, SVG with bands %v", sc.Name, len(r.Trace.Events), len(r.Trace.States), strings.Contains(r.SVG, `class="band"`))
		}
	}
	var bad playgroundResult
	json.Unmarshal([]byte(playgroundRunJSON("socket c tcp\nfrobnicate c\n", "")), &bad)
	if bad.Code != exitUsage || !strings.Contains(bad.Stderr, "line 2") {
		t.Errorf("bad script: exit %d, stderr %q", bad.Code, bad.Stderr)
	}
	if !strings.Contains(explainText("WSAENOTCONN"), "WSAENOTCONN") || explainText("NO_SUCH_CODE") != "" {
		t.Errorf("explainText")
	}
	if svg := statesSVG(`{"TIME_WAIT":["c"]}`); !strings.Contains(svg, `data-state="TIME_WAIT" data-current="true"`) {
		t.Errorf("statesSVG does not highlight TIME_WAIT")
	}
	if svg := statesSVG(`not json`); !strings.Contains(svg, "<svg") {
		t.Errorf("statesSVG on bad input: %q", svg)
	}
}

// The page's churn gives the report and the plot `disconnectex churn`
// prints for the same flags, and the command line that prints them.
func TestPlaygroundChurn(t *testing.T) {
	args := []string{"-rate", "10/s", "-for", "10m", "-reuse", "4"}
	var r playgroundChurn
	b, _ := json.Marshal(args)
	if err := json.Unmarshal([]byte(playgroundChurnJSON(string(b))), &r); err != nil {
		t.Fatal(err)
	}
	var text, svg bytes.Buffer
	run(append([]string{"churn"}, args...), &text, io.Discard)
	run(append([]string{"churn", "-format", "svg"}, args...), &svg, io.Discard)
	if r.Code != exitOK || r.Text != text.String() || r.SVG != svg.String() || r.Command != "disconnectex churn -rate 10/s -for 10m -reuse 4" {
		t.Errorf("exit %d, command %q; text:\n%s\nsvg equal: %v", r.Code, r.Command, firstDiff(text.String(), r.Text), r.SVG == svg.String())
	}
	for _, bad := range []string{`not json`, `["-rate", "x"]`, `[1, 2]`, `["-port-count", "0"]`} {
		var r playgroundChurn
		json.Unmarshal([]byte(playgroundChurnJSON(bad)), &r)
		if r.Code != exitUsage || r.Stderr == "" || r.Text != "" {
			t.Errorf("%s: exit %d, stderr %q", bad, r.Code, r.Stderr)
		}
	}
	long, _ := json.Marshal(make([]string, maxChurnArgs+1))
	json.Unmarshal([]byte(playgroundChurnJSON(string(long))), &r)
	if r.Code != exitUsage || !strings.Contains(r.Stderr, "at most") {
		t.Errorf("%d arguments: exit %d, stderr %q", maxChurnArgs+1, r.Code, r.Stderr)
	}
	if got := shellQuote([]string{"-rate", "10 000/s", "it's", ""}); got != `-rate '10 000/s' 'it'\''s' ''` {
		t.Errorf("shellQuote = %s", got)
	}
}
