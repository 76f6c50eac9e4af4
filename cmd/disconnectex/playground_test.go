package main

import (
	"bytes"
	"encoding/json"
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
