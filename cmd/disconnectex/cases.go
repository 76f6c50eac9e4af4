package main

import "github.com/disconnectex/disconnectex/conformance"

// casesByClause maps each clause ID to the conformance cases that cite it,
// in table order.
func casesByClause() map[string][]string {
	m := map[string][]string{}
	for _, c := range conformance.Cases() {
		for _, id := range c.Clauses {
			m[id] = append(m[id], c.Name)
		}
	}
	return m
}
