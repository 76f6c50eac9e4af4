package main

import (
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"
	"sync"
	"text/tabwriter"

	"github.com/disconnectex/disconnectex/conformance"
	"github.com/disconnectex/disconnectex/spec"
)

const reportHelp = `Usage: disconnectex report [-format text|markdown|json] [-v]

Run every conformance case in-process against every backend available on
this machine: the emulator's Windows profile (what Windows does), its
Documented profile (the DisconnectEx page read literally), and the native
Windows backend where it runs (elsewhere it is listed as not available, with
the reason). Print the clause x backend matrix. Each cell sums the outcomes
of the cases that cite the clause:

  pass      the cases passed
  xfail     a known divergence: the case failed as the backend's divergence
            data (internal/backends/divergences/<backend>.json) records, with reason
  skip      the backend lacks a capability the case needs, with reason
  FAIL      a failure no divergence explains (fail), or a recorded divergence
            that did not happen (unexpected-pass)

Then the variants: for each clause whose Windows behaviour the evidence
does not settle, the emulator's variants, its default, and the suite's
outcome on each (the suite runs on the emulator's Windows profile once per
variant combination that can change an outcome, emulator.VariantRuns).

The exit status is 1 when any outcome is unexpected (FAIL), 0 otherwise.

JSON (-format json) is one object; every outcome in it is one of the
conformance.Outcome values: "pass", "fail", "xfail", "unexpected-pass",
"skip", and, for a cell only, "not-available" (the backend does not run
here) or "no-case" (no case cites the clause). Keys are plain identifiers.

  {"ok": bool,                      false when any outcome is fail or unexpected-pass
   "backends": [{"name": string, "available": bool,
                 "reason": string,  why it is not available (omitted if it is)
                 "counts": {outcome: int}}],  omitted if not available
   "clauses": [{"id": "DX-...", "section": string,
                "status": "agrees"|"contradicts"|"unspecified"|"unverified",
                "cases": [case name],
                "cells": {backend name: {"outcome": outcome,  the worst of its cases
                                         "counts": {outcome: int}}}}],
                "variants": [{"name": string, "default": bool,   omitted for a clause without
                              "description": string, "why": string,   emulator variants
                              "suite": cell, "runs": [run name]}]}],
   "variant_runs": [{"name": string, "variants": ["DX-...=name"], "suite": cell}],
   "results": [{"case": string, "clauses": [clause id], "backend": string,
                "outcome": outcome, "reason": string, "messages": [string]}]}

A cell is {"outcome": outcome, "counts": {outcome: int}}; a variant's or a
run's suite cell sums the case outcomes of the runs that follow it.

"The worst" orders fail, unexpected-pass, xfail, pass, skip (a cell is skip
only when all its cases skipped). reason and messages are omitted when
empty; messages are the failure messages, each starting with the file:line
of the check that failed.
`

// Outcome labels: the report uses conformance.Outcome's values, in every
// format, plus two for cells.
const (
	lPass         = string(conformance.Pass)
	lXFail        = string(conformance.XFail)
	lSkip         = string(conformance.Skip)
	lFail         = string(conformance.Fail)
	lXPass        = string(conformance.XPass)
	lNotAvailable = "not-available"
	lNoCase       = "no-case"
)

// worstFirst lists the case outcomes from the worst (see worst).
var worstFirst = []string{lFail, lXPass, lXFail, lPass, lSkip}

func label(o conformance.Outcome) string { return string(o) }

// reportData is the whole report; it is also the JSON document.
type reportData struct {
	Backends []backendSummary `json:"backends"`
	Clauses  []clauseRow      `json:"clauses"`
	Results  []caseResult     `json:"results"`
	// VariantRuns are the suite's runs on the emulator's Windows profile,
	// one per variant combination that can change an outcome.
	VariantRuns []variantRunRow `json:"variant_runs"`
	// OK is false when any outcome is unexpected.
	OK bool `json:"ok"`
}

type backendSummary struct {
	Name      string         `json:"name"`
	Available bool           `json:"available"`
	Reason    string         `json:"reason,omitempty"` // why it is not available
	Counts    map[string]int `json:"counts,omitempty"` // outcome -> cases
}

type clauseRow struct {
	ID      string          `json:"id"`
	Section string          `json:"section"`
	Status  spec.Status     `json:"status"`
	Cases   []string        `json:"cases"`
	Cells   map[string]cell `json:"cells"` // backend name -> cell
	// Variants are the emulator's variants of a clause whose Windows
	// behaviour the evidence does not settle, the default first.
	Variants []variantRow `json:"variants,omitempty"`
}

// cell is one clause on one backend.
type cell struct {
	// Outcome is the worst outcome of the clause's cases (see worst), or
	// not-available or no-case.
	Outcome string         `json:"outcome"`
	Counts  map[string]int `json:"counts,omitempty"`
}

