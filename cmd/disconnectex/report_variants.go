package main

import (
	"fmt"
	"io"
	"sync"

	"github.com/disconnectex/disconnectex/conformance"
	"github.com/disconnectex/disconnectex/emulator"
	"github.com/disconnectex/disconnectex/internal/backends"
)

// The report's variant part: every clause whose Windows behaviour the
// evidence does not settle lists the emulator's variants for it, its
// default, and how the suite does on each. The suite runs on the
// emulator's Windows profile once per variant combination that can change
// an outcome (emulator.VariantRuns, as the conformance tests do); a
// variant's outcome is the worst over the runs that follow it.

// variantSuite is one run of the suite: the variants it picks and the
// backend built with them.
type variantSuite struct {
	Run     emulator.VariantRun
	Backend conformance.Backend
}

// variantSuites builds the emulator's Windows profile once per variant run.
func variantSuites() []variantSuite {
	var out []variantSuite
	for _, r := range emulator.VariantRuns() {
		out = append(out, variantSuite{Run: r, Backend: emulatorBackend(emulator.Windows, backends.Options{Emulator: r.Options})})
	}
	return out
}

// variantRow is one variant of a clause.
type variantRow struct {
	Name        string `json:"name"`
	Default     bool   `json:"default"`
	Description string `json:"description"`
	Why         string `json:"why"`
	// Suite is the worst outcome of the suite over the runs that follow
	// this variant, with the case outcomes summed over those runs.
	Suite cell     `json:"suite"`
	Runs  []string `json:"runs"` // the names of those runs
}

// variantRunRow is one run of the suite on the emulator's Windows profile.
type variantRunRow struct {
	Name     string   `json:"name"`     // "defaults", or the variants joined by "+"
	Variants []string `json:"variants"` // CLAUSE=name of each non-default variant
	Suite    cell     `json:"suite"`
}

// variantBackendName names a run's results in the case list.
func variantBackendName(run string) string {
	return backends.Emulator(emulator.Windows).Name + "[" + run + "]"
}

// addVariants runs the cases on every variant run and fills r.VariantRuns,
// each clause row's Variants, and r.Results with the runs' unexpected
// outcomes (their passes are in the counts only).
func (r *reportData) addVariants(suites []variantSuite, cases []conformance.Case) {
	results := make([][]conformance.Result, len(suites))
	var wg sync.WaitGroup
	for i, s := range suites {
		wg.Go(func() {
			for _, c := range cases {
				results[i] = append(results[i], conformance.Execute(s.Backend, c))
			}
		})
	}
	wg.Wait()

	runCells := make([]cell, len(suites))
	for i, s := range suites {
		row := variantRunRow{Name: s.Run.Name}
		for _, v := range s.Run.Variants {
			row.Variants = append(row.Variants, v.String())
		}
		cl := cell{Counts: map[string]int{}}
		for ci, res := range results[i] {
			cl.Counts[label(res.Outcome)]++
			if res.Outcome.Failed() {
				r.OK = false
				r.Results = append(r.Results, caseResult{Case: res.Case, Clauses: cases[ci].Clauses, Backend: variantBackendName(s.Run.Name),
					Outcome: label(res.Outcome), Reason: res.Reason, Failure: res.Messages})
			}
		}
		cl.Outcome = worst(cl.Counts)
		runCells[i] = cl
		row.Suite = cl
		r.VariantRuns = append(r.VariantRuns, row)
	}

	for ri := range r.Clauses {
		row := &r.Clauses[ri]
		for _, v := range emulator.Variants() {
			if v.Clause != row.ID {
				continue
			}
			vr := variantRow{Name: v.Name, Default: v.Default, Description: v.Description, Why: v.Why,
				Suite: cell{Counts: map[string]int{}}}
			for i, s := range suites {
				if !follows(s.Run, v) {
					continue
				}
				vr.Runs = append(vr.Runs, s.Run.Name)
				for l, n := range runCells[i].Counts {
					vr.Suite.Counts[l] += n
				}
			}
			vr.Suite.Outcome = worst(vr.Suite.Counts)
			row.Variants = append(row.Variants, vr)
		}
	}
}

// follows reports whether the run follows variant v: it picks v, or, for
// a default, picks no other variant of v's clause.
func follows(run emulator.VariantRun, v emulator.Variant) bool {
	for _, x := range run.Variants {
		if x.Clause == v.Clause {
			return x.Name == v.Name
		}
	}
	return v.Default
}

// worst is the outcome a set of counts reports: the first of worstFirst
// that occurs (skip when everything skipped), or no-case.
func worst(counts map[string]int) string {
	for _, l := range worstFirst {
		if counts[l] > 0 {
			return l
		}
	}
	return lNoCase
}

func (r *reportData) writeVariantsText(w io.Writer) {
	fmt.Fprintf(w, "\nVariants: clauses whose Windows behaviour the evidence does not settle. The emulator\n"+
		"follows each clause's default unless told otherwise; the suite ran on its Windows profile\n"+
		"once per combination that can change an outcome (%d runs):\n", len(r.VariantRuns))
	for _, c := range r.Clauses {
		if len(c.Variants) == 0 {
			continue
		}
		fmt.Fprintf(w, "\n  %s (%s)\n", c.ID, c.Status)
		for _, v := range c.Variants {
			def := ""
			if v.Default {
				def = " (default)"
			}
			fmt.Fprintf(w, "    %-20s suite: %s in %d runs\n", v.Name+def, v.Suite.Outcome, len(v.Runs))
			wrap(w, "                         ", v.Description, 100)
		}
	}
	fmt.Fprintf(w, "\n  Runs:\n")
	for _, run := range r.VariantRuns {
		fmt.Fprintf(w, "    %-58s %s\n", run.Name, run.Suite.text())
	}
}

func (r *reportData) writeVariantsMarkdown(w io.Writer) {
	fmt.Fprintf(w, "\n## Variants\n\nClauses whose Windows behaviour the evidence does not settle. The emulator follows each "+
		"clause's default unless told otherwise; the suite ran on its Windows profile once per combination that can "+
		"change an outcome (%d runs).\n\n", len(r.VariantRuns))
	fmt.Fprintf(w, "| clause | status | variant | default | suite | what the emulator does |\n| --- | --- | --- | --- | --- | --- |\n")
	for _, c := range r.Clauses {
		for _, v := range c.Variants {
			def := ""
			if v.Default {
				def = "yes"
			}
			fmt.Fprintf(w, "| %s | %s | %s | %s | %s in %d runs | %s |\n", c.ID, c.Status, v.Name, def, v.Suite.Outcome, len(v.Runs), mdEscape(v.Description))
		}
	}
	fmt.Fprintf(w, "\n| run | suite |\n| --- | --- |\n")
	for _, run := range r.VariantRuns {
		fmt.Fprintf(w, "| %s | %s |\n", mdEscape(run.Name), run.Suite.text())
	}
}
