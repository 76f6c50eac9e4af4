package main

import (
	"encoding/json"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/disconnectex/disconnectex/conformance"
)

// TestReportJSONSchema: the JSON report speaks one outcome vocabulary
// (conformance.Outcome's values, plus two for cells), its keys are plain
// identifiers, and every key it uses is the one reportHelp documents.
func TestReportJSONSchema(t *testing.T) {
	r := buildReport(reportBackends(), conformance.Cases())
	r.addVariants(variantSuites(), conformance.Cases())
	data, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	var doc any
	if err := json.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	outcomes := []string{string(conformance.Pass), string(conformance.Fail), string(conformance.XFail),
		string(conformance.XPass), string(conformance.Skip)}
	cellOutcomes := append(slices.Clone(outcomes), lNotAvailable, lNoCase)
	plain := regexp.MustCompile(`^[a-z]+(_[a-z]+)*$`)
	documented := map[string]bool{}
	for _, m := range regexp.MustCompile(`"([a-z_]+)":`).FindAllStringSubmatch(reportHelp, -1) {
		documented[m[1]] = true
	}
	var walk func(path string, v any)
	walk = func(path string, v any) {
		switch v := v.(type) {
		case map[string]any:
			for k, x := range v {
				p := path + "." + k
				switch {
				case strings.HasSuffix(path, ".counts"):
					want := outcomes
					if strings.Contains(path, ".cells.") {
						want = cellOutcomes
					}
					if !slices.Contains(want, k) {
						t.Errorf("%s: count key %q is not an outcome", path, k)
					}
					continue
				case strings.HasSuffix(path, ".cells"):
					// keys are backend names
				case !plain.MatchString(k):
					t.Errorf("%s: key %q is not a plain identifier", path, k)
				case !documented[k]:
					t.Errorf("%s: key %q is not in reportHelp's schema", path, k)
				}
				if k == "outcome" {
					want := outcomes
					if strings.Contains(path, ".cells.") {
						want = cellOutcomes
					}
					if s, _ := x.(string); !slices.Contains(want, s) {
						t.Errorf("%s = %q, not an outcome", p, x)
					}
				}
				walk(p, x)
			}
		case []any:
			for _, x := range v {
				walk(path+"[]", x)
			}
		}
	}
	walk("", doc)
	if strings.Contains(string(data), "known divergence\"") || strings.Contains(string(data), "raw_outcome") {
		t.Error("the JSON still uses the old labels")
	}
}