type caseResult struct {
	Case    string   `json:"case"`
	Clauses []string `json:"clauses"`
	Backend string   `json:"backend"`
	Outcome string   `json:"outcome"` // conformance.Outcome
	Reason  string   `json:"reason,omitempty"`
	Failure []string `json:"messages,omitempty"`
}

func runReport(args []string, stdout, stderr io.Writer) int {
	fs := flagSet("report", reportHelp)
	format := fs.String("format", "text", "output format: text, markdown or json")
	verbose := fs.Bool("v", false, "list every case result, not only the ones that did not pass")
	if st := parseNoArgs(fs, args, stdout, stderr); st >= 0 {
		return st
	}
	if st := checkFormat(fs, stderr, *format, "text", "markdown", "json"); st >= 0 {
		return st
	}
	r := buildReport(reportBackends(), conformance.Cases())
	r.addVariants(variantSuites(), conformance.Cases())
	switch *format {
	case "json":
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(r); err != nil {
			fmt.Fprintf(stderr, "disconnectex report: %v\n", err)
			return exitUnexpected
		}
	case "markdown":
		r.writeMarkdown(stdout, *verbose)
	default:
		r.writeText(stdout, *verbose)
	}
	if !r.OK {
		fmt.Fprintf(stderr, "disconnectex report: unexpected outcomes (see the fail rows)\n")
		return exitUnexpected
	}
	return exitOK
}

// buildReport runs the cases on every available backend (the backends in
// parallel, each one's cases in table order) and assembles the matrix.
func buildReport(slots []backendSlot, cases []conformance.Case) *reportData {
	results := make([][]conformance.Result, len(slots))
	var wg sync.WaitGroup
	for i, s := range slots {
		if s.Unavailable != "" {
			continue
		}
		wg.Go(func() {
			for _, c := range cases {
				results[i] = append(results[i], conformance.Execute(s.Backend, c))
			}
		})
	}
	wg.Wait()

	r := &reportData{OK: true}
	byClause := map[string][]int{} // clause -> case indexes
	for i, c := range cases {
		for _, id := range c.Clauses {
			byClause[id] = append(byClause[id], i)
		}
	}
	for i, s := range slots {
		b := backendSummary{Name: s.Name, Available: s.Unavailable == "", Reason: s.Unavailable}
		if b.Available {
			b.Counts = map[string]int{}
			for ci, res := range results[i] {
				b.Counts[label(res.Outcome)]++
				if res.Outcome.Failed() {
					r.OK = false
				}
				r.Results = append(r.Results, caseResult{Case: res.Case, Clauses: cases[ci].Clauses, Backend: s.Name,
					Outcome: label(res.Outcome), Reason: res.Reason, Failure: res.Messages})
			}
		}
		r.Backends = append(r.Backends, b)
	}
	for _, c := range spec.Clauses() {
		row := clauseRow{ID: c.ID, Section: c.Section, Status: c.Status, Cells: map[string]cell{}}
		for _, ci := range byClause[c.ID] {
			row.Cases = append(row.Cases, cases[ci].Name)
		}
		for i, s := range slots {
			switch {
			case s.Unavailable != "":
				row.Cells[s.Name] = cell{Outcome: lNotAvailable}
			case len(row.Cases) == 0:
				row.Cells[s.Name] = cell{Outcome: lNoCase}
			default:
				cl := cell{Counts: map[string]int{}}
				for _, ci := range byClause[c.ID] {
					cl.Counts[label(results[i][ci].Outcome)]++
				}
				cl.Outcome = worst(cl.Counts)
				row.Cells[s.Name] = cl
			}
		}
		r.Clauses = append(r.Clauses, row)
	}
	// Clauses cited by cases but not in the catalogue would be a bug in
	// the cases; show them so that they are not lost.
	for id := range byClause {
		if _, ok := spec.Lookup(id); !ok {
			r.OK = false
			r.Results = append(r.Results, caseResult{Case: cases[byClause[id][0]].Name, Backend: "-", Outcome: lFail,
				Reason: fmt.Sprintf("cites clause %s, which spec.Clauses() does not have", id)})
		}
	}
	return r
}

// cellText is the short form of a cell: "pass 3", "FAIL 1, pass 2",
// "xfail 1", "skip 2".
func (c cell) text() string {
	if c.Counts == nil {
		return c.Outcome
	}
	var parts []string
	for _, l := range []struct{ label, short string }{{lFail, "FAIL"}, {lXPass, "FAIL unexpected-pass"}, {lXFail, "xfail"}, {lPass, "pass"}, {lSkip, "skip"}} {
		if n := c.Counts[l.label]; n > 0 {
			parts = append(parts, fmt.Sprintf("%s %d", l.short, n))
		}
	}
	return strings.Join(parts, ", ")
}

func (r *reportData) names() []string {
	var n []string
	for _, b := range r.Backends {
		n = append(n, b.Name)
	}
	return n
}

