package main

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/disconnectex/disconnectex/emulator"
)

// TestReportVariants: every clause with variants lists them in the report,
// its default marked, and the suite passes on each; the text form shows
// them too.
func TestReportVariants(t *testing.T) {
	code, out, errs := cli(t, "report", "-format", "json")
	if code != exitOK {
		t.Fatalf("report -format json: exit %d\n%s", code, errs)
	}
	var r reportData
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatal(err)
	}
	if want := len(emulator.VariantRuns()); len(r.VariantRuns) != want {
		t.Errorf("%d variant runs in the report, want %d", len(r.VariantRuns), want)
	}
	for _, run := range r.VariantRuns {
		if run.Suite.Outcome != lPass {
			t.Errorf("variant run %s: suite %s", run.Name, run.Suite.text())
		}
	}
	listed := map[string]variantRow{}
	for _, c := range r.Clauses {
		defaults := 0
		for _, v := range c.Variants {
			listed[c.ID+"="+v.Name] = v
			if v.Default {
				defaults++
			}
		}
		if len(c.Variants) > 0 && defaults != 1 {
			t.Errorf("clause %s: %d defaults among its variants, want 1", c.ID, defaults)
		}
	}
	for _, v := range emulator.Variants() {
		got, ok := listed[v.String()]
		switch {
		case !ok:
			t.Errorf("variant %s is not in the report", v)
		case got.Default != v.Default || got.Description != v.Description:
			t.Errorf("variant %s: report says default %v, %q", v, got.Default, got.Description)
		case got.Suite.Outcome != lPass || len(got.Runs) == 0:
			t.Errorf("variant %s: suite %s in %d runs, want pass", v, got.Suite.Outcome, len(got.Runs))
		}
	}
	code, text, errs := cli(t, "report")
	if code != exitOK {
		t.Fatalf("report: exit %d\n%s", code, errs)
	}
	for _, want := range []string{"Variants:", "after-close (default)", "DX-FLAG-TIMEWAIT=waits"} {
		if !strings.Contains(text, want) {
			t.Errorf("report text lacks %q", want)
		}
	}
}
