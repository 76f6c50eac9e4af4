package main

// casesByClause maps each clause ID to the conformance cases that cite it.
// TODO: fill from conformance.Cases() once the package exists.
func casesByClause() map[string][]string { return nil }