// notable returns the results worth listing: everything but passes, or
// everything with verbose.
func (r *reportData) notable(verbose bool) []caseResult {
	var out []caseResult
	for _, res := range r.Results {
		if verbose || res.Outcome != lPass {
			out = append(out, res)
		}
	}
	order := map[string]int{lFail: 0, lXPass: 1, lXFail: 2, lSkip: 3, lPass: 4}
	slices.SortStableFunc(out, func(a, b caseResult) int { return order[a.Outcome] - order[b.Outcome] })
	return out
}

func (b backendSummary) summary() string {
	if !b.Available {
		return "not available: " + b.Reason
	}
	return fmt.Sprintf("%d pass, %d xfail, %d skip, %d fail, %d unexpected-pass",
		b.Counts[lPass], b.Counts[lXFail], b.Counts[lSkip], b.Counts[lFail], b.Counts[lXPass])
}

func (r *reportData) writeText(w io.Writer, verbose bool) {
	fmt.Fprintf(w, "DisconnectEx conformance: %d clauses x %d backends\n\n", len(r.Clauses), len(r.Backends))
	for _, b := range r.Backends {
		fmt.Fprintf(w, "  %-20s %s\n", b.Name, b.summary())
	}
	fmt.Fprintln(w)
	tw := tabwriter.NewWriter(w, 0, 8, 2, ' ', 0)
	fmt.Fprintf(tw, "CLAUSE\tSTATUS\t%s\n", strings.ToUpper(strings.Join(r.names(), "\t")))
	for _, c := range r.Clauses {
		var cells []string
		for _, n := range r.names() {
			cells = append(cells, c.Cells[n].text())
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\n", c.ID, c.Status, strings.Join(cells, "\t"))
	}
	tw.Flush()
	r.writeVariantsText(w)
	if list := r.notable(verbose); len(list) > 0 {
		fmt.Fprintf(w, "\nCase results%s:\n", map[bool]string{false: " other than pass", true: ""}[verbose])
		for _, res := range list {
			fmt.Fprintf(w, "  %-16s %s on %s\n", res.Outcome, res.Case, res.Backend)
			if res.Reason != "" {
				wrap(w, "                   ", res.Reason, 100)
			}
			if res.Outcome == lFail || res.Outcome == lXPass {
				for _, m := range res.Failure {
					wrap(w, "                   | ", firstLine(m, 300), 100)
				}
			}
		}
	}
	fmt.Fprintf(w, "\nLegend: pass / xfail = known divergence (recorded in internal/backends/divergences) / skip = capability missing / FAIL = unexpected (fail, or unexpected-pass).\n")
	if r.OK {
		fmt.Fprintf(w, "Result: OK, no unexpected outcome.\n")
	} else {
		fmt.Fprintf(w, "Result: FAIL, unexpected outcomes above.\n")
	}
}

func (r *reportData) writeMarkdown(w io.Writer, verbose bool) {
	fmt.Fprintf(w, "# DisconnectEx conformance report\n\n")
	fmt.Fprintf(w, "| backend | outcome |\n| --- | --- |\n")
	for _, b := range r.Backends {
		fmt.Fprintf(w, "| %s | %s |\n", b.Name, mdEscape(b.summary()))
	}
	fmt.Fprintf(w, "\n| clause | status | %s |\n|---|---|%s\n", strings.Join(r.names(), " | "), strings.Repeat("---|", len(r.Backends)))
	for _, c := range r.Clauses {
		var cells []string
		for _, n := range r.names() {
			cells = append(cells, c.Cells[n].text())
		}
		fmt.Fprintf(w, "| %s | %s | %s |\n", c.ID, c.Status, strings.Join(cells, " | "))
	}
	r.writeVariantsMarkdown(w)
	if list := r.notable(verbose); len(list) > 0 {
		fmt.Fprintf(w, "\n| outcome | case | backend | reason |\n| --- | --- | --- | --- |\n")
		for _, res := range list {
			reason := res.Reason
			if (res.Outcome == lFail || res.Outcome == lXPass) && len(res.Failure) > 0 {
				var ms []string
				for _, m := range res.Failure {
					ms = append(ms, firstLine(m, 300))
				}
				reason += ": " + strings.Join(ms, "; ")
			}
			fmt.Fprintf(w, "| %s | `%s` | %s | %s |\n", res.Outcome, res.Case, res.Backend, mdEscape(reason))
		}
	}
	if r.OK {
		fmt.Fprintf(w, "\n**Result: OK**, no unexpected outcome.\n")
	} else {
		fmt.Fprintf(w, "\n**Result: FAIL**, unexpected outcomes above.\n")
	}
}

// firstLine shortens a failure message for a table: its first line, at
// most n bytes (a panic's stack stays in the JSON form).
func firstLine(s string, n int) string {
	cut := false
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s, cut = s[:i], true
	}
	if len(s) > n {
		s, cut = s[:n], true
	}
	if cut {
		s += " ..."
	}
	return s
}
